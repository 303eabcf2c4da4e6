"""Parse the HTML-like markup allowed inside CSL-JSON strings and CSL affixes.

CSL-JSON fields may contain ``<i>``, ``<b>``, ``<sup>``, ``<span class="nocase">`` and
friends, and straight quotes are "smart" (``"x"`` and ``'x'`` become a quotation, an
apostrophe inside a word becomes ``’``). This follows the parser pandoc's citeproc uses,
including its fallbacks: an unclosed tag or quote is kept as literal text.

Two extensions read what our BibTeX reader writes (``latex.to_csl(exact=True)``) and
pandoc's CSL-JSON writer never does: a nocase span holding nothing but ``<``, ``"``
or ``$`` is that character, never the start of a tag or quotation; one holding
nothing but ``$TeX$`` (``$$TeX$$``) is math, rendered as pandoc renders math in HTML
(:mod:`.texmath`) and, like pandoc's math, never case-transformed.
"""

from __future__ import annotations

from functools import lru_cache

from .inline import Inlines, add_quotes, concat, is_alnum, text, wrap
from .texmath import tex_to_inlines

_QUOTE_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
_APOSTROPHES = ("'", "\u2019")
# Non-ASCII characters that get special treatment: curly quotes and superscripts.
_SUPERSCRIPTS = frozenset(
    "\u00aa\u00b2\u00b3\u00b9\u00ba\u02b0\u02b1\u02b2\u02b3\u02b4\u02b5\u02b6\u02b7\u02b8"
    "\u02e0\u02e1\u02e2\u02e3\u02e4\u1d2c\u1d2d\u1d2e\u1d30\u1d31\u1d32\u1d33\u1d34\u1d35"
    "\u1d36\u1d37\u1d38\u1d39\u1d3a\u1d3c\u1d3d\u1d3e\u1d3f\u1d40\u1d41\u1d42\u1d43\u1d44"
    "\u1d45\u1d46\u1d47\u1d48\u1d49\u1d4a\u1d4b\u1d4c\u1d4d\u1d4f\u1d50\u1d51\u1d52\u1d53"
    "\u1d54\u1d55\u1d56\u1d57\u1d58\u1d59\u1d5a\u1d5b\u1d5c\u1d5d\u1d5e\u1d5f\u1d60\u1d61"
    "\u2070\u2071\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u207c\u207d\u207e\u207f"
    "\u2120\u2122\u3192\u3193\u3194\u3195\u3196\u3197\u3198\u3199\u319a\u319b\u319c\u319d"
    "\u319e\u319f\u02c0\u02c1\u06e5\u06e6"
)
_CURLY = frozenset("\u201c\u201d\u2018\u2019")
_NOCASE = '<span class="nocase">'
_N = len(_NOCASE)
_LITERALS = frozenset('<$"')  # latex.LITERAL_CHARS

# (opening tag, closing tag, node kind, node data); tried in citeproc's order.
_TAGS: tuple[tuple[str, str, str, object], ...] = (
    ("<i>", "</i>", "emph", None),
    ("<b>", "</b>", "strong", None),
    ("<u>", "</u>", "underline", None),
)
_SPAN_TAGS: tuple[tuple[str, str, object], ...] = (
    ('class="nodecor"', "span", ("nodecoration",)),
    ('style="font-variant:small-caps;"', "smallcaps", None),
)


def _is_special(c: str) -> bool:
    if c in "<>'\"\u2019":
        return True
    return ord(c) > 127 and (c in _CURLY or c in _SUPERSCRIPTS)


def _narrow_spaces(t: str) -> str:
    # French-style spacing before ; ? ! becomes a narrow no-break space, as in citeproc.
    for a, b in ((" ;", "\u202f;"), (" ?", "\u202f?"), (" !", "\u202f!"), (" »", "\u202f»")):
        t = t.replace(a, b)
    return t.replace("« ", "«\u202f")


def _from_text(t: str) -> Inlines:
    return text(t)


class _Parser:
    """A backtracking parser over one string; positions are indexes into ``s``."""

    def __init__(self, s: str, flip_quotes: bool) -> None:
        self.s = s
        self.flip_quotes = flip_quotes

    def many(self, pos: int, end: str | None) -> tuple[Inlines, int] | None:
        """Parse items until ``end`` (or end of input when ``end`` is None)."""
        out: Inlines = []
        s = self.s
        while True:
            if end is not None and s.startswith(end, pos):
                return out, pos + len(end)
            if pos >= len(s):
                return (out, pos) if end is None else None
            got = self.item(pos)
            if got is None:
                return None
            inl, pos = got
            out = concat(out, inl)

    def item(self, pos: int) -> tuple[Inlines, int] | None:
        if self.s.startswith(_NOCASE, pos) and self.s.startswith("</span>", pos + _N + 1):
            char = self.s[pos + _N]
            if char in _LITERALS:  # a character escaped by our BibTeX reader
                return wrap("span", text(char), ("nocase",)), pos + _N + 8
        for parser in (self.plain, self.quoted, self.tagged, self.symbol):
            got = parser(pos)
            if got is not None:
                return got
        return None

    def plain(self, pos: int) -> tuple[Inlines, int] | None:
        s = self.s
        i = pos
        while i < len(s) and is_alnum(s[i]) and not _is_special(s[i]):
            i += 1
        if i > pos:
            word = s[pos:i]
            if i < len(s) and s[i] in _APOSTROPHES:
                j = i + 1
                while j < len(s) and is_alnum(s[j]):
                    j += 1
                if j > i + 1:
                    word = word + "\u2019" + s[i + 1 : j]
                    i = j
            return _from_text(_narrow_spaces(word)), i
        while i < len(s) and not is_alnum(s[i]) and not _is_special(s[i]):
            i += 1
        if i > pos:
            return _from_text(_narrow_spaces(s[pos:i])), i
        return None

    def quoted(self, pos: int) -> tuple[Inlines, int] | None:
        s = self.s
        opener = s[pos]
        close = _QUOTE_PAIRS.get(opener)
        if close is None or pos + 1 >= len(s) or s[pos + 1] in " \t\n\r":
            return None
        if s[pos + 1] == close:
            return None
        got = self.many(pos + 1, close)
        if got is None:
            return None
        inner, end = got
        # Field data goes through CslJson, whose quotes do not flip-flop until a style
        # quotes them; affixes are parsed straight into inlines, which do.
        return (add_quotes(inner) if self.flip_quotes else wrap("quoted", inner, "double")), end

    def tagged(self, pos: int) -> tuple[Inlines, int] | None:
        s = self.s
        if s[pos] != "<":
            return None
        for open_tag, close_tag, kind, data in _TAGS:
            if s.startswith(open_tag, pos):
                got = self.many(pos + len(open_tag), close_tag)
                if got is not None:
                    return wrap(kind, got[0], data), got[1]
        for tag in ("sup", "sub"):
            if s.startswith(f"<{tag}>", pos):
                got = self.many(pos + len(tag) + 2, f"</{tag}>")
                if got is not None:
                    return wrap(tag, got[0]), got[1]
        if s.startswith("<sc>", pos):
            got = self.many(pos + 4, "</sc>")
            if got is not None:
                return wrap("smallcaps", got[0]), got[1]
        return self.span(pos)

    def span(self, pos: int) -> tuple[Inlines, int] | None:
        s = self.s
        if not s.startswith("<span", pos):
            return None
        i = pos + 5
        while i < len(s) and s[i] in " \t\n\r":
            i += 1
        for attr, kind, data in (
            *_SPAN_TAGS,
            ('style="baseline"', "baseline", None),
            ('class="nocase"', "nocase", None),
        ):
            if not s.startswith(attr, i):
                continue
            j = i + len(attr)
            while j < len(s) and s[j] in " \t\n\r":
                j += 1
            if j >= len(s) or s[j] != ">":
                continue
            got = self.many(j + 1, "</span>")
            if got is None:
                continue
            inner, end = got
            if kind == "baseline":
                return inner, end
            if kind == "nocase":
                math = _math(s[j + 1 : end - 7])
                return wrap("span", inner if math is None else math, ("nocase",)), end
            return wrap(kind, inner, data), end
        return None

    def symbol(self, pos: int) -> tuple[Inlines, int] | None:
        c = self.s[pos]
        if not _is_special(c):
            return None
        return _from_text("\u2019" if c in _APOSTROPHES else c), pos + 1


def _math(raw: str) -> Inlines | None:
    """Inlines for a ``$TeX$`` (or ``$$TeX$$``) marker; its source if texmath fails too."""
    fence = "$$" if raw.startswith("$$") and raw.endswith("$$") else "$"
    tex = raw[len(fence) : -len(fence)]
    if not raw.startswith(fence) or not raw.endswith(fence) or not tex.strip():
        return None
    if "$" in tex or "<" in tex:  # literal dollars, or markup inside: not our marker
        return None
    return tex_to_inlines(tex.strip()) or text(raw)


@lru_cache(maxsize=65536)
def _parse_cached(s: str, flip_quotes: bool) -> tuple:
    got = _Parser(s, flip_quotes).many(0, None)
    return tuple(got[0]) if got is not None else tuple(text(s))


def parse_markup(s: str, *, affix: bool = False) -> Inlines:
    """Parse a CSL-JSON rich-text string (or, with ``affix``, a style affix) into inlines."""
    if not s:
        return []
    return list(_parse_cached(s, affix))
