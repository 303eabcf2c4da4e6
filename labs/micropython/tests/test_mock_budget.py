"""The frame budget and the virtual clock, on CPython and on the real MicroPython (wasm)."""

from __future__ import annotations

EXHAUSTED = "[sim] frame budget exhausted"

CAMERA_LOOP = """
import sensor, time
sensor.reset()
sensor.set_pixformat(sensor.RGB565)
sensor.set_framesize(sensor.QVGA)
sensor.skip_frames(time=2000)
clock = time.clock()
n = 0
while True:
    clock.tick()
    img = sensor.snapshot()
    n += 1
    print("frame", n, img.width(), img.height())
    time.sleep_ms(10)
"""


def test_camera_loop_ends_after_the_budget(run):
    done = run("nicla-vision", CAMERA_LOOP, budget=3)
    assert done.ok, done.stderr
    assert done.stdout == "frame 1 320 240\nframe 2 320 240\nframe 3 320 240\n" + EXHAUSTED + "\n"


def test_a_camera_program_is_paced_by_its_snapshots_alone(run):
    code = "import sensor, time\nfor i in range(5):\n    time.sleep_ms(100)\n" + CAMERA_LOOP
    done = run("nicla-vision", code, budget=2)
    assert done.stdout == "frame 1 320 240\nframe 2 320 240\n" + EXHAUSTED + "\n", done.stderr


def test_without_a_camera_each_sleep_is_a_frame(run):
    code = """
import machine, time
led = machine.Pin("LED", machine.Pin.OUT)
while True:
    led.toggle()
    print(led.value(), time.ticks_ms())
    time.sleep_ms(500)
"""
    done = run("pico", code, budget=3)
    assert done.stdout == "1 0\n0 500\n1 1000\n0 1500\n" + EXHAUSTED + "\n", done.stderr


def test_no_budget_means_no_limit(run):
    code = "import time\nfor i in range(50):\n    time.sleep_ms(1)\nprint(time.ticks_ms())\n"
    done = run("pico", code, budget=None)
    assert (done.ok, done.stdout) == (True, "50\n"), done.stderr


def test_a_new_budget_restarts_the_count_and_the_message(run):
    code = """
import sensor, _sim
for lab in range(2):
    _sim.budget = 2
    try:
        while True:
            sensor.snapshot()
            print("frame")
    except SystemExit:
        print("ended")
        try:
            sensor.snapshot()
        except SystemExit:
            print("still ended")
"""
    done = run("nicla-vision", code, budget=None)
    once = "frame\nframe\n" + EXHAUSTED + "\nended\nstill ended\n"
    assert done.stdout == once * 2, done.stderr


def test_virtual_clock_ticks_and_wall_time(run):
    code = """
import time
t0 = time.ticks_ms()
time.sleep_ms(1500)
time.sleep_us(2500)
print(time.ticks_diff(time.ticks_ms(), t0), time.ticks_us())
print(time.ticks_diff(5, (1 << 30) - 5), time.ticks_add((1 << 30) - 1, 2))
print(time.time() - time.EPOCH, tuple(time.gmtime(time.time()))[:6], tuple(time.localtime())[:3])
print(time.time_ns() // 1000000000 == time.time())
"""
    done = run("xiao-esp32s3", code)
    assert done.stdout == "1502 1502500\n10 1\n1 (2024, 1, 1, 0, 0, 1) (2024, 1, 1)\nTrue\n", (
        done.stderr
    )


def test_timers_fire_on_the_virtual_clock(run):
    code = """
import machine, time
seen = []
periodic = machine.Timer(period=100, mode=machine.Timer.PERIODIC, callback=lambda t: seen.append(time.ticks_ms()))
once = machine.Timer(-1)
once.init(period=250, mode=machine.Timer.ONE_SHOT, callback=lambda t: seen.append(-time.ticks_ms()))
time.sleep_ms(350)
periodic.deinit()
time.sleep_ms(1000)
print(seen)
machine.Timer(freq=10, callback=lambda t: print("tick", time.ticks_ms()))
machine.idle()
machine.idle()
"""
    done = run("pico", code)
    assert done.stdout == "[100, 200, -250, 300]\ntick 1450\ntick 1550\n", done.stderr


def test_idle_without_timers_and_lightsleep_use_the_budget(run):
    code = """
import machine, time
while True:
    machine.idle()
    machine.lightsleep(100)
    print(time.ticks_ms())
"""
    done = run("xiao-esp32s3", code, budget=4)
    assert done.stdout == "101\n202\n" + EXHAUSTED + "\n", done.stderr


def test_openmv_clock_reports_virtual_frame_rate(run):
    code = """
import sensor, time
sensor.reset()
clock = time.clock()
for i in range(3):
    clock.tick()
    sensor.snapshot()
    time.sleep_ms(17)
print(round(clock.fps()), round(clock.avg()))
"""
    done = run("nicla-vision", code)
    assert done.stdout == "20 50\n", done.stderr


def test_virtual_time_passes_at_once_unless_realtime(run):
    code = """
import _sim, sensor, time, utime
t0 = utime.ticks_ms()
time.sleep_ms(60000)
print(utime.ticks_diff(utime.ticks_ms(), t0) < 1000, time.ticks_ms())
_sim.realtime = True
t0 = utime.ticks_ms()
time.sleep_ms(200)
sensor.snapshot()
sensor.skip_frames(time=100)
print(utime.ticks_diff(utime.ticks_ms(), t0) >= 330, time.ticks_ms())
"""
    done = run("nicla-vision", code)
    assert done.stdout == "True 60000\nTrue 60333\n", done.stderr
