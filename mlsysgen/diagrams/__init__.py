"""TikZ code → SVG: find the TeX tools, assemble the document from the configured
preamble, compile it with a time limit, convert the PDF, clean the SVG, and cache the
result by content hash so a machine without TeX builds the same book.

This package knows nothing of chapters or tokens; :mod:`mlsysgen.transforms.diagrams`
finds the blocks and reports problems at their source lines.
"""

from __future__ import annotations

from .cache import DiagramStore, source_key, writable
from .compile import Failure
from .document import Place, TexDocument, tex_document
from .draw import Outcome, cpu_count, draw_all
from .engines import MissingTool, Toolchain, find_toolchain
from .explain import Explanation, explain
from .svg import clean_svg, place_svg
from .texlog import TexError, missing_file

__all__ = [
    "DiagramStore",
    "Explanation",
    "Failure",
    "MissingTool",
    "Outcome",
    "Place",
    "TexDocument",
    "TexError",
    "Toolchain",
    "clean_svg",
    "cpu_count",
    "draw_all",
    "explain",
    "find_toolchain",
    "missing_file",
    "place_svg",
    "source_key",
    "tex_document",
    "writable",
]
