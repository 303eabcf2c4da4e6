"""The public citation processor: register cited keys, format cites and bibliographies.

All keys cited anywhere in the book are registered first (:meth:`CitationProcessor.register`)
so that citation numbers, bibliography order and disambiguation ("2017a", added initials)
are computed once, book-wide, and stay stable whatever chapter is being written.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...model import CiteRef
from . import inline as il
from .collapse import first_names, group_and_collapse, handle_author_only, suppress_authors
from .disambiguate import Disambiguator
from .elements import EMPTY, Formatting, Number, TextVariable
from .locale import STYLES_DIR, load_locale, merge_style_locales
from .output import NULL, Formatted, Literal, Output, RenderOptions, Tagged, formatted, render
from .reference import Reference, Val, make_reference
from .render import Evaluator, Item
from .sort import SortValue, compare_sort_values, sort_ids, sort_values
from .style import Layout, Style, parse_style
from .subsequent import substitute_authors

_LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap": "chapter", "chapter": "chapter", "sec": "section", "section": "section",
    "fig": "figure", "figure": "figure", "vol": "volume", "volume": "volume",
    "no": "number", "number": "number", "para": "paragraph", "paragraph": "paragraph",
    "l": "line", "ll": "line", "line": "line", "n": "note", "nn": "note", "note": "note",
}  # fmt: skip


def resolve_style_path(style: str) -> Path:
    """A shipped style name ("ieee") or a path to a ``.csl`` file."""
    path = Path(style)
    if path.suffix == ".csl" and path.exists():
        return path
    shipped = STYLES_DIR / f"{style}.csl"
    if shipped.exists():
        return shipped
    raise ValueError(f"unknown CSL style {style!r} (shipped: chicago-author-date, apa, ieee)")


class CitationProcessor:
    """Formats citations and bibliography entries from CSL-JSON items."""

    def __init__(
        self,
        items: dict[str, dict],
        style: str = "chicago-author-date",
        locale: str = "en-US",
    ) -> None:
        self.style: Style = parse_style(resolve_style_path(style))
        lang = locale or self.style.options.default_locale or "en-US"
        self.locale = merge_style_locales(self.style.locales, lang, load_locale(lang))
        self.refs: dict[str, Reference] = {}
        for key, item in items.items():
            ref = make_reference({**item, "id": item.get("id", key)})
            ref.id = key
            self.refs[key] = ref
        self.registered: dict[str, None] = {}
        self._ready = False
        self._cited: set[str] = set()
        self._bib_order: list[str] = []
        self._cite_sort: dict[str, list[SortValue]] = {}
        self._entries: dict[str, Output] = {}
        self.ev = Evaluator(self.style, self.locale, {})
        self._quotes = self.locale.quotes()

    # --- style information ---------------------------------------------------------------------

    @property
    def hanging_indent(self) -> bool:
        """Whether the style asks for a hanging indent in the bibliography."""
        return self.style.options.hanging_indent

    @property
    def is_numeric(self) -> bool:
        """Whether entries start with a label block (``[1]``) in a left margin."""
        return self.style.options.second_field_align is not None

    # --- registration -----------------------------------------------------------------------

    def register(self, keys: Iterable[str]) -> None:
        """Record cited keys in first-citation order (drives numbering and tie-breaks)."""
        for key in keys:
            if key not in self.registered:
                self.registered[key] = None
                self._ready = False

    def _prepare(self) -> None:
        if self._ready:
            return
        order = {k: i for i, k in enumerate(self.registered)}
        refs = {k: r for k, r in self.refs.items() if k in order}
        ev = Evaluator(self.style, self.locale, refs)
        self.ev = ev
        cite_order = sorted(refs, key=lambda k: order[k])
        self._number(refs, cite_order)
        bib = self.style.bibliography
        bib_sort: dict[str, list[SortValue]] = {}
        if bib is not None:
            bib_sort = {k: sort_values(ev, bib, r) for k, r in refs.items()}
            bib_ids = sort_ids(list(refs), bib_sort) if bib.sort_keys else cite_order
            if bib.sort_keys and _descending_number(bib):
                bib_ids.reverse()
            self._number(refs, bib_ids)
            self._bib_order = bib_ids
        self._cite_sort = {k: sort_values(ev, self.style.citation, r) for k, r in refs.items()}
        Disambiguator(ev, self._plain_cite, bib_sort).run(cite_order)
        self._entries = {}
        self._cite_memo: dict[tuple[Any, ...], tuple[str, list[str]]] = {}
        self._bib_memo: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self._ready = True

    def new_document(self) -> None:
        """Forget which items were cited (first vs subsequent positions), keeping the
        registered items and everything formatted so far: an incremental build formats
        the same book again and pays only for citations that changed."""
        self._cited.clear()

    @staticmethod
    def _number(refs: dict[str, Reference], ids: list[str]) -> None:
        for n, key in enumerate(ids, 1):
            refs[key].variables["citation-number"] = Val("num", n)

    def _plain_cite(self, key: str) -> Output:
        return self._eval_item(self.style.citation, Item(key), ("first",), False)

    # --- evaluation -------------------------------------------------------------------------

    def _eval_item(
        self, layout: Layout, item: Item, position: tuple[str, ...], bib: bool
    ) -> Output:
        ev = self.ev
        ev.in_bibliography = bib
        xs = ev.eval_item(layout, item, position)
        if bib and self.style.options.second_field_align and xs:
            xs = [
                formatted(Formatting(display="left-margin"), xs[:1]),
                formatted(Formatting(display="right-inline"), xs[1:]),
            ]
        if item.mode == "author-only":
            xs = [first_names(formatted(EMPTY, xs))]
        return formatted(EMPTY, xs)

    def _wrap_item(self, item: Item, x: Output) -> Output:
        if x is not NULL:
            x = Tagged(("item", item.mode, item.id), x)
        if item.suffix is not None:
            x = Tagged(("suffix",), formatted(EMPTY, [x, Literal(item.suffix)]))
        if item.prefix is not None:
            x = Tagged(("prefix",), formatted(EMPTY, [Literal(item.prefix), x]))
        return x

    def _layout(self, layout: Layout, outs: list[Output]) -> Output:
        fmt = layout.formatting
        moved = _move_suffix_inside_display(outs, fmt.suffix) if fmt.suffix else None
        if moved is None:
            return formatted(fmt, outs)
        return formatted(replace(fmt, suffix=None), moved)

    def _to_html(self, x: Output) -> str:
        inl = render(x, RenderOptions())
        inl = il.drop_text_while_end(lambda c: c == " ", inl)
        if self.locale.punctuation_in_quote:
            inl = il.move_punct_inside_quotes(inl)
        return il.to_html(_fix_links(_insert_space(inl)), self._quotes)

    # --- citations --------------------------------------------------------------------------

    def cite(self, cluster: list[CiteRef], mode: str = "normal") -> str:
        """HTML of an in-text citation; ``mode="in-text"`` renders "Author (Year)"."""
        self.register(c.key for c in cluster)
        self._prepare()
        memo_key = (tuple(cluster), mode, tuple(c.key in self._cited for c in cluster))
        known = self._cite_memo.get(memo_key)
        if known is not None:
            self._cited.update(known[1])
            return known[0]
        before = set(self._cited)
        html = self._cite(cluster, mode)
        self._cite_memo[memo_key] = (html, [k for k in self._cited if k not in before])
        return html

    def _cite(self, cluster: list[CiteRef], mode: str) -> str:
        items = [self._item(c) for c in cluster]
        if mode == "in-text" and items:
            first = items[0]
            items = [
                replace(first, mode="author-only", suffix=None),
                replace(first, mode="suppress-author", prefix=None),
                *items[1:],
            ]
        outs = []
        for item in self._sort_cluster(items):
            # Positions are tracked for et-al-subsequent-*; ibid is not (no in-text
            # style uses it).
            position = ("subsequent",) if item.id in self._cited else ("first",)
            out = self._eval_item(self.style.citation, item, position, False)
            outs.append(self._wrap_item(item, out))
            if item.mode != "author-only":
                self._cited.add(item.id)
        cit = self._layout(self.style.citation, outs)
        cg = self.style.options.cite_group_delimiter  # set whenever the style collapses
        if cg is not None:
            cit = group_and_collapse(cit, self.style.citation, cg)
        cit = suppress_authors(handle_author_only(cit))
        return self._to_html(cit)

    def _item(self, c: CiteRef) -> Item:
        label = None
        if c.locator:
            raw = c.label.strip().rstrip(".").lower() if c.label else "page"
            label = _LABELS.get(raw, raw)
        return Item(
            id=c.key,
            locator=c.locator or None,
            label=label,
            prefix=il.concat(il.text(c.prefix), [il.SPACE]) if c.prefix else None,
            suffix=il.text(c.suffix) if c.suffix else None,
            mode="suppress-author" if c.suppress_author else "normal",
        )

    def _sort_cluster(self, items: list[Item]) -> list[Item]:
        """Sort by the citation's sort keys, never moving a cite across an affix."""
        if not self.style.citation.sort_keys:
            return items
        groups: list[list[Item]] = []
        for it in items:
            if groups and groups[-1][-1].suffix is None and it.prefix is None:
                groups[-1].append(it)
            else:
                groups.append([it])

        def cmp(a: Item, b: Item) -> int:
            return compare_sort_values(self._cite_sort.get(a.id, []), self._cite_sort.get(b.id, []))

        return [it for g in groups for it in sorted(g, key=functools.cmp_to_key(cmp))]

    # --- bibliography -------------------------------------------------------------------------

    def bibliography(self, keys: list[str]) -> list[tuple[str, str]]:
        """(key, HTML) for each key, in the style's bibliography order."""
        self.register(keys)
        self._prepare()
        if self.style.bibliography is None:
            return []
        known = self._bib_memo.get(tuple(keys))
        if known is None:
            known = self._bib_memo[tuple(keys)] = self._bibliography(keys)
        return list(known)

    def _bibliography(self, keys: list[str]) -> list[tuple[str, str]]:
        wanted = set(keys)
        ordered = [k for k in self._bib_order if k in wanted]
        for key in ordered:
            if key not in self._entries:
                self._entries[key] = self._entry(key)
        outs = [self._entries[k] for k in ordered]
        opts = self.style.options
        if opts.subsequent_author_substitute is not None:
            outs = substitute_authors(
                outs, opts.subsequent_author_substitute, opts.subsequent_author_substitute_rule
            )
        return [(k, self._to_html(x)) for k, x in zip(ordered, outs, strict=True)]

    def _entry(self, key: str) -> Output:
        layout = self.style.bibliography
        assert layout is not None
        item = Item(key)
        x = self._wrap_item(item, self._eval_item(layout, item, (), True))
        return self._layout(layout, [x])


def _descending_number(layout: Layout) -> bool:
    """A bibliography sorted by descending citation number is numbered in reverse."""
    key = layout.sort_keys[0]
    if key.variable is not None:
        return key.descending and key.variable == "citation-number"
    first = key.elements[0] if key.elements else None
    is_num = (isinstance(first, Number) and first.variable == "citation-number") or (
        isinstance(first, TextVariable) and first.variable == "citation-number"
    )
    return key.descending and is_num


def _move_suffix_inside_display(xs: list[Output], suffix: str) -> list[Output] | None:
    """Put the layout suffix inside a trailing display block (citeproc does this too)."""
    if not xs:
        return None
    last = xs[-1]
    if isinstance(last, Tagged) and last.tag[0] == "item" and isinstance(last.child, Formatted):
        inner = _move_suffix_inside_display(last.child.children, suffix)
        if inner is None:
            return None
        return [*xs[:-1], Tagged(last.tag, Formatted(last.child.fmt, inner))]
    if isinstance(last, Formatted):
        if last.fmt.display is not None:
            new = replace(last.fmt, suffix=(last.fmt.suffix or "") + suffix)
            return [*xs[:-1], Formatted(new, last.children)]
        inner = _move_suffix_inside_display(last.children, suffix)
        if inner is None:
            return None
        return [*xs[:-1], Formatted(last.fmt, inner)]
    return None


def _insert_space(inl: il.Inlines) -> il.Inlines:
    """Pandoc separates a left-margin block from the following right-inline with a space."""
    if (
        len(inl) >= 2
        and isinstance(inl[0], il.Elem)
        and inl[0].data == ("csl-left-margin",)
        and isinstance(inl[1], il.Elem)
        and inl[1].data == ("csl-right-inline",)
    ):
        kids = inl[0].children
        if not kids or kids[-1] is not il.SPACE:
            kids = [*kids, il.SPACE]
        return [il.Elem("span", kids, inl[0].data), *inl[1:]]
    return inl


def _fix_links(inl: il.Inlines) -> il.Inlines:
    """Move a "https://doi.org/" prefix printed before its link into the link (pandoc)."""
    out: il.Inlines = []
    i = 0
    while i < len(inl):
        node = inl[i]
        nxt = inl[i + 1] if i + 1 < len(inl) else None
        if (
            isinstance(node, il.Str)
            and isinstance(nxt, il.Elem)
            and nxt.kind == "link"
            and len(nxt.children) == 1
            and isinstance(nxt.children[0], il.Str)
            and nxt.data == node.text + nxt.children[0].text
        ):
            out.append(il.Elem("link", [il.Str(str(nxt.data))], nxt.data))
            i += 2
            continue
        if isinstance(node, il.Elem):
            node = il.Elem(node.kind, _fix_links(node.children), node.data)
        out.append(node)
        i += 1
    return out


__all__ = ["CitationProcessor", "CiteRef"]
