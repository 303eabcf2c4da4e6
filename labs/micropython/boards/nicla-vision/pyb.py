# Mock `pyb` as the Nicla Vision's OpenMV firmware has it: LEDs and board timing.
# ruff: noqa: UP031 (%-formatting: the same on every MicroPython build)
import _board
import _sim


class LED:
    """pyb.LED(1) red, (2) green, (3) blue."""

    def __init__(self, n):
        if not 1 <= n <= len(_board.LEDS):
            raise ValueError("LED(%d) doesn't exist" % n)
        self._n = n
        self._intensity = 0

    def on(self):
        self._intensity = 255

    def off(self):
        self._intensity = 0

    def toggle(self):
        self._intensity = 0 if self._intensity else 255

    def intensity(self, value=None):
        if value is None:
            return self._intensity
        self._intensity = max(0, min(255, value))


def delay(ms):
    _sim.sleep_us(ms * 1000)


def udelay(us):
    _sim.sleep_us(us)


def millis():
    return _sim.now_us // 1000


def micros():
    return _sim.now_us


def elapsed_millis(start):
    return millis() - start


def elapsed_micros(start):
    return micros() - start


def freq():
    return (_board.FREQ, _board.FREQ // 2, _board.FREQ // 4, _board.FREQ // 4)


def unique_id():
    return _board.UNIQUE_ID
