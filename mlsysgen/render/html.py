"""The one renderer: chapter tokens → HTML fragments, for every output format.

Writers call :func:`render_chapter`; the result (body, notes, table of contents,
search records) is what the site, the print document and the EPUB package. Format
differences live in ``ctx.format`` branches here, never in a second renderer.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from ..diagrams import place_svg
from ..model import Book, Chapter, Label
from ..transforms.base import BuildContext
from ..transforms.figures import placeholder_html
from ..volumes import volume_prefix
from .highlight import code_block_html
from .math import MathError, render_math_html

escape = html.escape


@dataclass
class RenderState:
    """Per-chapter rendering state, passed to every rule as ``env["r"]``."""

    book: Book
    chapter: Chapter
    ctx: BuildContext
    note_prefix: str = ""
    pending_notes: list[int] = field(default_factory=list)
    note_order: list[int] = field(default_factory=list)
    pending_cites: list[str] = field(default_factory=list)
    placed_refs: set[str] = field(default_factory=set)
    """Keys whose entry (with its ``ref-`` id) is already on the page."""
    refs_div: bool = False
    """A ``::: {#refs}`` div placed the chapter's reference list."""
    note_html: Callable[[int], str] = field(default=lambda nid: "")
    """Renders footnote ``nid``'s body (set by render_chapter)."""


@dataclass
class RenderedChapter:
    """What writers package: HTML fragments plus navigation data."""

    body: str
    endnotes: str
    title_html: str
    toc: list[dict[str, Any]]
    search: list[dict[str, str]]


def relative_href(from_page: str, target: str) -> str:
    """A link from page ``from_page`` to ``target`` (both relative to the site root)."""
    path, _, anchor = target.partition("#")
    if path == from_page:
        return "#" + anchor if anchor else posixpath.basename(path)
    rel = posixpath.relpath(path, posixpath.dirname(from_page) or ".")
    return rel + ("#" + anchor if anchor else "")


class HtmlRenderer(RendererHTML):
    """markdown-it's renderer with rules for mlsysgen's token types."""

    # ---- headings, divs, callouts, margins -------------------------------------------------
    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        token = tokens[idx]
        number = token.meta.get("number", "")
        attrs = self.renderAttrs(token)
        data = f' data-number="{number}"' if number else ""
        num = f'<span class="header-section-number">{number}</span> ' if number else ""
        return (
            f'<{token.tag}{attrs} class="anchored"{data}>{num}'
            if "class" not in token.attrs
            else f"<{token.tag}{attrs}{data}>{num}"
        )

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        opener = _opener(tokens, idx)
        hid = opener.attrGet("id") if opener else None
        state: RenderState = env["r"]
        anchor = ""
        if hid and state.ctx.format == "html":
            anchor = f' <a class="anchor-link" href="#{escape(str(hid))}" aria-label="Link to this section">#</a>'
        return f"{anchor}</{tokens[idx].tag}>\n"

    def div_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        if token.attrGet("id") == "refs":
            return references_div(env["r"])
        parts = []
        for key, value in token.attrs.items():
            plain = key in ("id", "class", "style", "title", "lang", "dir") or key.startswith(
                "data-"
            )
            name = key if plain else f"data-{key}"
            parts.append(f' {name}="{escape(str(value), quote=True)}"')
        return f"<div{''.join(parts)}>\n"

    def div_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        return "</div>\n"

    def callout_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        token = tokens[idx]
        meta = token.meta
        state: RenderState = env["r"]
        classes = f"callout callout-{meta['kind']}" + ("" if meta["icon"] else " no-icon")
        cid = f' id="{escape(str(token.attrGet("id")))}"' if token.attrGet("id") else ""
        title = (
            self.renderInline(meta["title"].children or [], options, env) if meta["title"] else ""
        )
        if meta["custom"] and title:
            title = f'<span class="callout-label">{escape(meta["label"])}:</span> {title}'
        elif not title:
            title = escape(meta["label"])
        inner = (
            '<span class="callout-icon" aria-hidden="true"></span>'
            f'<span class="callout-title">{title}</span>'
        )
        collapsible = meta["collapse"] is not None and state.ctx.format == "html"
        if collapsible:
            is_open = "" if meta["collapse"] else " open"
            return f'<details class="{classes}"{cid}{is_open}><summary class="callout-header">{inner}</summary><div class="callout-body">\n'
        return f'<div class="{classes}"{cid}><div class="callout-header">{inner}</div><div class="callout-body">\n'

    def callout_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        meta = tokens[idx].meta
        state: RenderState = env["r"]
        collapsible = meta["collapse"] is not None and state.ctx.format == "html"
        return "</div></details>\n" if collapsible else "</div></div>\n"

    def margin_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return '<aside class="column-margin">\n'

    def margin_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return "</aside>\n"

    # ---- figures and tables -----------------------------------------------------------------
    def figcaption_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        meta = tokens[idx].meta
        return f"<figcaption>{_caption_label(env['r'], meta.get('id', ''))}"

    def table_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        cols = ""
        widths = token.meta.get("colwidths")
        if widths and any(w > 0 for w in widths):
            cols = (
                "<colgroup>"
                + "".join(f'<col style="width: {w * 100:.0f}%">' for w in widths)
                + "</colgroup>"
            )
        table = f"<table{self.renderAttrs(token)}>"
        # A caption must come first inside <table>; colgroup goes after it.
        if idx + 1 < len(tokens) and tokens[idx + 1].type == "table_caption_open":
            token.meta["pending_cols"] = cols
            return f'<div class="table-wrap">{table}\n'
        return f'<div class="table-wrap">{table}{cols}\n'

    def table_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return "</table></div>\n"

    def table_caption_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        table = tokens[idx - 1]
        return f"<caption>{_caption_label(env['r'], str(table.attrGet('id') or ''))}"

    def table_caption_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        table = tokens[_find_back(tokens, idx, "table_open")]
        return "</caption>" + table.meta.pop("pending_cols", "") + "\n"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        attrs = dict(token.attrs)
        src = escape(str(attrs.pop("src", "")), quote=True)
        attrs.pop("alt", None)
        alt = escape(
            token.content or self.renderInlineAsText(token.children or [], options, env), quote=True
        )
        styles = []
        for key in ("width", "height"):
            value = str(attrs.pop(key, "") or "")
            if value:
                styles.append(f"{key}:{value}" if not value.isdigit() else f"{key}:{value}px")
        for key in ("fig-pos", "fig-env", "fig-align", "fig-alt"):
            attrs.pop(key, None)
        extra = "".join(f' {k}="{escape(str(v), quote=True)}"' for k, v in attrs.items())
        style = f' style="{";".join(styles)}"' if styles else ""
        return f'<img src="{src}" alt="{alt}"{style}{extra} loading="lazy">'

    # ---- code, math, raw --------------------------------------------------------------------
    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        state: RenderState = env["r"]
        if token.meta.get("diagram"):  # drawn by transforms.diagrams
            digest, prefix, label = token.meta["diagram"]
            return place_svg(state.ctx.data["diagram_svgs"][digest], prefix, label)
        if token.meta.get("placeholder"):
            return placeholder_html(token.meta["placeholder"], token.content)
        lang = token.meta.get("lang", "")
        attrs = token.meta.get("attrs")
        extra = ""
        if attrs is not None and attrs.id:
            extra = f' id="{escape(attrs.id, quote=True)}"'
        copy = state.ctx.options.code_copy and state.ctx.format == "html"
        return code_block_html(token.content, lang, copy, extra)

    def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        state: RenderState = env["r"]
        return code_block_html(
            tokens[idx].content, "", state.ctx.options.code_copy and state.ctx.format == "html"
        )

    def math_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return _math(tokens[idx], False, env)

    def math_display(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return _math(tokens[idx], True, env)

    def math_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        return _math(tokens[idx], True, env) + "\n"

    def latex_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        return ""

    # ---- references, citations, notes, links ------------------------------------------------
    def xref(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        state: RenderState = env["r"]
        label = state.book.index.get(token.meta["id"])
        if label is None:
            return f'<strong class="xref-unresolved">?@{escape(token.meta["id"])}</strong>'
        suppress = token.meta.get("suppress", False)
        text = xref_text(label, state, suppress, self, options, env)
        volume = volume_prefix(state.book, state.chapter, label)
        if volume and label.number and not suppress:
            text = f"{escape(volume).replace(' ', '&nbsp;')}, {text}"
        # Into another volume's page too: packagings unlink what their edition lacks.
        href = relative_href(state.chapter.href, label.href)
        return f'<a class="xref" href="{escape(href, quote=True)}">{text}</a>'

    def cite(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        state: RenderState = env["r"]
        unknown = token.meta.get("unknown", set())
        keys = [i.key for i in token.meta["items"] if i.key not in unknown]
        for key in keys:
            if key not in state.pending_cites:
                state.pending_cites.append(key)
        out = ""
        formatted = token.meta.get("html")
        if formatted and keys:
            data = escape(" ".join(keys), quote=True)
            if "<a " not in formatted:  # never nest links (a style may link DOIs in-text)
                target = escape(f"#{state.note_prefix}ref-{keys[0]}", quote=True)
                formatted = f'<a href="{target}" role="doc-biblioref">{formatted}</a>'
            out = f'<span class="citation" data-cites="{data}">{formatted}</span>'
        missing = [i.key for i in token.meta["items"] if i.key in unknown or not formatted]
        out += "".join(f'<strong class="citation-unknown">?{escape(k)}</strong>' for k in missing)
        return out

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
    ) -> str:
        token = tokens[idx]
        state: RenderState = env["r"]
        nid = int(token.meta["id"])
        n = nid + 1
        sub = token.meta.get("subId", 0)
        ref_id = f"{state.note_prefix}fnref-{n}" + (f"-{sub}" if sub else "")
        first = nid not in state.note_order
        if first:
            state.note_order.append(nid)
        if nid not in state.pending_notes:
            state.pending_notes.append(nid)
        target = f"{state.note_prefix}fn-{n}"
        if state.ctx.format == "pdf" and first:
            # WeasyPrint floats the note to the foot of the page (float: footnote).
            body = strip_paragraph(state.note_html(nid))
            return f'<span class="footnote" id="{target}">{body}</span>'
        if state.ctx.format == "epub":
            return (
                f'<sup class="footnote-ref"><a href="#{target}" id="{ref_id}" epub:type="noteref" '
                f'role="doc-noteref">{n}</a></sup>'
            )
        return (
            f'<sup class="footnote-ref"><a href="#{target}" id="{ref_id}" '
            f'role="doc-noteref">{n}</a></sup>'
        )

    def link_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
        token = tokens[idx]
        state: RenderState = env["r"]
        href = str(token.attrGet("href") or "")
        if state.ctx.options.link_external_newwindow and href.startswith(("http://", "https://")):
            token.attrSet("target", "_blank")
            token.attrSet("rel", "noopener")
        return self.renderToken(tokens, idx, options, env)


def csl_entries(state: RenderState, entries: dict[str, str], with_ids: bool = True) -> str:
    """Bibliography entries as pandoc writes them: ``div.csl-entry#ref-<key>``."""
    out = []
    for key, entry in entries.items():
        ident = (
            f' id="{escape(state.note_prefix)}ref-{escape(key, quote=True)}"' if with_ids else ""
        )
        out.append(f'<div{ident} class="csl-entry" role="listitem">{entry}</div>\n')
        state.placed_refs.add(key)
    return "".join(out)


def references_div(state: RenderState) -> str:
    """``::: {#refs}``: the chapter's entries, or the whole book's on a page citing nothing."""
    state.refs_div = True
    entries = state.chapter.env.get("references") or state.ctx.data.get("bibliography", {})
    body = csl_entries(state, entries)
    return f'<div id="refs" class="references csl-bib-body" role="list">\n{body}'


def strip_paragraph(body: str) -> str:
    """A one-paragraph fragment without its ``<p>`` (for notes shown inline)."""
    body = body.strip()
    if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:
        return body[3:-4]
    return body


def _opener(tokens: Sequence[Token], idx: int) -> Token | None:
    depth = 0
    for i in range(idx, -1, -1):
        depth += tokens[i].nesting
        if depth == 0 and tokens[i].nesting == 1:
            return tokens[i]
    return None


def _find_back(tokens: Sequence[Token], idx: int, type_: str) -> int:
    for i in range(idx, -1, -1):
        if tokens[i].type == type_:
            return i
    return idx


def _caption_label(state: RenderState, fid: str) -> str:
    label = state.book.index.get(fid) if fid else None
    if label is None or not label.number:
        return ""
    crossref = state.book.project.config.crossref
    prefix = _prefix(label.kind, crossref)
    delim = crossref.title_delim
    return f'<span class="caption-label">{escape(prefix)} {escape(label.number)}{escape(delim)}</span> '


def _prefix(kind: str, crossref: Any) -> str:
    return {"fig": crossref.fig_prefix, "tbl": crossref.tbl_prefix, "lst": crossref.lst_prefix,
            "eq": crossref.eq_prefix, "sec": crossref.sec_prefix}.get(kind, kind.title())  # fmt: skip


def xref_text(label: Label, state: RenderState, suppress: bool, renderer: HtmlRenderer,
              options: OptionsDict, env: dict) -> str:  # fmt: skip
    """Link text for a cross-reference: "Figure 3.2", "Chapter 3", "Section 3.2", or a title."""
    crossref = state.book.project.config.crossref
    title = (
        renderer.renderInline(label.title.children or [], options, env)
        if label.title
        else escape(label.title_text)
    )
    if label.kind != "sec":
        number = escape(label.number or "?")
        return number if suppress else f"{escape(_prefix(label.kind, crossref))}&nbsp;{number}"
    if not label.number:
        return title
    if suppress:
        return escape(label.number)
    if label.level == 1:
        target = state.book.chapter(label.chapter)
        word = chapter_word(target.source.role if target else "chapter", crossref)
        if state.ctx.options.number_sections:
            return f"{escape(word)}&nbsp;{escape(label.number)}"
        return f"{escape(word)}&nbsp;{escape(label.number)}: {title}"
    if state.ctx.options.number_sections:
        return f"{escape(crossref.sec_prefix)}&nbsp;{escape(label.number)}"
    return title


def chapter_word(role: str, crossref: Any) -> str:
    """The word before a chapter's number: "Chapter", or "Appendix" for an appendix."""
    return crossref.appendix_title if role == "appendix" else crossref.ch_prefix


def number_label(chapter: Chapter, crossref: Any) -> str:
    """ "Chapter 3", "Appendix A", or "" for an unnumbered page (headings, menus, covers)."""
    if not chapter.number:
        return ""
    return f"{chapter_word(chapter.source.role, crossref)} {chapter.number}"


def xref_plain(label: Label, book: Book) -> str:
    """Plain-text form of a reference ("Figure 2.1", or a section title), for search records."""
    crossref = book.project.config.crossref
    if label.kind == "sec" and not label.number:
        return label.title_text
    word = (
        crossref.ch_prefix
        if label.kind == "sec" and label.level == 1
        else _prefix(label.kind, crossref)
    )
    return f"{word} {label.number}"


def _math(token: Token, display: bool, env: dict) -> str:
    state: RenderState = env["r"]
    number = None
    mid = token.attrGet("id")
    if mid:
        label = state.book.index.get(str(mid))
        number = label.number if label else None
    try:
        out = render_math_html(token.content, display, number, state.ctx.format)
    except MathError as exc:
        state.ctx.diagnostics.error(
            f"cannot render math: {exc}; check the TeX", state.chapter.where(token)
        )
        return f'<code class="math-error">{escape(token.content)}</code>'
    if mid and display:
        out = out.replace(
            '<div class="math display">', f'<div class="math display" id="{escape(str(mid))}">', 1
        )
    if token.type == "math_display" and out.startswith("<div") and out.endswith("</div>"):
        # Display math inside a paragraph: a <div> would end the <p> early; CSS lays it out.
        out = "<span" + out[4:-6] + "</span>"
    return out
