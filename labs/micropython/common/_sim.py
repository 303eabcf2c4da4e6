# Simulation state shared by the mock hardware modules: a virtual clock, virtual timers
# and the frame budget. Plain MicroPython (runs on the WebAssembly port and on CPython).
#
# Protocol (labs/micropython/README.md): the runner writes a board's files into /lib,
# then runs, before the snippet,
#     import _sim
#     _sim.budget = 3          # only for simulate=3; None (the default) means no limit
# Each frame uses one unit of the budget: a sensor.snapshot() in a program that imports
# `sensor` (a camera program is paced by its frames alone), otherwise a sleep, a
# clock.tick() or a machine.idle(). The frame after the last one prints EXHAUSTED and
# raises SystemExit, which the runner treats as a normal end.
import sys

EXHAUSTED = "[sim] frame budget exhausted"

budget = None  # frames the program may still take; None: no limit (set by the runner)
frame_ms = 33  # virtual milliseconds one camera frame takes (about 30 frames per second)
realtime = False  # True: virtual time also passes for real (visible pacing in a browser)
labels = None  # labels ml.Model reports; None: the mock's defaults
now_us = 0  # the virtual clock, in microseconds since the board started
frames = 0  # frames taken so far
TICKS_MAX = (1 << 30) - 1  # MicroPython's ticks_ms()/ticks_us() wrap at 2**30

camera = False  # set when `sensor` is imported: then only snapshots are frames
_granted = None  # the budget as this module last left it, to notice the runner's changes
_exhausted = False
_timers = []


def _lib_first():
    # The WebAssembly port freezes its own time.py ahead of /lib on sys.path: putting this
    # folder first makes `import time` (and every other mock) win.
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else ""
    if here in sys.path:
        sys.path.remove(here)
    sys.path.insert(0, here)


_lib_first()


def frame(kind):
    """Count one frame of kind "camera" (a snapshot) or "time" (a sleep, a clock tick)."""
    global budget, frames, _granted, _exhausted
    if camera and kind != "camera":
        return
    if budget != _granted:  # the runner set a new budget (e.g. for the next lab of a session)
        _exhausted = False
    if budget is not None:
        if budget <= 0:
            _granted = budget
            if not _exhausted:
                _exhausted = True
                print(EXHAUSTED)
            raise SystemExit
        budget -= 1
    frames += 1
    _granted = budget


def sleep_us(us):
    """A sleep: one "time" frame, then the virtual clock moves on (firing due timers)."""
    frame("time")
    advance_us(us)


def advance_us(us):
    """Move the virtual clock ``us`` microseconds on, running timer callbacks as they fall due."""
    global now_us
    target = now_us + max(0, int(us))
    while True:
        due = None
        for timer in _timers:
            if timer._due <= target and (due is None or timer._due < due._due):
                due = timer
        if due is None:
            break
        _wait(due._due - now_us)
        now_us = due._due
        due._fire()
    _wait(target - now_us)
    now_us = target


def _wait(us):
    if realtime and us > 0:
        import utime

        utime.sleep_us(us)


def next_timer_us():
    """Microseconds until the next timer falls due, or None when no timer is running."""
    if not _timers:
        return None
    return max(0, min(t._due for t in _timers) - now_us)


def add_timer(timer):
    if timer not in _timers:
        _timers.append(timer)


def remove_timer(timer):
    if timer in _timers:
        _timers.remove(timer)


def signal(channel, base=32768, amplitude=16384):
    """A deterministic analog reading (0..65535): a triangle wave with a 10 s period, shifted
    per channel. Integer arithmetic only, so every interpreter gives the same numbers."""
    phase = (now_us // 1000 + 1250 * channel) % 10000
    tri = phase if phase < 5000 else 10000 - phase
    value = base - amplitude + 2 * amplitude * tri // 5000
    return max(0, min(65535, value))
