"""WeasyPrint, faster where the book spends its time, with the same drawing.

The real book's drawings (TikZ diagrams through dvisvgm, formulas through ziamath) took
about two fifths of its PDF time, most of it in WeasyPrint's SVG path handling: it parses
a path's ``d`` again at every use and for its bounding box, the latter in time quadratic
in the path's length (the rest of the string is copied at every number). In chapters
with many photos and screenshots, a tenth went to decoding every PNG and compressing it
again. Replacements installed by :func:`speedups` for one layout:

- a path's drawing operators and marker vertices are worked out in one pass over its
  numbers (:func:`plain_path`, twice as fast as WeasyPrint's parser) the first time its
  ``d`` is drawn, and replayed afterwards (a diagram draws each glyph hundreds of times);
- a path's bounding box is computed in one pass over its numbers, once per ``d``;
- marker vertices are dropped at once when the element has no markers;
- an 8-bit, non-interlaced greyscale or RGB PNG goes into the PDF as its own compressed
  data (PDF reads PNG rows as they are), instead of being compressed again;
- a leader (the dots between a contents entry and its page number) is one run of text
  instead of one text box per dot: the real book's contents drew 110,000 of them.

The PDF drawn is the same: the same operators with the same numbers, the same pixels, the
same dots at the same places (one text object instead of many). Path data with arcs or
smooth quadratic curves, or with anything but commands and plain numbers, goes through
WeasyPrint's own code, as does every other PNG.
"""

from __future__ import annotations

import importlib
import math
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from math import atan2, pi
from typing import Any

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(r"[MmZzLlHhVvCcSsQqTt]|" + _NUMBER)
_PLAIN_PATH = re.compile(r"(?:[\s,]*(?:[MmZzLlHhVvCcSsQqTt]|" + _NUMBER + r"))*[\s,]*")
"""Path data that :data:`_TOKEN` splits as WeasyPrint's parser does: commands and
numbers, with white space or commas between (or nothing, where that is unambiguous)."""
_ARGUMENTS = {"m": 2, "l": 2, "t": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4}
_MARKERS = ("marker", "marker-start", "marker-mid", "marker-end")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Box = tuple[float, float, float, float]


@contextmanager
def speedups() -> Iterator[None]:
    """Install the replacements for the duration (one process lays out one document)."""
    import weasyprint.images as images
    import weasyprint.layout.inline as inline
    import weasyprint.svg as svg

    # By module path: the package's ``bounding_box`` attribute is the function.
    bounding_box = importlib.import_module("weasyprint.svg.bounding_box")
    saved = (
        svg.TAGS["path"],
        bounding_box.BOUNDING_BOX_METHODS["path"],
        svg.SVG.draw_markers,
        images.RasterImage.__dict__["_get_png_data"],
        inline.handle_leader,
    )
    svg.TAGS["path"] = _recorded_path(saved[0])
    bounding_box.BOUNDING_BOX_METHODS["path"] = _path_box(saved[1], bounding_box)
    svg.SVG.draw_markers = _markers_if_any(saved[2])
    images.RasterImage._get_png_data = staticmethod(_png_data(saved[3].__func__))
    inline.handle_leader = _joined_leader(saved[4])
    try:
        yield
    finally:
        svg.TAGS["path"], bounding_box.BOUNDING_BOX_METHODS["path"] = saved[:2]
        svg.SVG.draw_markers = saved[2]
        images.RasterImage._get_png_data = saved[3]
        inline.handle_leader = saved[4]


def _recorded_path(original: Any) -> Any:
    drawn: dict[str, tuple[tuple[bytes, ...], tuple[Any, ...]]] = {}

    def path(image: Any, node: Any, font_size: float) -> None:
        data = node.get("d", "")
        recorded = drawn.get(data)
        if recorded is not None:
            image.stream.stream.extend(recorded[0])
            node.vertices.extend(recorded[1])
        elif not _is_plain(data):
            original(image, node, font_size)
        else:
            # Drawing a path only appends operators to the stream and vertices to the
            # node; without units or percentages, both depend on ``d`` alone.
            try:
                operators, vertices = plain_path(data)
            except ValueError:
                start, first = len(image.stream.stream), len(node.vertices)
                original(image, node, font_size)
                operators = image.stream.stream[start:]
                vertices = list(node.vertices)[first:]
            else:
                image.stream.stream.extend(operators)
                node.vertices.extend(vertices)
            drawn[data] = (tuple(operators), tuple(vertices))

    return path


def plain_path(data: str) -> tuple[list[bytes], list[Any]]:
    """What WeasyPrint's ``path`` draws for path data ``data`` (its operators, and its
    vertices for markers), computed the same way in one pass over the numbers. Raises
    ``ValueError`` for data it leaves to WeasyPrint (arcs, smooth quadratic curves,
    units, numbers missing or left over)."""
    import pydyf

    tokens = _TOKEN.findall(data) if _is_plain(data) else []
    if not tokens or tokens[0] not in "mM" or any(t in ("t", "T") for t in tokens):
        raise ValueError("not plain path data")
    out, vertices = pydyf.Stream(), []
    current: tuple[float, float] = (0, 0)
    out.move_to(*current)
    last: str | None = None
    first: tuple[float, float] | None = None
    x2 = y2 = x3 = y3 = 0.0
    i = 0
    while i < len(tokens):
        letter, i = tokens[i], i + 1
        while True:  # the command, then its implicit repetitions
            wanted = _ARGUMENTS.get(letter.lower(), 0)
            numbers = [float(t) for t in tokens[i : i + wanted]]
            if len(numbers) < wanted or any(t.isalpha() for t in tokens[i : i + wanted]):
                raise ValueError(f"{letter} is missing numbers")
            i += wanted
            if last in (None, "z", "Z") and letter not in "mM":
                vertices.append(current)
                first = current
            if last in (None, "m", "M", "z", "Z"):
                first = None
            if letter not in "mMzZ" and first is None:
                first = current
            x, y = current
            relative = letter.islower()
            if letter in "cC":
                x1, y1, x2, y2, x3, y3 = numbers
                if relative:
                    x1, x2, x3, y1, y2, y3 = x1 + x, x2 + x, x3 + x, y1 + y, y2 + y, y3 + y
                vertices.append((atan2(y1 - y2, x1 - x2), atan2(y3 - y2, x3 - x2)))
                out.curve_to(x1, y1, x2, y2, x3, y3)
                current = (x3, y3)
            elif letter in "sS":
                x1 = x3 + (x3 - x2) if last in ("c", "s", "C", "S") else x
                y1 = y3 + (y3 - y2) if last in ("c", "s", "C", "S") else y
                x2, y2, x3, y3 = numbers
                if relative:
                    x2, x3, y2, y3 = x2 + x, x3 + x, y2 + y, y3 + y
                vertices.append((atan2(y1 - y2, x1 - x2), atan2(y3 - y2, x3 - x2)))
                out.curve_to(x1, y1, x2, y2, x3, y3)
                current = (x3, y3)
            elif letter in "qQ":
                x2, y2, x3, y3 = numbers
                if relative:
                    x2, y2, x3, y3 = x2 + x, y2 + y, x3 + x, y3 + y
                out.curve_to(x2 * 2 / 3 + x / 3, y2 * 2 / 3 + y / 3,
                             x2 * 2 / 3 + x3 / 3, y2 * 2 / 3 + y3 / 3, x3, y3)  # fmt: skip
                vertices.append((0, 0))
                current = (x3, y3)
            elif letter in "lLhHvV":
                if letter in "lL":
                    end = (numbers[0] + x, numbers[1] + y) if relative else (numbers[0], numbers[1])
                    angle = atan2(end[1] - y, end[0] - x)
                elif letter in "hH":
                    end = (numbers[0] + x if relative else numbers[0], y)
                    angle = 0 if end[0] > x else pi
                else:
                    end = (x, numbers[0] + y if relative else numbers[0])
                    angle = pi / 2 if end[1] > y else -pi / 2
                vertices.append((pi - angle, angle))
                out.line_to(*end)
                current = end
            elif letter in "mM":
                if last and last not in "zZ":
                    vertices.append(None)
                current = (numbers[0] + x, numbers[1] + y) if relative else (numbers[0], numbers[1])
                out.move_to(*current)
            elif first:  # Z closes a path that has a segment; else WeasyPrint skips it
                vertices.append(None)
                out.close()
                current = first
            if letter not in "zZ":
                vertices.append(current)
            last = letter
            if i >= len(tokens) or tokens[i].isalpha():
                break
            if letter in "zZ":
                raise ValueError("numbers after Z")
            letter = {"m": "l", "M": "L"}.get(letter, letter)
    return out.stream, vertices


def _path_box(original: Any, module: Any) -> Any:
    boxes: dict[str, Box] = {}

    def box(image: Any, node: Any, font_size: float) -> Box:
        data = node.get("d", "")
        found = boxes.get(data)
        if found is None:
            try:
                found = one_pass_box(data, module.extend_bounding_box)
            except ValueError:
                return original(image, node, font_size)  # type: ignore[no-any-return]
            boxes[data] = found
        return found

    return box


def one_pass_box(data: str, extend: Any) -> Box:
    """WeasyPrint's ``bounding_box_path`` of path data ``data``, in one pass: the same
    points extended in the same order, so the same floating-point result. Raises
    ``ValueError`` for path data it leaves to WeasyPrint."""
    if not _is_plain(data):
        raise ValueError("not plain path data")
    tokens = _TOKEN.findall(data)
    box: Box = (float("inf"), float("inf"), 0, 0)
    x = y = 0.0
    letter, i = "M", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            letter, i = tokens[i], i + 1
            if letter in "zZ":
                continue
        if letter in "zZ":
            raise ValueError("numbers after Z")  # WeasyPrint never gets past them
        arguments = tokens[i : i + _ARGUMENTS[letter.lower()]]
        if len(arguments) < _ARGUMENTS[letter.lower()] or any(a.isalpha() for a in arguments):
            raise ValueError(f"{letter} is missing numbers")
        i += len(arguments)
        numbers = [float(a) for a in arguments]
        relative = letter.islower()
        if letter in "hH":
            x = numbers[0] + x if relative else numbers[0]
            box = extend(box, ((x, y),))
        elif letter in "vV":
            y = numbers[0] + y if relative else numbers[0]
            box = extend(box, ((x, y),))
        else:
            points = [(numbers[k], numbers[k + 1]) for k in range(0, len(numbers), 2)]
            if relative:
                points = [(px + x, py + y) for px, py in points]
            box = extend(box, tuple(points))
            x, y = points[-1]
    return box


def _is_plain(data: str) -> bool:
    return _PLAIN_PATH.fullmatch(data) is not None


def _markers_if_any(original: Any) -> Any:
    def draw_markers(image: Any, node: Any, font_size: float, fill_stroke: bool) -> None:
        if any(name in node.attrib for name in _MARKERS):
            original(image, node, font_size, fill_stroke)
        else:
            node.vertices.clear()  # what the original's walk over them comes to

    return draw_markers


def _joined_leader(original: Any) -> Any:
    from weasyprint.layout.leader import leader_index
    from weasyprint.text.line_break import split_first_line

    def handle_leader(context: Any, line: Any, containing_block: Any) -> None:
        original(context, line, containing_block)
        _index, leader = leader_index(line)
        if leader is None or len(leader.children) < 2:
            return
        dots = sorted(leader.children, key=lambda box: box.position_x)
        first, step = dots[0], dots[0].width
        if any(abs(b.position_x - first.position_x - i * step) > 0.01 for i, b in enumerate(dots)):
            return  # not one unbroken row: leave the boxes as they are
        text = first.text * len(dots)
        layout, *_rest, width, _height, _baseline = split_first_line(
            text, first.style, context, math.inf, first.justification_spacing
        )
        if abs(width - step * len(dots)) > 0.01:
            return  # the run would not be as wide as the dots (kerning): keep them
        joined = first.copy_with_text(text)
        joined.pango_layout, joined.width = layout, width
        leader.children = (joined,)

    return handle_leader


def _png_data(original: Any) -> Any:
    def png_data(pillow_image: Any) -> bytes:
        data = _source_png(pillow_image)
        rows = idat_if_plain(data) if data is not None else None
        return bytes(original(pillow_image)) if rows is None else rows

    return png_data


def _source_png(pillow_image: Any) -> bytes | None:
    """The bytes a PNG image was opened from (None for an image made in memory)."""
    stream: Any = getattr(pillow_image, "fp", None)
    if pillow_image.format != "PNG" or not hasattr(stream, "getvalue"):
        return None
    return bytes(stream.getvalue())


def idat_if_plain(png: bytes) -> bytes | None:
    """The compressed rows (the IDAT chunks, joined) of an 8-bit, non-interlaced
    greyscale or RGB PNG, which a PDF image with PNG predictors reads as they are; None
    for any other PNG."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return None
    depth, colour, _compression, _filter, interlace = png[24:29]
    if depth != 8 or colour not in (0, 2) or interlace != 0:
        return None
    rows, pos = [], len(_PNG_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            rows.append(png[pos + 8 : pos + 8 + length])
        elif kind == b"IEND":
            break
        pos += 12 + length
    return b"".join(rows) or None
