"""Make converter SVG smaller without a visible change.

pdftocairo writes numbers with six decimals and samples every PDF shading into 256
gradient stops; a page of TikZ balls (``ball color=…``) comes out at several megabytes.
Numbers are rounded to 1/1000 of a point (or percent), and a stop is dropped when the
straight blend between its neighbours gives its colour within a 255th.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NUMBER = re.compile(r"-?\d+\.\d{4,}")
_KEEP_EXACT = frozenset({"id", "href", "{http://www.w3.org/1999/xlink}href"})
_STOP_STYLE = re.compile(
    r"^stop-color:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\);stop-opacity:([\d.]+);?$"
)
_GRADIENTS = frozenset({"linearGradient", "radialGradient"})
TOLERANCE = 100 / 255  # in percent: one step of an 8-bit channel


def shrink(root: ET.Element) -> None:
    """Round numbers and thin gradient stops throughout the tree, in place."""
    for element in root.iter():
        for key, value in element.attrib.items():
            if key not in _KEEP_EXACT and "." in value:
                element.attrib[key] = _NUMBER.sub(_round, value)
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in _GRADIENTS:
            _thin_stops(element)


def _round(m: re.Match[str]) -> str:
    text = f"{float(m[0]):.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _thin_stops(gradient: ET.Element) -> None:
    stops = list(gradient)
    values = [_stop_values(s) for s in stops]
    if len(stops) < 3 or any(v is None for v in values):
        return
    points = [v for v in values if v is not None]
    keep = [0]
    while keep[-1] < len(points) - 1:
        start = keep[-1]
        end = start + 1
        while end + 1 < len(points) and _straight(points, start, end + 1):
            end += 1
        keep.append(end)
    kept = set(keep)
    for i, stop in enumerate(stops):
        if i not in kept:
            gradient.remove(stop)


def _stop_values(stop: ET.Element) -> tuple[float, ...] | None:
    """(offset, red %, green %, blue %, opacity %) of a stop in pdftocairo's form."""
    m = _STOP_STYLE.match(stop.get("style", "").replace(" ", ""))
    try:
        offset = float(stop.get("offset", ""))
    except ValueError:
        return None
    if m is None:
        return None
    return (offset, float(m[1]), float(m[2]), float(m[3]), float(m[4]) * 100)


def _straight(points: list[tuple[float, ...]], start: int, end: int) -> bool:
    """Whether every stop strictly between ``start`` and ``end`` lies on their blend."""
    a, b = points[start], points[end]
    span = b[0] - a[0]
    for p in points[start + 1 : end]:
        if span <= 0:
            if any(abs(x - y) > TOLERANCE for x, y in zip(p[1:], a[1:], strict=True)):
                return False
            continue
        t = (p[0] - a[0]) / span
        for channel in range(1, 5):
            expected = a[channel] + t * (b[channel] - a[channel])
            if abs(p[channel] - expected) > TOLERANCE:
                return False
    return True


__all__ = ["shrink"]
