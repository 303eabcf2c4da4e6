"""Checks that need the whole index: unresolved cross-references, internal links and
images. Links to ``.qmd``/``.md`` pages are rewritten to their HTML pages here."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from ..model import Book, Chapter
from .base import BuildContext
from .walk import inline_children


def check_references(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        for child in inline_children(chapter):
            if child.type == "xref" and book.index.get(child.meta["id"]) is None:
                ctx.diagnostics.warning(
                    f"unresolved reference @{child.meta['id']}; check the id, "
                    "or define it with {#" + child.meta["id"] + "}",
                    chapter.where(child),
                )


def check_links_and_images(book: Book, ctx: BuildContext) -> None:
    pages = {c.rel for c in book.chapters}
    assets: set[str] = ctx.data.setdefault("assets", set())
    for chapter in book.chapters:
        base = posixpath.dirname(chapter.rel)
        for child in inline_children(chapter):
            if child.type == "link_open":
                _rewrite_link(child, chapter, base, pages, ctx)
            elif child.type == "image":
                _check_image(child, chapter, base, book, assets, ctx)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith(("#", "/", "mailto:"))


def _rewrite_link(token, chapter: Chapter, base: str, pages: set[str], ctx: BuildContext) -> None:  # type: ignore[no-untyped-def]
    href = str(token.attrGet("href") or "")
    if not _is_local(href):
        return
    path, _, anchor = href.partition("#")
    if not path.endswith((".qmd", ".md")):
        return
    target = posixpath.normpath(posixpath.join(base, unquote(path)))
    if target not in pages:
        ctx.diagnostics.warning(
            f"link to '{path}', which is not a page of this book; fix the path or list the page",
            chapter.where(token),
        )
    new = path.rsplit(".", 1)[0] + ".html"
    token.attrSet("href", new + ("#" + anchor if anchor else ""))


def _check_image(token, chapter: Chapter, base: str, book: Book, assets: set[str], ctx: BuildContext) -> None:  # type: ignore[no-untyped-def]
    src = str(token.attrGet("src") or "")
    if not _is_local(src):
        return
    rel = posixpath.normpath(posixpath.join(base, unquote(src.split("#")[0].split("?")[0])))
    if rel.startswith("../") or not (book.project.root / rel).is_file():
        ctx.diagnostics.warning(
            f"image '{src}' not found; check the path (relative to this file)",
            chapter.where(token),
        )
        return
    assets.add(rel)
