"""Checks that need the whole index: unresolved cross-references, internal links and
images. Links to ``.qmd``/``.md`` pages are rewritten to their HTML pages here."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from ..errors import Location
from ..model import Book, Chapter
from .base import BuildContext
from .walk import final_inline_children


def check_references(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        for child in final_inline_children(chapter):
            if child.type == "xref" and book.index.get(child.meta["id"]) is None:
                ctx.diagnostics.warning(
                    f"unresolved reference @{child.meta['id']}; check the id, "
                    "or define it with {#" + child.meta["id"] + "}",
                    chapter.where(child),
                )


def check_links_and_images(book: Book, ctx: BuildContext) -> None:
    anchors = {c.rel: _anchors(c) for c in book.chapters}
    # Asset → the chapters that use it (a scoped build copies only its chapters' files).
    assets: dict[str, set[str]] = ctx.data.setdefault("assets", {})
    for chapter in book.chapters:
        base = posixpath.dirname(chapter.rel)
        found = chapter.walks.get("links")
        if found is None:
            kinds = ("link_open", "image", "html_inline")
            found = chapter.walks["links"] = [c for c in final_inline_children(chapter) if c.type in kinds]
        for child in found:
            if child.type == "link_open":
                _rewrite_link(child, chapter, base, anchors, ctx)
            elif child.type == "image":
                _check_image(child, chapter, base, book, assets, ctx)
            elif child.type == "html_inline":
                _check_raw_html(child, chapter, base, book, assets, ctx)
        for token in chapter.tokens:
            if token.type == "html_block":
                _check_raw_html(token, chapter, base, book, assets, ctx)
    _check_site_files(book, ctx)


_RAW_REF = re.compile(r"""\b(?:src|href|poster)\s*=\s*["']([^"'#?]+)""", re.IGNORECASE)


def _check_raw_html(
    token, chapter: Chapter, base: str, book: Book, assets: dict[str, set[str]], ctx: BuildContext
) -> None:  # type: ignore[no-untyped-def]
    """Files that author-written HTML refers to are copied too; a missing one is a warning."""
    pages = ctx.data.setdefault("page_hrefs", {c.href for c in book.chapters})
    for m in _RAW_REF.finditer(token.content):
        url = m.group(1)
        if not _is_local(url):
            continue
        rel = posixpath.normpath(posixpath.join(base, unquote(url)))
        if rel in pages:
            continue
        if not rel.startswith("../") and (book.project.root / rel).is_file():
            assets.setdefault(rel, set()).add(chapter.rel)
            continue
        # A {=html} fence's content starts on the line after its opening fence.
        first = (token.map[0] + (1 if token.markup else 0)) if token.map else None
        line = None if first is None else first + token.content.count("\n", 0, m.start())
        ctx.diagnostics.warning(
            f"file '{url}' referenced in raw HTML not found; add the file or fix the path",
            chapter.at(line),
        )


def _anchors(chapter: Chapter) -> set[str]:
    """Every id a link may target on the chapter's page."""
    if "anchors" not in chapter.walks:
        chapter.walks["anchors"] = _collect_anchors(chapter)
    return chapter.walks["anchors"]


def _collect_anchors(chapter: Chapter) -> set[str]:
    ids = {chapter.id} | {h.id for h in chapter.headings}
    for token in chapter.tokens:
        if token.attrGet("id"):
            ids.add(str(token.attrGet("id")))
    for child in final_inline_children(chapter):
        if child.attrGet("id"):
            ids.add(str(child.attrGet("id")))
    return ids


def _check_site_files(book: Book, ctx: BuildContext) -> None:
    """Favicon and preview image: a missing file is dropped from the pages, with a warning.
    Same-page anchors in the announcement bar cannot resolve on every page: warned too."""
    site = book.project.config.site
    where = Location(book.project.display(book.project.config_path))
    for href in re.findall(r"\]\((#[^)\s]+)\)", site.announcement):
        ctx.diagnostics.warning(
            f"announcement links to '{href}', an anchor that is not on every page; "
            "link to a page (page.html#id) instead",
            where,
        )
    for option in ("favicon", "og_image"):
        value = getattr(site, option)
        if value and "://" not in value and not (book.project.root / value).is_file():
            ctx.diagnostics.warning(
                f"site {option.replace('_', '-')} '{value}' not found; the pages will not link it",
                where,
            )
            setattr(site, option, "")


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith(("#", "/", "mailto:"))


def _rewrite_link(
    token, chapter: Chapter, base: str, anchors: dict[str, set[str]], ctx: BuildContext
) -> None:  # type: ignore[no-untyped-def]
    # The href as written: an incremental build runs this pass again over rewritten links.
    href = token.meta.setdefault("written_href", str(token.attrGet("href") or ""))
    if href.startswith("#") and len(href) > 1 and href[1:] not in anchors[chapter.rel]:
        ctx.diagnostics.warning(
            f"link to '{href}', but this page has no heading or element with that id; fix the anchor",
            chapter.where(token),
        )
        return
    if not _is_local(href):
        return
    path, _, anchor = href.partition("#")
    if not path.endswith((".qmd", ".md")):
        return
    target = posixpath.normpath(posixpath.join(base, unquote(path)))
    if target not in anchors:
        ctx.diagnostics.warning(
            f"link to '{path}', which is not a page of this book; fix the path or list the page",
            chapter.where(token),
        )
    elif anchor and anchor not in anchors[target]:
        ctx.diagnostics.warning(
            f"link to '{path}#{anchor}', but that page has no heading or element with id '{anchor}'; "
            "fix the anchor",
            chapter.where(token),
        )
    new = path.rsplit(".", 1)[0] + ".html"
    token.attrSet("href", new + ("#" + anchor if anchor else ""))


def _check_image(
    token, chapter: Chapter, base: str, book: Book, assets: dict[str, set[str]], ctx: BuildContext
) -> None:  # type: ignore[no-untyped-def]
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
    assets.setdefault(rel, set()).add(chapter.rel)
