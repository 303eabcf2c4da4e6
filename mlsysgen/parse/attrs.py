"""Pandoc attribute blocks: ``{#id .class key="value" key2=value}``.

Pandoc is lenient in practice and so are we: a bare word (``{layout-narrow}``,
``{python}``) is read as a class, spaces inside the braces are allowed, and
values may be single- or double-quoted with backslash escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""\s*(?:
        \#(?P<id>[^\s}]+)
      | \.(?P<cls>[^\s}=]+)
      | (?P<key>[^\s}="'=]+)\s*=\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'|(?P<bare>[^\s}]*))
      | (?P<word>[A-Za-z_][\w:-]*)(?=\s|$)
    )""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass
class Attrs:
    """Identifier, classes and key/value pairs of one attribute block."""

    id: str = ""
    classes: list[str] = field(default_factory=list)
    kv: dict[str, str] = field(default_factory=dict)

    def has_class(self, name: str) -> bool:
        return name in self.classes

    def to_token_attrs(self) -> dict[str, str]:
        """Flatten to markdown-it token attrs (``id``, ``class``, then the pairs)."""
        out: dict[str, str] = {}
        if self.id:
            out["id"] = self.id
        if self.classes:
            out["class"] = " ".join(self.classes)
        out.update(self.kv)
        return out


def parse_attrs(text: str) -> Attrs | None:
    """Parse the inside of ``{…}`` (without the braces); None when it is not attribute syntax."""
    attrs = Attrs()
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return None
        pos = m.end()
        if m["id"] is not None:
            attrs.id = m["id"]
        elif m["cls"] is not None:
            attrs.classes.append(m["cls"])
        elif m["key"] is not None:
            raw = m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None else m["bare"]
            attrs.kv[m["key"]] = _ESCAPE.sub(r"\1", raw or "")
        else:
            attrs.classes.append(m["word"])
    return attrs


def split_trailing_attrs(text: str) -> tuple[str, Attrs | None]:
    """Split ``Heading text {#id .cls}`` into the text and its attributes.

    Only a brace group at the very end counts, and only if it parses as attributes,
    so ``a {b} c`` and math like ``$\\{x\\}$`` are left alone.
    """
    stripped = text.rstrip()
    if not stripped.endswith("}"):
        return text, None
    start = _matching_open(stripped)
    if start is None or (start > 0 and stripped[start - 1] == "\\"):
        return text, None
    attrs = parse_attrs(stripped[start + 1 : -1])
    if attrs is None:
        return text, None
    return stripped[:start].rstrip(), attrs


def _matching_open(text: str) -> int | None:
    depth = 0
    quote = ""
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if quote:
            if ch == quote and (i == 0 or text[i - 1] != "\\"):
                quote = ""
            continue
        if ch in "\"'" and depth == 1:
            quote = ch
        elif ch == "}":
            depth += 1
        elif ch == "{":
            depth -= 1
            if depth == 0:
                return i
    return None
