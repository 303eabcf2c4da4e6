"""machine: pins, analog inputs, PWM, I2C, UART and restarts, on each board's mocks."""

from __future__ import annotations


def test_pins(run):
    code = """
from machine import Pin
led = Pin("LED", Pin.OUT)
led.on(); a = led.value()
led.off(); b = led()
led(1); c = led.value()
led.toggle(); d = led.value()
button = Pin(14, Pin.IN, Pin.PULL_UP)
floating = Pin(15, Pin.IN)
print(a, b, c, d, button.value(), floating.value(), led, button)
"""
    done = run("pico", code)
    assert done.stdout == "1 0 1 0 1 0 Pin(LED, mode=OUT) Pin(14, mode=IN)\n", done.stderr


def test_named_pins_the_board_lacks_are_refused(run):
    code = """
from machine import Pin
try:
    Pin("LED", Pin.OUT)
except ValueError as e:
    print(e)
print(Pin(21, Pin.OUT, value=1).value())
"""
    done = run("xiao-esp32s3", code)
    assert done.stdout == "unknown named pin 'LED' on xiao-esp32s3\n1\n", done.stderr


def test_analog_readings_follow_a_deterministic_wave(run):
    code = """
from machine import ADC, Pin
import time
sensor = ADC(Pin(26))
temp = ADC(ADC.CORE_TEMP)
readings = []
for i in range(5):
    readings.append(sensor.read_u16())
    time.sleep_ms(250)
print(readings)
volts = temp.read_u16() * 3.3 / 65535
print(round(27 - (volts - 0.706) / 0.001721), sensor.read_uv(), ADC(0).read())
"""
    done = run("pico", code)
    assert done.stdout == "[32768, 34406, 36044, 37683, 39321]\n26 2062531 1536\n", done.stderr


def test_pwm_duty_in_every_unit(run):
    code = """
from machine import PWM, Pin
pwm = PWM(Pin(15), freq=1000, duty_u16=32768)
print(pwm.freq(), pwm.duty_u16(), pwm.duty_ns(), pwm.duty())
pwm.duty_ns(250000)
print(pwm.duty_u16())
pwm.freq(50)
pwm.duty(1023)
print(pwm.freq(), pwm.duty_u16())
pwm.deinit()
print(pwm.duty_u16())
"""
    done = run("pico", code)
    assert done.stdout == "1000 32768 500007 512\n16383\n50 65535\n0\n", done.stderr


def test_i2c_answers_only_for_devices_on_the_board(run):
    code = """
from machine import I2C, Pin, SoftI2C
i2c = I2C(0, scl=Pin(9), sda=Pin(8))
print(i2c.scan(), i2c.readfrom_mem(0x6A, 0x0F, 3), i2c.readfrom(0x29, 2), i2c.writeto(0x29, b"ab"))
buf = bytearray(2)
i2c.readfrom_mem_into(0x6A, 0x20, buf)
print(list(buf))
try:
    i2c.readfrom(0x50, 1)
except OSError as e:
    print("OSError", e.args[0])
print(SoftI2C(scl=Pin(1), sda=Pin(2)).scan())
"""
    done = run("nicla-vision", code)
    assert (
        done.stdout
        == "[41, 106] b'\\x0f\\x10\\x11' b'\\x00\\x00' 2\n[32, 33]\nOSError 5\n[41, 106]\n"
    ), done.stderr
    assert run("pico", "from machine import I2C\nprint(I2C(0).scan())\n").stdout == "[]\n"


def test_uart_accepts_writes_and_has_nothing_to_read(run):
    code = """
from machine import UART
uart = UART(1, baudrate=115200, tx=43, rx=44)
print(uart.write(b"hello"), uart.any(), uart.read(), uart.readline())
"""
    done = run("xiao-esp32s3", code)
    assert done.stdout == "5 0 None None\n", done.stderr


def test_board_facts(run):
    code = "import machine\nprint(machine.freq(), machine.unique_id())\n"
    assert run("pico", code).stdout == "125000000 b'\\xe6`X8\\x83\\x00\\x00\\x01'\n"
    assert run("xiao-esp32s3", code).stdout.startswith("240000000 ")


def test_reset_ends_the_simulation_saying_why(run):
    code = "import machine\nprint('before')\nmachine.reset()\nprint('after')\n"
    done = run("pico", code)
    assert done.ok, done.stderr
    assert done.stdout == (
        "before\n[sim] machine.reset(): the board would restart here; the simulation ends\n"
    )


def test_bad_timer_says_what_it_needs(run):
    code = "import machine\ntry:\n    machine.Timer(period=0, callback=print)\nexcept ValueError as e:\n    print(e)\n"
    assert run("pico", code).stdout == "Timer needs a positive period= or freq=\n"
