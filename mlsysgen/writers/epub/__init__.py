"""``--to epub``: the book as an EPUB 3, packaging the same fragments as the HTML site.

Modules: :mod:`.writer` (the steps), :mod:`.xhtml` (HTML5 fragments → XHTML),
:mod:`.content` (what an EPUB must not contain), :mod:`.images`, :mod:`.nav`,
:mod:`.cover`, :mod:`.metadata`, :mod:`.verify` (re-open and check the result).
"""

from __future__ import annotations

from .writer import EpubWriter

__all__ = ["EpubWriter"]
