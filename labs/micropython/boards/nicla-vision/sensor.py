# Mock OpenMV `sensor`: a camera whose frames are computed images (see image.py). Every
# snapshot() is one frame of the simulation's budget and takes _sim.frame_ms of virtual
# time, so a `while True: img = sensor.snapshot()` loop ends after the budget.
import _sim
import image
from image import BAYER, GRAYSCALE, JPEG, RGB565  # re-exported: sensor.RGB565 etc.

_sim.camera = True  # a camera program: its snapshots alone pace it, not its sleeps

QQQVGA = 1
QQVGA = 2
QVGA = 3
VGA = 4
HQVGA = 5
HVGA = 6
B64X64 = 7
B128X128 = 8
B160X160 = 9
B320X320 = 10
_SIZES = {QQQVGA: (80, 60), QQVGA: (160, 120), QVGA: (320, 240), VGA: (640, 480),
          HQVGA: (240, 160), HVGA: (480, 320), B64X64: (64, 64), B128X128: (128, 128),
          B160X160: (160, 160), B320X320: (320, 320)}  # fmt: skip

_format = RGB565
_framesize = QVGA
_window = None
_frames = 0


def reset():
    global _format, _framesize, _window
    _format, _framesize, _window = RGB565, QVGA, None


def set_pixformat(pixformat):
    global _format
    if pixformat not in (GRAYSCALE, RGB565, BAYER, JPEG):
        raise ValueError("invalid pixformat")
    _format = pixformat


def get_pixformat():
    return _format


def set_framesize(framesize):
    global _framesize, _window
    if framesize not in _SIZES:
        raise ValueError("invalid framesize")
    _framesize, _window = framesize, None


def get_framesize():
    return _framesize


def set_windowing(roi):
    global _window
    _window = tuple(roi[-2:])  # (w, h) or (x, y, w, h): the frame's size is what counts


def width():
    return (_window or _SIZES[_framesize])[0]


def height():
    return (_window or _SIZES[_framesize])[1]


def skip_frames(n=None, time=None):
    """Let the camera settle: virtual time passes; the frame budget is not used."""
    if time is not None:
        _sim.advance_us(time * 1000)
    else:
        _sim.advance_us((10 if n is None else n) * _sim.frame_ms * 1000)


def snapshot():
    global _frames
    _sim.frame("camera")
    _sim.advance_us(_sim.frame_ms * 1000)
    _frames += 1
    pixformat = GRAYSCALE if _format == GRAYSCALE else RGB565
    img = image.Image(width(), height(), pixformat, frame=_frames)
    return img.compress() if _format == JPEG else img


def _setting(*args, **kwargs):
    pass


set_auto_gain = set_auto_whitebal = set_auto_exposure = _setting
set_contrast = set_brightness = set_saturation = set_gainceiling = _setting
set_hmirror = set_vflip = set_transpose = _setting
