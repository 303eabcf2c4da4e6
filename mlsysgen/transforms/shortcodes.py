"""Expand Quarto shortcodes: ``meta`` (a front-matter or book value) and ``video``.

Unknown shortcodes keep their text visible and warn, so nothing is silently lost.
Author-written values are passed as text (escaped by the renderer).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlparse

from markdown_it.token import Token

from ..model import Book, Chapter
from .base import BuildContext
from .tokens import make

# margin-video renders nothing upstream (the real book's filter returns Null); keep that.
SILENT = {"margin-video", "pagebreak"}


def expand_shortcodes(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        out: list[Token] = []
        drop_close = False  # the paragraph being unwrapped loses its closing token too
        for token in chapter.tokens:
            if drop_close and token.type == "paragraph_close":
                drop_close = False
                continue
            if token.type == "inline" and token.children:
                token.children = [
                    new for child in token.children for new in _expand(child, chapter, book, ctx)
                ]
                in_paragraph = bool(out) and out[-1].type == "paragraph_open"
                if in_paragraph and _only_block_html(token):
                    out.pop()  # a block shortcode alone in a paragraph: unwrap it
                    out.extend(_as_blocks(token))
                    drop_close = True
                    continue
                if in_paragraph and not token.children and token.content.strip():
                    out.pop()  # the paragraph held only shortcodes that render as nothing
                    drop_close = True
                    continue
            out.append(token)
        chapter.tokens = out


def _expand(token: Token, chapter: Chapter, book: Book, ctx: BuildContext) -> list[Token]:
    if token.type != "shortcode":
        return [token]
    name = token.meta["name"]
    args = token.meta["args"]
    if name == "meta" and args:
        value = _lookup(chapter.meta, args[0])
        if value is None:
            value = _lookup(_book_meta(book), args[0])
        if value is None:
            ctx.diagnostics.warning(
                f"{{{{< meta {args[0]} >}}}}: no such key in the front matter or book config; "
                "define it or remove the shortcode",
                chapter.where(token),
            )
            return [_text(token, "?" + args[0])]
        return [_text(token, str(value))]
    if name == "video" and args:
        return [_html(token, _video_html(args[0], token.meta["kwargs"]), block=True)]
    if name in SILENT:
        return []
    ctx.diagnostics.warning(
        f"unknown shortcode '{name}' left as text; mlsysgen supports meta and video",
        chapter.where(token),
    )
    return [_text(token, token.content)]


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _book_meta(book: Book) -> dict[str, Any]:
    config = book.project.config
    return {"title": config.title, "subtitle": config.subtitle, "author": ", ".join(config.authors),
            "date": config.date, **config.metadata}  # fmt: skip


def _video_html(url: str, kwargs: dict[str, str]) -> str:
    embed = _embed_url(url)
    title = html.escape(kwargs.get("title", "Video"), quote=True)
    return (
        f'<div class="video"><iframe src="{html.escape(embed, quote=True)}" title="{title}" '
        'loading="lazy" allowfullscreen '
        'allow="accelerometer; clipboard-write; encrypted-media; gyroscope; picture-in-picture">'
        "</iframe></div>"
    )


def _embed_url(url: str) -> str:
    parsed = urlparse(url)
    host = parsed.netloc.lower()
    if host.endswith("youtube.com") and parsed.path == "/watch":
        vid = parse_qs(parsed.query).get("v", [""])[0]
        return f"https://www.youtube.com/embed/{vid}"
    if host == "youtu.be":
        return f"https://www.youtube.com/embed{parsed.path}"
    return url


def _text(like: Token, content: str) -> Token:
    token = make("text", "", 0, like)
    token.content = content
    return token


def _html(like: Token, content: str, block: bool = False) -> Token:
    token = make("html_inline", "", 0, like)
    token.content = content
    token.meta["block"] = block
    return token


def _only_block_html(inline: Token) -> bool:
    kids = [k for k in inline.children or [] if not (k.type == "text" and not k.content.strip())]
    return bool(kids) and all(k.type == "html_inline" and k.meta.get("block") for k in kids)


def _as_blocks(inline: Token) -> list[Token]:
    blocks = []
    for kid in inline.children or []:
        if kid.type == "html_inline":
            block = make("html_block", "", 0, inline)
            block.content = kid.content + "\n"
            blocks.append(block)
    return blocks
