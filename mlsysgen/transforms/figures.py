"""Figures, listings and table captions become ``figure_*`` tokens.

Shapes handled (Pandoc/Quarto):
- an image alone in a paragraph with a caption or a ``#fig-`` id;
- ``::: {#fig-x}`` divs whose caption is ``fig-cap`` or the last paragraph (their
  content may be images, a ``{.tikz}`` block, or anything else; ``layout`` /
  ``layout-nrow`` lay sub-figures out in a grid);
- ``::: {#lst-x lst-cap="…"}`` listings (caption from ``lst-cap`` or the last paragraph);
- ``::: {#tbl-x}`` divs around a table, with the caption as the last paragraph;
- executable cells (```` ```{r} ````) with ``#| label: fig-…``: not run; a placeholder
  figure keeps the id, number and caption.

Token shape: ``figure_open`` (attrs id/class, ``meta["kind"]``) → ``figure_body_open`` →
content → ``figure_body_close`` → ``figcaption_open`` → inline → ``figcaption_close`` →
``figure_close``. Listings put the caption first.
"""

from __future__ import annotations

import html
import json

from markdown_it.token import Token

from ..model import Book, Chapter
from .base import BuildContext
from .tokens import block_end, children_ranges, inline_text, is_only_child_paragraph, make

PLACEHOLDER_LANGS = {"tikz": "TikZ diagram"}


def build_figures(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        chapter.tokens = _walk(chapter.tokens, chapter, ctx)


def _walk(
    tokens: list[Token], chapter: Chapter, ctx: BuildContext, in_figure: bool = False
) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "div_open":
            end = block_end(tokens, i)
            did = str(token.attrGet("id") or "")
            is_figure = did.startswith(("fig-", "lst-"))
            inner = _walk(tokens[i + 1 : end], chapter, ctx, in_figure or is_figure)
            if is_figure:
                out.extend(_figure_div(token, inner, did[:3], chapter, ctx))
            elif did.startswith("tbl-") and any(t.type == "table_open" for t in inner):
                out.extend(_table_div(token, inner, ctx))
            else:
                out.extend([token, *inner, tokens[end]])
            i = end + 1
            continue
        if is_only_child_paragraph(tokens, i, "image"):
            image = next(c for c in tokens[i + 1].children or [] if c.type == "image")
            if image.children or str(image.attrGet("id") or "").startswith("fig-"):
                out.extend(_image_figure(tokens[i : i + 3], image, ctx))
                i += 3
                continue
        if token.type == "fence" and "exec" in token.meta:
            out.extend(_exec_cell(token, chapter, ctx))
            i += 1
            continue
        if token.type == "fence" and token.meta.get("lang") in PLACEHOLDER_LANGS and not in_figure:
            _mark_placeholder(token)
        out.append(token)
        i += 1
    return out


def _image_figure(para: list[Token], image: Token, ctx: BuildContext) -> list[Token]:
    fid = str(image.attrGet("id") or "")
    if fid:
        image.attrs.pop("id", None)
    caption = make("inline", "", 0, para[1])
    caption.children = list(image.children or [])
    caption.content = image.content
    alt = image.attrGet("fig-alt")
    image.attrs.pop("fig-alt", None)
    image.content = str(alt) if alt else inline_text(caption)
    for key in ("fig-pos", "fig-env", "fig-align"):
        image.attrs.pop(key, None)
    image.children = []
    body = make("inline", "", 0, para[1])
    body.children = [image]
    return _figure("fig", fid, para[0], [body], caption)


def _figure(
    kind: str,
    fid: str,
    like: Token,
    content: list[Token],
    caption: Token | None,
    classes: str = "",
    style: str = "",
) -> list[Token]:
    cls = "listing" if kind == "lst" else "figure"
    opener = make("figure_open", "figure", 1, like, id=fid, **{"class": f"{cls} {classes}".strip()})
    opener.meta["kind"] = kind
    body_open = make("figure_body_open", "div", 1, like, **{"class": "figure-content"})
    if style:
        body_open.attrSet("style", style)
    body = [body_open, *content, make("figure_body_close", "div", -1, like)]
    cap: list[Token] = []
    if caption is not None:
        cap_open = make("figcaption_open", "figcaption", 1, like)
        cap_open.meta.update(kind=kind, id=fid)
        cap = [cap_open, caption, make("figcaption_close", "figcaption", -1, like)]
    closer = make("figure_close", "figure", -1, like)
    middle = [*cap, *body] if kind == "lst" else [*body, *cap]
    return [opener, *middle, closer]


def _figure_div(
    div: Token, inner: list[Token], kind: str, chapter: Chapter, ctx: BuildContext
) -> list[Token]:
    fid = str(div.attrGet("id"))
    cap_attr = div.attrGet("lst-cap" if kind == "lst" else "fig-cap")
    caption: Token | None = None
    blocks = children_ranges(inner, 0, len(inner))
    if cap_attr is not None:
        caption = _inline(ctx, str(cap_attr), div, chapter)
    elif len(blocks) > 1 and inner[blocks[-1][0]].type == "paragraph_open":
        first, _ = blocks[-1]
        caption = inner[first + 1]
        inner = inner[:first]
    for t in inner:
        if t.type == "fence" and t.meta.get("lang") in PLACEHOLDER_LANGS:
            _mark_placeholder(t)
    if caption is None and kind == "fig":
        ctx.diagnostics.warning(
            f"figure '{fid}' has no caption; add one as the last paragraph of the div",
            chapter.where(div),
        )
        caption = make("inline", "", 0, div)  # still numbered, as Quarto does
        caption.children = []
    style = _layout_style(div, inner)
    extra = "figure-layout" if style else ""
    return _figure(kind, fid, div, inner, caption, extra, style)


def _layout_style(div: Token, inner: list[Token]) -> str:
    layout = div.attrGet("layout")
    nrow = div.attrGet("layout-nrow")
    ncol = div.attrGet("layout-ncol")
    if layout:
        try:
            rows = json.loads(str(layout))
            widths = [w for w in rows[0] if isinstance(w, (int, float))]
        except (ValueError, TypeError, IndexError):
            return ""
        columns = " ".join(f"{abs(w)}fr" for w in widths)
        return f"display:grid;grid-template-columns:{columns};gap:1rem"
    if ncol:
        return f"display:grid;grid-template-columns:repeat({int(str(ncol))},1fr);gap:1rem"
    if nrow:
        count = sum(1 for t in inner if t.type == "paragraph_open") or 1
        cols = -(-count // max(int(str(nrow)), 1))
        return f"display:grid;grid-template-columns:repeat({cols},1fr);gap:1rem"
    return ""


def _table_div(div: Token, inner: list[Token], ctx: BuildContext) -> list[Token]:
    table = next(t for t in inner if t.type == "table_open")
    table.attrSet("id", str(div.attrGet("id")))
    blocks = children_ranges(inner, 0, len(inner))
    first, _ = blocks[-1]
    if inner[first].type == "paragraph_open" and not any(
        t.type == "table_caption_open" for t in inner
    ):
        caption = inner[first + 1]
        inner = inner[:first]
        at = inner.index(table) + 1
        inner[at:at] = [
            make("table_caption_open", "caption", 1, table),
            caption,
            make("table_caption_close", "caption", -1, table),
        ]
    return inner


def _exec_cell(token: Token, chapter: Chapter, ctx: BuildContext) -> list[Token]:
    options = token.meta.get("options") or {}
    label = str(options.get("label") or "")
    lang = token.meta["exec"]
    ctx.diagnostics.warning(
        f"executable {{{lang}}} cell not run (mlsysgen does not execute {lang}); "
        "shown as a placeholder figure",
        chapter.where(token),
    )
    placeholder = make("html_block", "", 0, token)
    placeholder.content = _placeholder_html(
        f"{_language(lang)} output not rendered",
        f"This figure is produced by {_language(lang)} code, which mlsysgen does not execute.",
        token.content,
    )
    if not label.startswith("fig-"):
        return [placeholder] if options.get("echo") is False else [token, placeholder]
    cap_text = options.get("fig-cap")
    caption = _inline(ctx, str(cap_text), token, chapter) if cap_text else None
    return _figure("fig", label, token, [placeholder], caption)


def _language(lang: str) -> str:
    return lang.upper() if len(lang) == 1 else lang.title()


def _mark_placeholder(token: Token) -> None:
    """Shown as a placeholder unless the diagrams transform draws it; that transform
    also reports the blocks it cannot draw (once, not per block)."""
    token.meta["placeholder"] = PLACEHOLDER_LANGS[token.meta["lang"]]


def placeholder_html(what: str, source: str) -> str:
    return _placeholder_html(
        f"{what} not rendered",
        "This diagram needs a TeX engine to draw; its source is kept below.",
        source,
    )


def _placeholder_html(title: str, reason: str, source: str) -> str:
    return (
        f'<div class="figure-placeholder"><p class="placeholder-title">{html.escape(title)}</p>'
        f'<p class="placeholder-reason">{html.escape(reason)}</p>'
        f"<details><summary>Source</summary><pre><code>{html.escape(source)}</code></pre>"
        "</details></div>\n"
    )


def _inline(ctx: BuildContext, text: str, like: Token, chapter: Chapter) -> Token:
    tokens = ctx.parse_inline(text, chapter.env)
    inline = tokens[0]
    if like.map:
        inline.map = list(like.map)
        for child in inline.children or []:
            child.map = list(like.map)
    return inline
