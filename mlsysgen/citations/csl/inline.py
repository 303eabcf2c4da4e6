"""Rich text as a list of inline nodes, modelled on pandoc's ``Inlines``.

Pandoc's citeproc formats into pandoc ``Inlines``, and several of its behaviours depend on
the exact node structure (title case treats the last ``Str`` of a field specially,
punctuation moves into a quotation only when a ``Str`` directly follows it, adjacent
``Str`` nodes merge). Reproducing that structure is what lets this engine match pandoc
text for text, so the operations here mirror the pandoc builder and the citeproc
``CiteprocOutput Inlines`` instance.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from html import escape

# Container kinds whose adjacent occurrences merge when concatenated (pandoc-types' meld).
_MERGEABLE = frozenset({"emph", "strong", "underline", "sup", "sub"})
_SPACE_CHARS = " \t\n\r"


class Str:
    """A run of non-space text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Str({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Str) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class SpaceNode:
    """Inter-word space (a singleton, like pandoc's ``Space``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Space"


SPACE = SpaceNode()


class Elem:
    """A container: emph, strong, underline, smallcaps, sup, sub, quoted, span or link.

    ``data`` holds the quote type (``"double"``/``"single"``), the span classes (a tuple)
    or the link URL.
    """

    __slots__ = ("children", "data", "kind")

    def __init__(self, kind: str, children: list, data: object = None) -> None:
        self.kind = kind
        self.children = children
        self.data = data

    def __repr__(self) -> str:
        return f"Elem({self.kind}, {self.children!r}, {self.data!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Elem)
            and other.kind == self.kind
            and other.data == self.data
            and other.children == self.children
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.data, len(self.children)))


Inline = Str | SpaceNode | Elem
Inlines = list


def concat(a: Inlines, b: Inlines) -> Inlines:
    """Concatenate two inline lists, melding the boundary as pandoc's builder does."""
    if not a:
        return list(b)
    if not b:
        return list(a)
    x, y = a[-1], b[0]
    if x is SPACE and y is SPACE:
        return [*a[:-1], SPACE, *b[1:]]
    if isinstance(x, Str) and isinstance(y, Str):
        return [*a[:-1], Str(x.text + y.text), *b[1:]]
    if isinstance(x, Elem) and isinstance(y, Elem) and x.kind == y.kind and x.kind in _MERGEABLE:
        return [*a[:-1], Elem(x.kind, concat(x.children, y.children)), *b[1:]]
    return a + b


def mconcat(parts: Iterable[Inlines]) -> Inlines:
    """Concatenate many inline lists."""
    out: Inlines = []
    for part in parts:
        out = concat(out, part)
    return out


def text(t: str) -> Inlines:
    """Pandoc's ``B.text``: split into ``Str`` and ``Space`` runs."""
    out: Inlines = []
    buf: list[str] = []
    for ch in t:
        if ch in _SPACE_CHARS:
            if buf:
                out.append(Str("".join(buf)))
                buf = []
            if not out or out[-1] is not SPACE:
                out.append(SPACE)
        else:
            buf.append(ch)
    if buf:
        out.append(Str("".join(buf)))
    return out


def wrap(kind: str, inl: Inlines, data: object = None) -> Inlines:
    """Wrap inlines in a single container node."""
    return [Elem(kind, list(inl), data)]


def stringify(inl: Inlines, *, quotes: bool = True) -> str:
    """Plain text, with quotations rendered as curly quotes (pandoc's ``stringify``)."""
    parts: list[str] = []
    _stringify_into(inl, parts, quotes)
    return "".join(parts)


def _stringify_into(inl: Inlines, parts: list[str], quotes: bool = True) -> None:
    for node in inl:
        if isinstance(node, Str):
            parts.append(node.text)
        elif node is SPACE:
            parts.append(" ")
        elif node.kind == "quoted" and quotes:
            double = node.data == "double"
            parts.append("\u201c" if double else "\u2018")
            _stringify_into(node.children, parts, quotes)
            parts.append("\u201d" if double else "\u2019")
        else:
            _stringify_into(node.children, parts, quotes)


def str_texts(inl: Inlines) -> str:
    """Concatenated ``Str`` contents only (pandoc's ``query fromStr``)."""
    parts: list[str] = []
    for node in inl:
        if isinstance(node, Str):
            parts.append(node.text)
        elif isinstance(node, Elem):
            parts.append(str_texts(node.children))
    return "".join(parts)


def map_text(fn: Callable[[str], str], inl: Inlines) -> Inlines:
    """Apply ``fn`` to every ``Str`` (pandoc's ``walk`` over ``Str``)."""
    out: Inlines = []
    for node in inl:
        if isinstance(node, Str):
            out.append(Str(fn(node.text)))
        elif isinstance(node, Elem):
            out.append(Elem(node.kind, map_text(fn, node.children), node.data))
        else:
            out.append(node)
    return out


def drop_text_while(pred: Callable[[str], bool], inl: Inlines) -> Inlines:
    """Drop leading characters satisfying ``pred`` (citeproc's ``dropTextWhile'``)."""
    state = [True]

    def go(nodes: Inlines) -> Inlines:
        out: Inlines = []
        for node in nodes:
            if isinstance(node, Elem):
                out.append(Elem(node.kind, go(node.children), node.data))
            elif not state[0]:
                out.append(node)
            elif isinstance(node, Str):
                rest = node.text
                while rest and pred(rest[0]):
                    rest = rest[1:]
                if rest:
                    state[0] = False
                out.append(Str(rest))
            elif pred(" "):
                out.append(Str(""))
            else:
                state[0] = False
                out.append(node)
        return out

    return go(inl)


def drop_text_while_end(pred: Callable[[str], bool], inl: Inlines) -> Inlines:
    """Drop trailing characters satisfying ``pred`` (citeproc's ``dropTextWhileEnd'``).

    As in citeproc, only the top-level list is walked backwards: the children of a
    trailing emphasis or link are visited front to back, and a ``Space`` that does not
    satisfy ``pred`` is skipped over rather than stopping the scan.
    """
    state = [True]

    def leaf(node: Inline) -> Inline:
        if not state[0]:
            return node
        if isinstance(node, Str):
            rest = node.text
            while rest and pred(rest[-1]):
                rest = rest[:-1]
            if rest:
                state[0] = False
            return Str(rest)
        return Str("") if pred(" ") else node

    def forward(nodes: Inlines) -> Inlines:
        return [
            Elem(n.kind, forward(n.children), n.data) if isinstance(n, Elem) else leaf(n)
            for n in nodes
        ]

    out = [
        Elem(n.kind, forward(n.children), n.data) if isinstance(n, Elem) else leaf(n)
        for n in reversed(inl)
    ]
    out.reverse()
    return out


# --- character classes matching Haskell's Data.Char ------------------------------------


def is_upper(c: str) -> bool:
    """Haskell's ``isUpper``: uppercase or titlecase letter."""
    return unicodedata.category(c) in ("Lu", "Lt")


def is_lower(c: str) -> bool:
    """Haskell's ``isLower``: lowercase letter."""
    return unicodedata.category(c) == "Ll"


def is_alnum(c: str) -> bool:
    """Haskell's ``isAlphaNum``: any letter or number."""
    return unicodedata.category(c)[0] in "LN"


def is_punct(c: str) -> bool:
    """Haskell's ``isPunctuation``: any punctuation category."""
    return unicodedata.category(c)[0] == "P"


def is_letter(c: str) -> bool:
    """Haskell's ``isLetter``."""
    return unicodedata.category(c)[0] == "L"


# --- quotes -------------------------------------------------------------------------------


def flip_flop_quotes(inl: Inlines, outer: str = "double") -> Inlines:
    """Alternate nested quotation marks inside a quotation of type ``outer``."""
    out: Inlines = []
    for node in inl:
        if isinstance(node, Elem):
            if node.kind == "quoted":
                flipped = "single" if outer == "double" else "double"
                out.append(Elem("quoted", flip_flop_quotes(node.children, flipped), flipped))
            else:
                out.append(Elem(node.kind, flip_flop_quotes(node.children, outer), node.data))
        else:
            out.append(node)
    return out


def add_quotes(inl: Inlines) -> Inlines:
    """Double-quote, turning nested double quotes into single ones."""
    return wrap("quoted", flip_flop_quotes(inl), "double")


def _ends_with_punct(inl: Inlines) -> bool:
    s = stringify(inl)
    return bool(s) and s[-1] in ".,;:!?"


def _move_in(nodes: Inlines) -> Inlines:
    out: Inlines = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        if (
            isinstance(node, Elem)
            and node.kind == "quoted"
            and isinstance(nxt, Str)
            and nxt.text[:1] in (".", ",", "!", "?")
            and nxt.text
        ):
            kids = list(node.children)
            if not _ends_with_punct(kids):
                kids = [*kids, Str(nxt.text[0])]
            out.append(Elem("quoted", kids, node.data))
            if len(nxt.text) > 1:
                nodes = [*nodes[: i + 1], Str(nxt.text[1:]), *nodes[i + 2 :]]
                i += 1
                continue
            i += 2
            continue
        out.append(node)
        i += 1
    return out


def move_punct_inside_quotes(inl: Inlines) -> Inlines:
    """American punctuation: a period or comma after a quotation moves inside it."""

    def walk(nodes: Inlines) -> Inlines:
        done = [Elem(n.kind, walk(n.children), n.data) if isinstance(n, Elem) else n for n in nodes]
        return _move_in(done)

    return _move_in(walk(inl))


# --- HTML ----------------------------------------------------------------------------------

_DISPLAY_CLASSES = frozenset({"csl-block", "csl-left-margin", "csl-right-inline", "csl-indent"})


def to_html(inl: Inlines, quotes: tuple[str, str, str, str]) -> str:
    """Render as HTML. ``quotes`` are the outer open/close and inner open/close marks."""
    parts: list[str] = []
    _html_into(inl, parts, quotes)
    return "".join(parts)


_SAFE_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "mailto", "doi"})


def _safe_url(url: str) -> bool:
    """Only web, mail and DOI links; ``javascript:`` and friends from a bib file are not."""
    scheme, sep, _ = url.strip().partition(":")
    if not sep or "/" in scheme:
        return True  # relative
    return scheme.lower() in _SAFE_SCHEMES


# TeX escapes that .bib authors write inside url/doi fields ("10.1007/978-3\\_2").
_TEX_URL_ESCAPE = re.compile(r"\\([_%&#$])")


def link_target(url: str) -> str:
    """The href for a URL or DOI as written in a .bib file.

    Pandoc links the field's raw text, so ``10.1007/3-540-49430-8\\_2`` keeps its
    backslash (which browsers read as a "/", breaking the link) and text after a space
    ("https://doi.org/10.48550/arXiv.2103.14749 arXiv-issued DOI via DataCite") ends up
    in the href. The printed text stays as pandoc prints it; the href drops the TeX
    escapes and everything after the first blank (a URL never contains one). A URL
    that needs neither is left exactly as pandoc links it (blanks around it included:
    browsers ignore those).
    """
    core = url.strip()
    fixed = _TEX_URL_ESCAPE.sub(r"\1", core.split()[0]) if core else core
    return url if fixed == core else fixed


_SIMPLE_TAGS = {
    "emph": "i",
    "strong": "b",
    "underline": "u",
    "sup": "sup",
    "sub": "sub",
}


def _html_into(inl: Inlines, parts: list[str], quotes: tuple[str, str, str, str]) -> None:
    for node in inl:
        if isinstance(node, Str):
            parts.append(escape(node.text, quote=False))
        elif node is SPACE:
            parts.append(" ")
        else:
            _html_elem(node, parts, quotes)


def _html_elem(node: Elem, parts: list[str], quotes: tuple[str, str, str, str]) -> None:
    kind = node.kind
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        parts.append(f"<{tag}>")
        _html_into(node.children, parts, quotes)
        parts.append(f"</{tag}>")
    elif kind == "smallcaps":
        parts.append('<span style="font-variant:small-caps">')
        _html_into(node.children, parts, quotes)
        parts.append("</span>")
    elif kind == "quoted":
        open_q, close_q = (quotes[0], quotes[1]) if node.data == "double" else quotes[2:]
        parts.append(escape(open_q, quote=False))
        _html_into(node.children, parts, quotes)
        parts.append(escape(close_q, quote=False))
    elif kind == "link":
        if not _safe_url(str(node.data)):
            _html_into(node.children, parts, quotes)  # bib data: never a script link
            return
        parts.append(f'<a href="{escape(link_target(str(node.data)))}">')
        _html_into(node.children, parts, quotes)
        parts.append("</a>")
    elif kind == "span" and node.data and node.data[0] in _DISPLAY_CLASSES:
        parts.append(f'<div class="{node.data[0]}">')
        _html_into(node.children, parts, quotes)
        parts.append("</div>")
    else:
        # nocase / nodecoration spans only steer case and decoration: no markup left.
        _html_into(node.children, parts, quotes)
