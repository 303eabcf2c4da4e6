# Mock `time`: MicroPython's time module on the simulation's virtual clock. Sleeps return
# at once, advance the clock and count as frames (see _sim.py); ticks and time() read
# the virtual clock, so a program prints the same numbers on every run.
import _board
import _sim
import utime as _rt
from utime import *  # noqa: F403 (the interpreter's gmtime, mktime, ... stay available)

EPOCH = 1704067200  # the board's clock at start: 2024-01-01 00:00:00 UTC, in Unix seconds
_HALF = (_sim.TICKS_MAX + 1) // 2


def sleep(seconds):
    _sim.sleep_us(int(seconds * 1000000))


def sleep_ms(ms):
    _sim.sleep_us(int(ms) * 1000)


def sleep_us(us):
    _sim.sleep_us(int(us))


def ticks_ms():
    return (_sim.now_us // 1000) & _sim.TICKS_MAX


def ticks_us():
    return _sim.now_us & _sim.TICKS_MAX


def ticks_cpu():
    return ticks_us()


def ticks_add(ticks, delta):
    return (ticks + delta) & _sim.TICKS_MAX


def ticks_diff(end, start):
    """end - start, correct across the wrap of the ticks counter."""
    return ((end - start + _HALF) & _sim.TICKS_MAX) - _HALF


def time():
    return EPOCH + _sim.now_us // 1000000


def time_ns():
    return (EPOCH * 1000000 + _sim.now_us) * 1000


def gmtime(secs=None):
    return _rt.gmtime(time() if secs is None else secs)


def localtime(secs=None):
    return gmtime(secs)  # the simulated board's clock runs in UTC


if _board.OPENMV:

    class clock:
        """OpenMV's frame clock: ``tick()`` at the start of each frame, then ``fps()``."""

        def __init__(self):
            self._start = _sim.now_us
            self._ticks = 0
            self._total_us = 0

        def tick(self):
            _sim.frame("time")
            if self._ticks:
                self._total_us += _sim.now_us - self._start
            self._ticks += 1
            self._start = _sim.now_us

        def fps(self):
            elapsed = _sim.now_us - self._start
            return 1000000 / elapsed if elapsed else 0.0

        def avg(self):
            """Average milliseconds per frame so far."""
            frames = self._ticks - 1
            return self._total_us / 1000 / frames if frames > 0 else 0.0

        def reset(self):
            self.__init__()
