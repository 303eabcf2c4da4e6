"""Render one chapter: the body (with margin notes beside the block that cites them),
end notes, the page's table of contents and its search records."""

from __future__ import annotations

import html
from typing import Any

from markdown_it.token import Token
from markupsafe import Markup

from ..model import Book, Chapter
from ..transforms.base import BuildContext
from ..transforms.tokens import block_end, inline_text
from .html import (
    HtmlRenderer,
    RenderedChapter,
    RenderState,
    csl_entries,
    strip_paragraph,
    xref_plain,
)


def renderer(ctx: BuildContext) -> HtmlRenderer:
    """The build's renderer, with the render rules plugins registered (one per build,
    so rules of one build never leak into another in the same process)."""
    r = ctx.data.get("renderer")
    if r is None:
        r = HtmlRenderer()
        for name, rule in ctx.data.get("render_rules", {}).items():
            r.rules[name] = rule.__get__(r) if hasattr(rule, "__get__") else rule
        ctx.data["renderer"] = r
    return r


def render_chapter(
    chapter: Chapter, book: Book, ctx: BuildContext, note_prefix: str = ""
) -> RenderedChapter:
    """Render ``chapter`` to fragments. ``note_prefix`` scopes note ids in combined documents.

    Fragments the build already has (``ctx.data["rendered"]``, filled by incremental
    builds from their cache) are reused when no note prefix is asked for."""
    if not note_prefix:
        ready = ctx.data.get("rendered", {}).get(chapter.rel)
        if ready is not None:
            return ready
    if chapter.outline:
        raise ValueError(f"{chapter.rel} is an outline (the build does not render it)")
    r = renderer(ctx)
    state = RenderState(book, chapter, ctx, note_prefix)
    env: dict[str, Any] = {"r": state}
    options = ctx.md.options
    margin = ctx.options.reference_location == "margin" and ctx.format == "html"
    margin_refs = ctx.options.citation_location == "margin" and ctx.format == "html"
    references = chapter.env.get("references", {})
    notes_html: dict[int, str] = {}

    def note_html(nid: int) -> str:
        if nid not in notes_html:
            notes_html[nid] = r.render(chapter.env.get("notes", {}).get(nid, []), options, env)
        return notes_html[nid]

    state.note_html = note_html

    parts: list[str] = []
    tokens = chapter.tokens
    i = 0
    while i < len(tokens):
        end = block_end(tokens, i)
        parts.append(r.render(tokens[i : end + 1], options, env))
        if state.pending_notes:
            pending = list(state.pending_notes)
            state.pending_notes.clear()
            if margin:
                parts.append(_sidenotes(pending, note_html, note_prefix))
        if state.pending_cites:
            keys = [
                k for k in state.pending_cites if k in references and k not in state.placed_refs
            ]
            state.pending_cites.clear()
            if margin_refs and keys:
                entries = csl_entries(state, {k: references[k] for k in keys})
                # Before the citing block: a float starts where it stands in the flow.
                parts.insert(-1, f'<aside class="margin-references" role="list">{entries}</aside>\n')
        i = end + 1
    # Notes referenced only from other notes or captions still need their bodies rendered.
    for nid in state.note_order:
        note_html(nid)
    endnotes = _endnotes(state.note_order, note_html, note_prefix, ctx.format)
    unplaced = {k: v for k, v in references.items() if k not in state.placed_refs}
    if unplaced and not state.refs_div:
        parts.append(_references_section(state, unplaced))
    title_html = (
        r.renderInline(chapter.title_inline.children or [], options, env)
        if chapter.title_inline
        else html.escape(chapter.title_text)
    )
    toc = _toc(chapter, r, options, env, ctx.options.toc_depth)
    return RenderedChapter(
        "".join(parts), endnotes, title_html, toc, _search_records(chapter, book)
    )


def _references_section(state: RenderState, entries: dict[str, str]) -> str:
    title = html.escape(state.book.project.config.crossref.references_title)
    return (
        f'<section id="{state.note_prefix}references" class="references" role="doc-bibliography">'
        f'<h2 class="references-title">{title}</h2>'
        f'<div class="csl-bib-body" role="list">\n{csl_entries(state, entries)}</div></section>\n'
    )


def _sidenotes(ids: list[int], note_html: Any, prefix: str) -> str:
    items = "".join(
        f'<div class="sidenote" id="{prefix}sn-{nid + 1}"><span class="sidenote-number">{nid + 1}</span> '
        f"{strip_paragraph(note_html(nid))}</div>"
        for nid in ids
    )
    return f'<aside class="sidenotes">{items}</aside>\n'


def _endnotes(order: list[int], note_html: Any, prefix: str, fmt: str) -> str:
    """End-of-chapter notes: a list for HTML, EPUB 3 footnote asides, nothing for PDF
    (where each note already floated to the foot of its page)."""
    if not order or fmt == "pdf":
        return ""
    if fmt == "epub":
        return "".join(
            f'<aside epub:type="footnote" role="doc-footnote" id="{prefix}fn-{nid + 1}" class="footnote">'
            f"{_with_backlink(note_html(nid), prefix, nid + 1)}</aside>\n"
            for nid in sorted(order)
        )
    items = "".join(
        f'<li id="{prefix}fn-{nid + 1}" value="{nid + 1}">{_with_backlink(note_html(nid), prefix, nid + 1)}</li>\n'
        for nid in sorted(order)
    )
    return (
        '<section class="footnotes" role="doc-endnotes"><h2>Footnotes</h2>'
        f"<ol>\n{items}</ol></section>\n"
    )


def _with_backlink(body: str, prefix: str, n: int) -> str:
    link = f' <a href="#{prefix}fnref-{n}" class="footnote-back" role="doc-backlink">↩︎</a>'
    body = body.rstrip()
    if body.endswith("</p>"):
        return body[:-4] + link + "</p>"
    return body + link


def _toc(
    chapter: Chapter, r: HtmlRenderer, options: Any, env: dict[str, Any], depth: int
) -> list[dict[str, Any]]:
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(1, root)]
    for heading in chapter.headings:
        if heading.level > depth or heading.level < 2:
            continue
        entry = {
            "id": heading.id,
            "number": heading.number,
            "title_html": Markup(r.renderInline(_plain_children(heading.inline), options, env)),
            "children": [],
        }
        while stack[-1][0] >= heading.level:
            stack.pop()
        stack[-1][1].append(entry)
        stack.append((heading.level, entry["children"]))
    return root


def _plain_children(inline: Token) -> list[Token]:
    """Heading children without footnote references (a TOC entry holds no notes)."""
    return [c for c in inline.children or [] if c.type != "footnote_ref"]


def _search_records(chapter: Chapter, book: Book) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    current = {"title": chapter.title_text, "href": chapter.href, "text": []}

    def flush() -> None:
        text = " ".join(current["text"]).strip()  # type: ignore[arg-type]
        records.append({"title": str(current["title"]), "page": chapter.title_text,
                        "href": str(current["href"]), "text": text})  # fmt: skip

    tokens = chapter.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            flush()
            inline = tokens[i + 1]
            current = {
                "title": _text(inline, book),
                "href": f"{chapter.href}#{token.attrGet('id')}",
                "text": [],
            }
        elif token.type == "inline" and (i == 0 or tokens[i - 1].type != "heading_open"):
            current["text"].append(_text(token, book))  # type: ignore[union-attr]
        elif (
            token.type in ("fence", "code_block")
            and not token.meta.get("placeholder")
            and "raw" not in token.meta
        ):
            current["text"].append(token.content)  # type: ignore[union-attr]
    flush()
    return [r for r in records if r["text"] or r["href"] != chapter.href]


def _text(inline: Token, book: Book) -> str:
    def xref(token: Token) -> str:
        label = book.index.get(token.meta["id"])
        return xref_plain(label, book) if label else token.content

    return inline_text(inline, xref)
