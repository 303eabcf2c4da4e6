"""Read a chapter file: split off YAML front matter and remove HTML comments.

Both are replaced by blank lines rather than cut out, so every line number the
parser reports is the line in the author's file. Comments inside fenced code are
left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..config.yamlio import load_yaml_text
from ..errors import ConfigError, Location, SourceError

_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class SourceText:
    """A chapter's Markdown with front matter and comments blanked out."""

    text: str
    meta: dict[str, Any]


def read_source(raw: str, display_path: str) -> SourceText:
    """Split front matter from ``raw`` and strip comments; bad YAML is a SourceError."""
    meta: dict[str, Any] = {}
    m = _FRONT.match(raw)
    if m:
        try:
            doc = load_yaml_text(m[1] or "", display_path, first_line=2)
        except ConfigError as exc:
            line = _line_of(str(exc))
            message = str(exc).split(": ", 1)[1] if ": " in str(exc) else str(exc)
            raise SourceError(Location(display_path, line), message) from None
        if isinstance(doc.data, dict):
            meta = doc.data
        elif doc.data is not None:
            raise SourceError(
                Location(display_path, 1),
                "front matter must be a YAML mapping of keys to values (key: value)",
            )
        raw = "\n" * m[0].count("\n") + raw[m.end() :]
    return SourceText(strip_comments(raw), meta)


def _line_of(message: str) -> int:
    m = re.match(r"[^:]*:(\d+):", message)
    return int(m[1]) if m else 1


def strip_comments(text: str) -> str:
    """Blank out ``<!-- … -->`` outside fenced code, keeping the line count."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    fence = ""
    in_comment = False
    for line in text.split("\n"):
        if not in_comment:
            m = _FENCE.match(line)
            if fence:
                if (
                    m
                    and m[1][0] == fence[0]
                    and len(m[1]) >= len(fence)
                    and not line.strip()[len(m[1]) :]
                ):
                    fence = ""
                out.append(line)
                continue
            if m:
                fence = m[1]
                out.append(line)
                continue
        kept, in_comment = _strip_line(line, in_comment)
        out.append(kept)
    return "\n".join(out)


def _strip_line(line: str, in_comment: bool) -> tuple[str, bool]:
    result = []
    pos = 0
    while pos <= len(line):
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                return "".join(result), True
            pos = end + 3
            in_comment = False
        else:
            start = line.find("<!--", pos)
            if start < 0:
                result.append(line[pos:])
                break
            result.append(line[pos:start])
            pos = start + 4
            in_comment = True
    return "".join(result), in_comment
