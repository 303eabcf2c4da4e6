"""The intermediate output tree and its rendering to inlines.

Evaluating a style yields a tree of :class:`Formatted` groups, :class:`Literal` text,
:class:`Linked` identifiers and :class:`Tagged` nodes (names, dates, titles, year
suffixes...) that disambiguation and collapsing inspect. :func:`render` turns it into
inlines, applying formatting, delimiters and citeproc's punctuation collision rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import inline as il
from .elements import EMPTY, Formatting
from .inline import Inlines
from .markup import parse_markup
from .reference import has_nonstandard_case
from .textcase import apply_text_case


class Output:
    """Base class of output nodes."""

    __slots__ = ()


class _Null(Output):
    __slots__ = ()

    def __repr__(self) -> str:
        return "Null"


NULL = _Null()


class Literal(Output):
    __slots__ = ("inl",)

    def __init__(self, inl: Inlines) -> None:
        self.inl = inl

    def __repr__(self) -> str:
        return f"Literal({il.stringify(self.inl)!r})"


class Formatted(Output):
    __slots__ = ("children", "fmt")

    def __init__(self, fmt: Formatting, children: list[Output]) -> None:
        self.fmt = fmt
        self.children = children

    def __repr__(self) -> str:
        return f"Formatted({self.children!r})"


class Linked(Output):
    __slots__ = ("children", "url")

    def __init__(self, url: str, children: list[Output]) -> None:
        self.url = url
        self.children = children


class Tagged(Output):
    """``tag`` is a tuple: ("names", var, names_format, names), ("name", name),
    ("date", date), ("year-suffix", n), ("title",), ("term", term), ("item", type, id),
    ("citation-number", n), ("locator",), ("prefix",), ("suffix",)."""

    __slots__ = ("child", "tag")

    def __init__(self, tag: tuple, child: Output) -> None:
        self.tag = tag
        self.child = child

    def __repr__(self) -> str:
        return f"Tagged({self.tag[0]}, {self.child!r})"


def literal(t: str) -> Output:
    """Plain text as an output node."""
    return Literal(il.text(t))


def formatted(fmt: Formatting, xs: list[Output]) -> Output:
    """citeproc's ``formatted``: drop nulls, collapse trivial groups."""
    xs = [x for x in xs if x is not NULL]
    if not xs:
        return NULL
    if len(xs) == 1 and fmt == EMPTY:
        return xs[0]
    return Formatted(fmt, xs)


def grouped(xs: list[Output]) -> Output:
    """Group without formatting."""
    return formatted(EMPTY, xs)


def universe(x: Output) -> Iterator[Output]:
    """All nodes of the tree, pre-order."""
    stack = [x]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (Formatted, Linked)):
            stack.extend(reversed(node.children))
        elif isinstance(node, Tagged):
            stack.append(node.child)


def output_text(x: Output) -> str:
    """citeproc's ``outputToText``: children joined with spaces."""
    if isinstance(x, Literal):
        return il.stringify(x.inl)
    if isinstance(x, Tagged):
        return output_text(x.child)
    if isinstance(x, (Formatted, Linked)):
        return " ".join(output_text(c) for c in x.children)
    return ""


def transform(x: Output, fn: Callable[[Output], Output]) -> Output:
    """Bottom-up rewrite of every node (uniplate's ``transform``)."""
    if isinstance(x, Formatted):
        x = Formatted(x.fmt, [transform(c, fn) for c in x.children])
    elif isinstance(x, Linked):
        x = Linked(x.url, [transform(c, fn) for c in x.children])
    elif isinstance(x, Tagged):
        x = Tagged(x.tag, transform(x.child, fn))
    return fn(x)


# --- punctuation ----------------------------------------------------------------------------

_KEEP_FIRST = {
    ("!", "."), ("!", ":"), ("?", "."), ("?", ":"), (":", "."), (";", ":"), (";", "."),
    ("!", "!"), ("?", "?"), (".", "."), (":", ":"), (";", ";"), (",", ","),
}  # fmt: skip
_KEEP_SECOND = {(":", "!"), (":", "?"), (";", "!"), (";", "?"), (" ", " "), (" ", ","), (" ", ".")}


def _is_quote_like(c: str) -> bool:
    import unicodedata

    return c in "\"'" or unicodedata.category(c) == "Pf"


def _terminal_before_quote(t: str) -> str | None:
    trimmed = t.rstrip()
    if trimmed and _is_quote_like(trimmed[-1]):
        inner = trimmed
        while inner and (inner[-1].isspace() or _is_quote_like(inner[-1])):
            inner = inner[:-1]
        return inner[-1] if inner else None
    return None


def fix_punct(xs: list[Inlines]) -> list[Inlines]:
    """Resolve doubled punctuation where two pieces meet (citeproc's ``fixPunct``)."""
    xs = list(xs)
    out: list[Inlines] = []
    while len(xs) >= 2:
        x, y = xs[0], xs[1]
        x_text, y_text = il.stringify(x), il.stringify(y)
        y_start = y_text[0] if y_text else "\ufffd"
        x_last = x_text[-1] if x_text else "\ufffd"
        x_end = x_last
        if y_start == ".":
            x_end = _terminal_before_quote(x_text) or x_last
        pair = (x_end, y_start)
        if pair in _KEEP_FIRST:
            y_trim = il.drop_text_while(lambda c, s=y_start: c == s, y)
            if y_trim == y:
                out.append(x)
                xs = xs[1:]
            else:
                xs = [x, y_trim, *xs[2:]]
            continue
        if pair in _KEEP_SECOND:
            x_trim = il.drop_text_while_end(lambda c, e=x_end: c == e, x)
            if x_trim == x:
                out.append(x)
                xs = xs[1:]
            else:
                xs = [x_trim, y, *xs[2:]]
            continue
        out.append(x)
        xs = xs[1:]
    return out + xs


def add_delimiters(delim: Inlines, xs: list[Inlines]) -> list[Inlines]:
    """Put ``delim`` between pieces, except before one starting with ``,;.``."""
    out: list[Inlines] = []
    for i, x in enumerate(xs):
        out.append(x)
        if i + 1 < len(xs):
            nxt = il.stringify(xs[i + 1])
            if not (nxt and nxt[0] in ",;."):
                out.append(delim)
    return out


# --- formatting -----------------------------------------------------------------------------


@dataclass
class RenderOptions:
    link_bibliography: bool = True


def _affix(s: str) -> Inlines:
    return parse_markup(s, affix=True)


def add_formatting(f: Formatting, x: Inlines) -> Inlines:
    """Apply a :class:`Formatting` to rendered inlines (citeproc's ``addFormatting``)."""
    if not il.stringify(x):
        return []
    if f.strip_periods:
        x = il.map_text(lambda t: t.replace(".", ""), x)
    if f.affixes_inside:
        x = _add_affixes(f, x)
    if f.font_style in ("italic", "oblique"):
        x = il.wrap("emph", x)
    if f.text_case:
        x = _text_case(f.text_case, x)
    if f.font_variant == "small-caps":
        x = il.wrap("smallcaps", x)
    if f.font_weight == "bold":
        x = il.wrap("strong", x)
    if f.text_decoration == "underline":
        x = il.wrap("underline", x)
    elif f.text_decoration == "none":
        x = il.wrap("span", x, ("nodecoration",))
    if f.vertical_align in ("sup", "sub"):
        x = il.wrap(f.vertical_align, x)
    if f.quotes:
        x = il.add_quotes(x)
    if not f.affixes_inside:
        x = _add_affixes(f, x)
    if f.display:
        x = il.wrap("span", x, ("csl-" + f.display,))
    return x


def _text_case(case: str, x: Inlines) -> Inlines:
    if case == "preserve":
        return il.wrap("span", x, ("nocase",))
    return apply_text_case(case, x)


def _add_affixes(f: Formatting, x: Inlines) -> Inlines:
    if f.suffix is not None:
        x = il.mconcat(fix_punct([x, _affix(f.suffix)]))
    if f.prefix is not None:
        x = il.mconcat(fix_punct([_affix(f.prefix), x]))
    return x


def render(x: Output, opts: RenderOptions) -> Inlines:
    """Render an output tree to inlines (citeproc's ``renderOutput``)."""
    if x is NULL:
        return []
    if isinstance(x, Literal):
        return x.inl
    if isinstance(x, Tagged):
        return _render_tagged(x, opts)
    if isinstance(x, Formatted):
        return _render_formatted(x, opts)
    if isinstance(x, Linked):
        inner = il.mconcat(fix_punct([render(c, opts) for c in x.children]))
        return il.wrap("link", inner, x.url) if opts.link_bibliography else inner
    return []


def _render_tagged(x: Tagged, opts: RenderOptions) -> Inlines:
    # citeproc keeps names with a lowercase first letter out of later case changes.
    if x.tag[0] == "names" and any(has_nonstandard_case(n) for n in x.tag[3]):
        return il.wrap("span", render(x.child, opts), ("nocase",))
    return render(x.child, opts)


def _render_formatted(x: Formatted, opts: RenderOptions) -> Inlines:
    if len(x.children) == 1 and isinstance(x.children[0], Linked) and opts.link_bibliography:
        link = x.children[0]
        anchor = "".join(output_text(c) for c in link.children)
        if link.url == (x.fmt.prefix or "") + anchor:
            # The affix is part of the URL (https://doi.org/...): link it too.
            return render(Linked(link.url, [Formatted(x.fmt, link.children)]), opts)
    parts = [r for r in (render(c, opts) for c in x.children) if r]
    if x.fmt.delimiter is not None:
        parts = add_delimiters(_affix_plain(x.fmt.delimiter), parts)
    return add_formatting(x.fmt, il.mconcat(fix_punct(parts)))


def _affix_plain(s: str) -> Inlines:
    # Delimiters go through fromText, not the markup parser.
    return il.text(s)
