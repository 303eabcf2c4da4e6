# Mock OpenMV `image`. Pixels are computed from their position and the frame number, never
# stored (a 320x240 frame would not fit the interpreter's small heap); set_pixel() keeps
# the few pixels a program writes. Drawing calls are accepted and remembered, not drawn.
# ruff: noqa: UP031 (%-formatting: the same on every MicroPython build)
GRAYSCALE = 1
RGB565 = 2
BAYER = 3
JPEG = 4

_TYPES = {GRAYSCALE: "grayscale", RGB565: "rgb565", BAYER: "bayer", JPEG: "jpeg"}
_BYTES_PER_PIXEL = {GRAYSCALE: 1, RGB565: 2, BAYER: 1}


class Image:
    def __init__(self, width, height=None, pixformat=RGB565, frame=0, copy_to_fb=False):
        if isinstance(width, str):
            raise OSError("[sim] no file system with images here: cannot load '%s'" % width)
        self._w = width
        self._h = height if height is not None else width
        self._format = pixformat
        self._frame = frame
        self._pixels = {}
        self._jpeg_size = 0
        self.drawn = []  # (call name, arguments) of every drawing call, for the curious

    def width(self):
        return self._w

    def height(self):
        return self._h

    def format(self):
        return self._format

    def size(self):
        if self._format == JPEG:
            return self._jpeg_size
        return self._w * self._h * _BYTES_PER_PIXEL[self._format]

    def _computed(self, x, y):
        if self._format == GRAYSCALE:
            return (x + y + 8 * self._frame) & 0xFF
        r = (x * 255 // max(1, self._w - 1)) & 0xF8
        g = (y * 255 // max(1, self._h - 1)) & 0xFC
        return (r, g, (8 * self._frame) & 0xF8)

    def get_pixel(self, x, y, rgbtuple=None):
        if not (0 <= x < self._w and 0 <= y < self._h):
            return None
        return self._pixels.get((x, y), self._computed(x, y))

    def set_pixel(self, x, y, color):
        if 0 <= x < self._w and 0 <= y < self._h:
            self._pixels[(x, y)] = color
        return self

    def _draw(self, name, args):
        self.drawn.append((name, args))
        return self

    def draw_rectangle(self, *args, **kwargs):
        return self._draw("rectangle", args)

    def draw_circle(self, *args, **kwargs):
        return self._draw("circle", args)

    def draw_line(self, *args, **kwargs):
        return self._draw("line", args)

    def draw_cross(self, *args, **kwargs):
        return self._draw("cross", args)

    def draw_string(self, *args, **kwargs):
        return self._draw("string", args)

    def to_grayscale(self):
        self._format = GRAYSCALE
        return self

    def copy(self):
        twin = Image(self._w, self._h, self._format, self._frame)
        twin._pixels = dict(self._pixels)
        twin._jpeg_size = self._jpeg_size
        return twin

    def compress(self, quality=90):
        """JPEG in place. The size is a stand-in: about 1 byte per 10 pixels at quality 100."""
        self._jpeg_size = max(1, self._w * self._h * quality // 1000)
        self._format = JPEG
        return self

    def compressed(self, quality=90):
        return self.copy().compress(quality)

    def __repr__(self):
        return '{"w":%d, "h":%d, "type"="%s", "size":%d}' % (
            self._w,
            self._h,
            _TYPES[self._format],
            self.size(),
        )
