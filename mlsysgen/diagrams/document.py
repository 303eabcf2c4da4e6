"""A TikZ block → the standalone LaTeX document that draws it.

The document is the one pandoc-ext/diagram (Quarto's ``diagram`` filter) writes, so a
book's blocks compile here as they do there::

    \\documentclass{standalone}
    \\usepackage{tikz}
    <the configured header-includes, one per line>
    \\begin{document}
    <the block>
    \\end{document}

The document also knows which of its lines came from where, so a TeX error can be
reported at the chapter line (or the preamble entry) that caused it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD = ("\\documentclass{standalone}", "\\usepackage{tikz}")


@dataclass(frozen=True)
class Place:
    """Where a line of the TeX document came from."""

    part: str
    """``code`` (the block), ``preamble`` (a header-includes entry) or ``template``."""
    line: int
    """1-based line within the block, or 1-based index of the preamble entry."""
    text: str
    """The line itself."""


@dataclass(frozen=True)
class TexDocument:
    """The LaTeX source of one diagram."""

    text: str
    preamble: tuple[str, ...]
    code: str

    def place(self, tex_line: int) -> Place:
        """Where line ``tex_line`` (1-based, as TeX counts) of :attr:`text` came from."""
        lines = self.text.split("\n")
        text = lines[tex_line - 1] if 0 < tex_line <= len(lines) else ""
        number = len(HEAD)
        for entry, item in enumerate(self.preamble, 1):
            number += item.count("\n") + 1
            if tex_line <= number and tex_line > len(HEAD):
                return Place("preamble", entry, text)
        first_code = number + 2  # after \begin{document}
        code_lines = self.code.count("\n") + 1
        if first_code <= tex_line < first_code + code_lines:
            return Place("code", tex_line - first_code + 1, text)
        return Place("template", tex_line, text)

    def loads(self, file_name: str) -> str | None:
        """The preamble entry that names ``file_name`` (``pgf-pie.sty`` → the
        ``\\usepackage{pgf-pie}`` line), if one does."""
        stem = file_name.rsplit(".", 1)[0]
        for entry in self.preamble:
            if re.search(r"[{,]\s*" + re.escape(stem) + r"\s*[},]", entry):
                return entry
        return None


def tex_document(code: str, preamble: tuple[str, ...]) -> TexDocument:
    """The document for one TikZ block (``code``) under the configured ``preamble``."""
    code = code.rstrip("\n")
    parts = [*HEAD, *preamble, "\\begin{document}", code, "\\end{document}", ""]
    return TexDocument("\n".join(parts), preamble, code)


__all__ = ["Place", "TexDocument", "tex_document"]
