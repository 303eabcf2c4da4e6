"""A plain cover for a book that provides none: title, subtitle and authors on a
coloured page, as SVG (no image library, the same bytes on every machine)."""

from __future__ import annotations

import textwrap
from html import escape

WIDTH, HEIGHT = 1600, 2560
_MARGIN = 150
_CHAR_WIDTH = 0.52
"""Average glyph width of a serif face, in ems (to wrap lines without measuring text)."""


def cover_svg(title: str, subtitle: str, authors: list[str]) -> str:
    """The cover as a standalone SVG document."""
    size = 128
    lines = _wrap(title, size)
    while len(lines) > 5 and size > 64:
        size -= 16
        lines = _wrap(title, size)
    y = 640
    texts = []
    for line in lines:
        texts.append(_text(line, y, size, "bold", "#ffffff"))
        y += int(size * 1.2)
    y += 60
    for line in _wrap(subtitle, 64)[:4]:
        texts.append(_text(line, y, 64, "normal", "#d8e2f0"))
        y += 80
    by = ", ".join(authors)
    ay = HEIGHT - 360
    for line in _wrap(by, 68)[:3]:
        texts.append(_text(line, ay, 68, "normal", "#ffffff"))
        ay += 84
    label = escape(" — ".join(p for p in (title, subtitle, by) if p))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">\n'
        f"<title>{label}</title>\n"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#1f3a5f"/>\n'
        f'<rect x="0" y="420" width="{WIDTH}" height="16" fill="#e0a526"/>\n'
        f'<rect x="0" y="{HEIGHT - 520}" width="{WIDTH}" height="8" fill="#e0a526"/>\n'
        + "".join(texts)
        + "</svg>\n"
    )


def _wrap(text: str, size: int) -> list[str]:
    width = max(8, int((WIDTH - 2 * _MARGIN) / (size * _CHAR_WIDTH)))
    return textwrap.wrap(text, width) if text else []


def _text(line: str, y: int, size: int, weight: str, fill: str) -> str:
    return (
        f'<text x="{_MARGIN}" y="{y}" font-family="Georgia, \'Times New Roman\', serif" '
        f'font-size="{size}" font-weight="{weight}" fill="{fill}">{escape(line)}</text>\n'
    )
