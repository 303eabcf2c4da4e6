"""The first error in a TeX log: its message, file and line, and the input it stopped at.

TeX is run with ``-file-line-error``, so an error reads ``./diagram.tex:14: Undefined
control sequence.`` instead of ``! Undefined control sequence.``, naming the file as well
as the line (an error while a package loads names the package file). The ``l.14 …`` lines
that follow show the input line split where TeX stopped reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Run TeX with these in its environment: one log line per message line (no wrapping at
# 79 characters) and as much of the input line as TeX will show around an error.
LOG_ENVIRONMENT = {"max_print_line": "100000", "error_line": "254", "half_error_line": "238"}

_FILE_LINE = re.compile(r"^((?:\.{0,2}/)?[^:\s()][^:()]*\.[A-Za-z]+):(\d+): (.+)$")
_CONTEXT = re.compile(r"^l\.(\d+) (.*)$")
_MISSING_FILE = re.compile(r"File `([^']+)' not found")


@dataclass(frozen=True)
class TexError:
    """The first error TeX reported."""

    message: str
    """The error text, e.g. ``Undefined control sequence.``."""
    file: str = ""
    """The file TeX was reading (``./diagram.tex`` or a package), if known."""
    line: int | None = None
    """1-based line in ``file``."""
    context: str = ""
    """The input line up to where TeX stopped (the ``l.NN`` line without its number)."""
    rest: str = ""
    """The rest of that input line, which TeX had not read yet."""


def first_error(log: str) -> TexError | None:
    """The first error in ``log``, or None when it holds none."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = _FILE_LINE.match(line)
        if m:
            context, rest = _context(lines, i + 1)
            return TexError(m[3].strip(), m[1], int(m[2]), context, rest)
        if line.startswith("! "):
            context, rest = _context(lines, i + 1)
            return TexError(line[2:].strip(), context=context, rest=rest)
    return None


def missing_file(error: TexError) -> str | None:
    """The file an error says TeX could not find (``pgf-pie.sty``), if that is the error.

    TeX reports such an error at the line it reads next, not at the ``\\usepackage``."""
    m = _MISSING_FILE.search(error.message)
    return m[1] if m else None


def _context(lines: list[str], start: int) -> tuple[str, str]:
    for i in range(start, min(start + 40, len(lines))):
        m = _CONTEXT.match(lines[i])
        if m:
            rest = lines[i + 1].strip() if i + 1 < len(lines) else ""
            return m[2].rstrip(), rest.removesuffix("^^M")
    return "", ""


__all__ = ["LOG_ENVIRONMENT", "TexError", "first_error", "missing_file"]
