"""Board-specific modules, and that each board has only its own."""

from __future__ import annotations


def test_import_time_gives_the_mock_on_every_board(run):
    code = "import time\nprint(time.EPOCH, time.ticks_ms())\n"
    for board in ("nicla-vision", "pico", "xiao-esp32s3"):
        assert run(board, code).stdout == "1704067200 0\n", board


def test_openmv_modules_exist_only_on_the_nicla(run):
    code = """
import time
print(hasattr(time, "clock"))
try:
    import sensor
except ImportError:
    print("no sensor")
"""
    assert run("pico", code).stdout == "False\nno sensor\n"
    assert run("nicla-vision", code).stdout == "True\n"


def test_rp2_state_machine_round_trips_and_programs_are_accepted(run):
    code = """
import rp2
from machine import Pin

@rp2.asm_pio(set_init=rp2.PIO.OUT_LOW)
def blink():
    set(pins, 1)

sm = rp2.StateMachine(0, blink, freq=2000, set_base=Pin(25))
sm.active(1)
sm.put(7)
sm.put([1, 2])
print(sm.active(), sm.rx_fifo(), sm.get(), sm.get(), sm.get(), sm.get(), rp2.bootsel_button())
"""
    done = run("pico", code)
    assert done.stdout == "1 3 7 1 2 0 0\n", done.stderr


def test_esp32_temperature_and_storage(run):
    code = """
import esp32
t = esp32.mcu_temperature()
nvs = esp32.NVS("lab")
nvs.set_i32("boots", 3)
print(38 <= t <= 42, nvs.get_i32("boots"))
try:
    nvs.get_i32("missing")
except OSError as e:
    print("OSError", e.args[0])
"""
    done = run("xiao-esp32s3", code)
    assert done.stdout == "True 3\nOSError -4354\n", done.stderr


def test_a_module_the_board_does_not_have_is_an_import_error(run):
    done = run("xiao-esp32s3", "import rp2\n")
    assert not done.ok
    assert (
        "ImportError: no module named 'rp2'" in done.stderr
        or "No module named 'rp2'" in done.stderr
    )
