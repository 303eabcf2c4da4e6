"""Hand WeasyPrint the book's drawings as SVG files instead of inline markup.

The print document carries each TikZ diagram (``svg.diagram``) and formula
(``svg.math-svg``) inline, as the site does. WeasyPrint reads inline SVG with its HTML
parser, character by character, and runs the HTML cascade over every path and glyph of
it; an ``<img>`` of an SVG file is read by the XML parser and never cascaded, and one
file read once serves every use of the same formula in a layout. The drawing and its
size are the same: the file is the inline markup itself, and the image takes its size
from the same ``width``/``height``/``viewBox`` (``static/print.css`` sizes
``img.diagram`` as ``svg.diagram``).
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

_OPEN = re.compile(r"<svg\b[^>]*>")
_NESTED = re.compile(r"<svg\b|</svg>")
_CLASS = re.compile(r'\sclass="(diagram|math-svg)"')
_LABEL = re.compile(r'\saria-label="([^"]*)"')
_STYLE = re.compile(r'\sstyle="([^"]*)"')


class Drawings:
    """SVG files written into ``folder``, one per distinct drawing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, str] = {}
        """Hash of the markup → file URL."""

    def externalize(self, document: str) -> str:
        """``document`` with each diagram and formula drawn from a file."""
        out, pos = [], 0
        for opening in _OPEN.finditer(document):
            if opening.start() < pos:
                continue  # inside a drawing already replaced
            kind = _CLASS.search(opening[0])
            end = _closing(document, opening.end())
            if kind is None or end is None:
                continue
            image = self._image(document[opening.start() : end], opening[0], kind[1])
            if image is None:
                continue
            out += [document[pos : opening.start()], image]
            pos = end
        out.append(document[pos:])
        return "".join(out)

    def _image(self, svg: str, opening: str, kind: str) -> str | None:
        """The ``<img>`` standing for ``svg``; None when it is not well-formed XML (it
        stays inline, where the HTML parser is forgiving)."""
        key = hashlib.sha1(svg.encode()).hexdigest()
        url = self.files.get(key)
        if url is None:
            try:
                ET.fromstring(svg)
            except ET.ParseError:
                return None
            path = self.folder / f"{key}.svg"
            path.write_text(svg, encoding="utf-8")
            url = self.files[key] = path.as_uri()
        label = _LABEL.search(opening)
        style = _STYLE.search(opening)
        alt = label[1] if label else ""
        styled = f' style="{style[1]}"' if style else ""
        return f'<img class="{kind}" src="{html.escape(url)}" alt="{alt}"{styled}>'


def _closing(document: str, start: int) -> int | None:
    """End of the ``</svg>`` that closes the ``<svg>`` ending at ``start``."""
    depth = 1
    for tag in _NESTED.finditer(document, start):
        depth += 1 if tag[0] == "<svg" else -1
        if depth == 0:
            return tag.end()
    return None
