"""Post-processing of a rendered citation: cite grouping and collapsing (``collapse``,
``cite-group-delimiter``), narrative (author-only) citations and suppress-author."""

from __future__ import annotations

from dataclasses import replace

from .elements import EMPTY, Formatting
from .inline import stringify
from .output import (
    NULL,
    Formatted,
    Linked,
    Literal,
    Output,
    Tagged,
    formatted,
    literal,
    transform,
    universe,
)
from .style import Layout

EN_DASH = "\u2013"


def _item_tag(x: Output) -> tuple | None:
    return x.tag if isinstance(x, Tagged) and x.tag[0] == "item" else None


def _has_tag(x: Output, kind: str) -> bool:
    return any(isinstance(n, Tagged) and n.tag[0] == kind for n in universe(x))


def _remove_names(x: Output) -> Output:
    return transform(x, lambda n: NULL if isinstance(n, Tagged) and n.tag[0] == "names" else n)


def _extract_tagged(x: Output) -> Tagged | None:
    items = [n for n in universe(x) if (t := _item_tag(n)) is not None and t[1] != "author-only"]
    if not items:
        return None
    for item in items:
        for n in universe(item):
            if isinstance(n, Tagged) and n.tag[0] == "names":
                return n
    for item in items:
        for n in universe(item):
            if isinstance(n, Tagged) and n.tag[0] == "date":
                return n
    return None


def _same_names(x: Output, y: Output) -> bool:
    a, b = _extract_tagged(x), _extract_tagged(y)
    if a is None or b is None:
        return False
    if a.tag[0] == "date" and b.tag[0] == "date":
        return True
    if a.tag[0] != "names" or b.tag[0] != "names":
        return False
    if a.tag[1] != b.tag[1]:
        return False
    if a.tag[3] == b.tag[3]:
        return bool(a.tag[3]) or _text_equal(a, b)
    return _text_equal(a, b)


def _text_equal(a: Tagged, b: Tagged) -> bool:
    return _shape(a.child) == _shape(b.child)


def _shape(x: Output) -> object:
    """A comparable rendering of an output tree, tags (and so names) included."""
    if isinstance(x, Literal):
        return ("L", stringify(x.inl))
    if isinstance(x, Formatted):
        return ("F", x.fmt, tuple(_shape(c) for c in x.children))
    if isinstance(x, Linked):
        return ("K", x.url, tuple(_shape(c) for c in x.children))
    if isinstance(x, Tagged):
        return ("T", x.tag, _shape(x.child))
    return None


def _group_with(xs: list[Output]) -> list[list[Output]]:
    """Group cites with the same names, never moving one past a prefix or suffix."""
    groups: list[list[Output]] = []
    xs = list(xs)
    while xs:
        z, rest = xs[0], xs[1:]
        if _has_tag(z, "suffix"):
            groups.append([z])
            xs = rest
            continue
        k = 0
        while k < len(rest) and not _has_tag(rest[k], "prefix") and not _has_tag(rest[k], "suffix"):
            k += 1
        ws, ys = rest[:k], rest[k:]
        if not ws:
            groups.append([z])
            xs = ys
            continue
        groups.append([z, *[w for w in ws if _same_names(z, w)]])
        xs = [w for w in ws if not _same_names(z, w)] + ys
    return groups


def _collapse_numbers(f: Formatting, xs: list[Output], after: str | None) -> Output:
    runs: list[list[Output]] = []
    for x in xs:
        n = _citation_number(x)
        prev = _citation_number(runs[-1][-1]) if runs else None
        if runs and n is not None and prev is not None and n == prev + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    out: list[Output] = []
    for i, run in enumerate(runs):
        last = i == len(runs) - 1
        if len(run) >= 3:
            out.append(Formatted(Formatting(delimiter=EN_DASH), [run[0], run[-1]]))
            if not last:
                out.append(literal(after) if after is not None else NULL)
        else:
            out.append(Formatted(Formatting(delimiter=f.delimiter), run))
            if not last:
                out.append(literal(f.delimiter) if f.delimiter is not None else NULL)
    return Formatted(replace(f, delimiter=None), out)


def _citation_number(x: Output) -> int | None:
    if not isinstance(x, Tagged) or x.tag[0] != "item":
        return None
    inner = x.child
    if isinstance(inner, Formatted) and len(inner.children) == 1:
        inner = inner.children[0]
    if isinstance(inner, Tagged) and inner.tag[0] == "citation-number":
        return inner.tag[1]
    return None


def _collapse_group(
    kind: str, f: Formatting, group: list[Output], more: bool, cg_delim: str, after: str | None
) -> Output:
    y, ys = group[0], group[1:]
    stripped = [y, *[_remove_names(z) for z in ys]]
    # Only "year" collapsing is needed by the shipped styles; year-suffix collapsing
    # degrades to it (names removed, suffixes kept).
    no_collapse = not ys or all(not _has_tag(z, "names") for z in ys)
    no_ys_collapse = True
    flipped = kind == "year"
    any_locator = any(_has_tag(w, "locator") for w in stripped)
    use_cg = no_collapse or (no_ys_collapse and not (flipped and any_locator))
    inner_suffix = cg_delim if use_cg else (after if after is not None else f.delimiter)
    parts = [
        Formatted(Formatting(suffix=inner_suffix), [w]) if i < len(stripped) - 1 else w
        for i, w in enumerate(stripped)
    ]
    if not more:
        outer = None
    elif no_collapse and not flipped:
        outer = f.delimiter
    else:
        outer = after if after is not None else f.delimiter
    return Formatted(Formatting(suffix=outer), parts)


def group_and_collapse(cit: Output, layout: Layout, cg_delim: str) -> Output:
    """citeproc's ``groupAndCollapseCitations``."""
    if not isinstance(cit, Formatted):
        return cit
    f, xs = cit.fmt, cit.children
    kind = layout.collapse
    if kind == "citation-number":
        return _collapse_numbers(f, xs, layout.after_collapse_delimiter)
    groups = _group_with(xs)
    if kind is not None:
        out = [
            _collapse_group(
                kind, f, g, i < len(groups) - 1, cg_delim, layout.after_collapse_delimiter
            )
            for i, g in enumerate(groups)
        ]
        return Formatted(replace(f, delimiter=None), out)
    return Formatted(f, [Formatted(Formatting(delimiter=cg_delim), g) for g in groups])


def handle_author_only(cit: Output) -> Output:
    """Split a leading author-only cite off the parenthesised rest ("Doe (2020)")."""
    if not isinstance(cit, Formatted) or not cit.children:
        return cit
    first = cit.children[0]
    tag = _item_tag(first)
    if tag is not None and tag[1] == "author-only":
        rest = cit.children[1:]
        return formatted(
            EMPTY, [first, *([literal(" "), formatted(cit.fmt, rest)] if rest else [])]
        )
    if isinstance(first, Formatted) and first.children:
        inner = first.children[0]
        tag = _item_tag(inner)
        if tag is not None and tag[1] == "author-only":
            xs, ys = first.children[1:], cit.children[1:]
            head = Formatted(replace(first.fmt, prefix=None, suffix=None), [inner])
            if not xs and not ys:
                return Formatted(EMPTY, [head])
            return Formatted(
                EMPTY, [head, literal(" "), formatted(cit.fmt, [formatted(first.fmt, xs), *ys])]
            )
    return cit


def first_names(x: Output) -> Output:
    """The first names node in a rendered item (citeproc's ``getAuthors``)."""
    for n in universe(x):
        if isinstance(n, Tagged) and n.tag[0] == "names":
            return n
    return NULL


def suppress_authors(cit: Output) -> Output:
    """Remove the author names from suppress-author cites."""

    def fix(node: Output) -> Output:
        if isinstance(node, Tagged) and node.tag[0] == "item" and node.tag[1] == "suppress-author":
            target = first_names(node.child)
            if target is NULL:
                return node
            return Tagged(node.tag, _drop_node(node.child, target))
        return node

    return transform(cit, fix)


def _drop_node(x: Output, target: Output) -> Output:
    if x is target:
        return NULL
    if isinstance(x, Formatted):
        return Formatted(x.fmt, [_drop_node(c, target) for c in x.children])
    if isinstance(x, Tagged):
        return Tagged(x.tag, _drop_node(x.child, target))
    return x


__all__ = ["first_names", "group_and_collapse", "handle_author_only", "suppress_authors"]
