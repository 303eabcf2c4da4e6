"""The multi-page HTML site: one page per chapter, navigation, search index, assets.

Steps: render every chapter (the one renderer) → build the navigation once → render
the sidebar once → fill the page template for each chapter → copy theme assets and
images → write search.json, 404.html and sitemap.xml.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..config.schema import NavItem, Part
from ..fingerprint import digest_bytes, digest_text
from ..model import Book, Chapter
from ..render.chapter import render_chapter
from ..render.html import RenderedChapter, number_label
from ..transforms.base import BuildContext
from .theme import Theme

ROOT = "%ROOT%"


@dataclass
class PageLink:
    href: str
    title_html: Markup


class SiteWriter:
    """Writes the HTML site."""

    name = "html"

    def write(self, book: Book, ctx: BuildContext, out: Path) -> int:
        assets = ctx.data.get("theme_assets", ())
        theme = Theme(book.project.root, [a.folder for a in assets], ctx.data.get("cache_dir"))
        scope = ctx.data.get("scope")
        rendered = {
            c.rel: render_chapter(c, book, ctx)
            for c in book.chapters
            if scope is None or c.rel in scope
        }
        titles = {c.rel: Markup(rendered[c.rel].title_html) if c.rel in rendered else Markup(html.escape(c.title_text))
                  for c in book.chapters}  # fmt: skip
        nav = _navigation(book, titles)
        sidebar = theme.render("sidebar.html", nav=nav, root=ROOT)
        site = _site_context(book, ctx)
        reading = [c for c in book.chapters if c.source.role != "extra"]
        # Pages of the previous build whose every input hashes the same are reused.
        pages = ctx.data.get("memo", {}).setdefault("pages", {})
        render_keys = ctx.data.get("render_keys", {})
        shared = digest_text(sidebar, site, theme.fingerprint())
        for chapter in book.chapters:
            if chapter.rel not in rendered:
                continue
            page = _page_context(chapter, rendered[chapter.rel], book, ctx, reading, titles)
            root = _root_prefix(chapter.href)
            if chapter.href == "404.html":
                root = _absolute_root(site["url"])
            key = digest_text(render_keys.get(chapter.rel), shared, page, root)
            reused = chapter.rel in render_keys and pages.get(chapter.rel, (None,))[0] == key
            if not reused:
                html_text = theme.render(
                    "page.html",
                    site=site,
                    page=page,
                    root=root,
                    content=Markup(rendered[chapter.rel].body),
                    endnotes=Markup(rendered[chapter.rel].endnotes),
                    sidebar=Markup(_localise_sidebar(sidebar, root, chapter.href)),
                )
                data = html_text.encode("utf-8")
                pages[chapter.rel] = (key, data, digest_bytes(data))
            _, data, digest = pages[chapter.rel]
            target = out / chapter.href
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (reused and _link_previous(chapter.href, target, digest, ctx)):
                target.write_bytes(data)
        theme.copy_static(out)
        _copy_assets(book, ctx, out)
        _write_generated(ctx, out)
        built = {c.href for c in book.chapters if c.rel in rendered}
        hrefs = {c.rel: c.href for c in book.chapters}
        _write_search(rendered, hrefs, out, built if scope is not None else None, ctx)
        previous = ctx.data.get("previous_output") if scope is not None else None

        def present(rel: str) -> bool:
            """Written now, or (scoped build) kept from the previous output."""
            return (out / rel).exists() or (previous is not None and (previous / rel).exists())

        if not present("index.html") and reading:
            _write_redirect(out / "index.html", reading[0].href)
        if not present("404.html"):
            (out / "404.html").write_text(
                theme.render("404.html", site=site, page={"title": "Page not found"},
                             root=_absolute_root(site["url"]),
                             sidebar=Markup(_localise_sidebar(sidebar, _absolute_root(site["url"]), ""))),
                encoding="utf-8",
            )  # fmt: skip
        if site["url"]:
            _write_sitemap(out, site["url"], [c.href for c in book.chapters if present(c.href)])
        return len(rendered)


def _root_prefix(href: str) -> str:
    depth = href.count("/")
    return "../" * depth


def _absolute_root(url: str) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(url).path if url else "/"
    return path if path.endswith("/") else path + "/"


def _localise_sidebar(sidebar: str, root: str, current: str) -> str:
    """Make the once-rendered sidebar relative to this page and mark the current chapter."""
    out = sidebar
    if current:
        marker = f'data-href="{ROOT}{current}"'
        out = out.replace(marker, f'{marker} aria-current="page"')
    return out.replace(ROOT, root)


def _navigation(book: Book, titles: dict[str, Markup]) -> list[dict[str, Any]]:
    """The sidebar, in the config's order: chapters, parts, external links, appendices;
    in a book with volumes, each volume groups its own parts, chapters and appendices."""
    config = book.project.config
    chapters = {c.rel: c for c in book.chapters}

    def item(entry: NavItem) -> dict[str, Any] | None:
        if entry.url:
            return {
                "kind": "link",
                "title_html": Markup(html.escape(entry.title or entry.url)),
                "href": entry.url,
            }
        chapter = chapters.get(entry.file.removeprefix("./"))
        if chapter is None:
            return None
        label = Markup(html.escape(entry.title)) if entry.title else titles[chapter.rel]
        return {
            "kind": "chapter",
            "title_html": label,
            "href": ROOT + chapter.href,
            "number_label": chapter.number,
        }

    def group(title: str, ident: str, number: str, entries: list[NavItem]) -> dict[str, Any]:
        children = [i for i in map(item, entries) if i]
        return {"kind": "part", "title_html": Markup(html.escape(title)), "id": ident,
                "number_label": number, "children": children}  # fmt: skip

    def outline(entries: list[NavItem | Part]) -> list[dict[str, Any]]:
        out = []
        for entry in entries:
            if isinstance(entry, Part):
                info = next(parts)
                out.append(group(info.title, info.id, info.number, entry.chapters))
            elif (one := item(entry)) is not None:
                out.append(one)
        return out

    nav = [i for i in map(item, config.front_matter) if i]
    parts = iter(book.parts)
    nav += outline(config.chapters)
    for volume in book.volumes:  # each volume is a top-level group of its parts and chapters
        children = outline(volume.config.chapters)
        if volume.config.appendices:
            children.append(group(config.crossref.appendices_title, f"{volume.id}-appendices",
                                  "", volume.config.appendices))  # fmt: skip
        title = Markup(html.escape(volume.title))
        nav.append({"kind": "volume", "title_html": title, "id": volume.id,
                    "number_label": volume.label, "children": children})  # fmt: skip
    if config.appendices:
        nav.append(group(config.crossref.appendices_title, "appendices", "", config.appendices))
    nav.extend(i for i in map(item, config.back_matter) if i)
    return nav


def _site_context(book: Book, ctx: BuildContext) -> dict[str, Any]:
    config = book.project.config
    footer = config.site.footer
    if config.site.repo_url and not footer:
        footer = f'Source: <a href="{html.escape(config.site.repo_url, quote=True)}">{html.escape(config.site.repo_url)}</a>'
    return {
        "title": config.title,
        "subtitle": config.subtitle,
        "authors": config.authors,
        "language": config.language,
        "description": config.description,
        "url": config.site.url,
        "og_image": config.site.og_image,
        "favicon": config.site.favicon,
        "footer_html": Markup(footer) if footer else "",
        "downloads": ctx.data.get("downloads", []),
        "styles": [s for a in ctx.data.get("theme_assets", ()) for s in a.styles],
        "scripts": [s for a in ctx.data.get("theme_assets", ()) for s in a.scripts],
        "announcement_html": Markup(ctx.md.render(config.site.announcement))
        if config.site.announcement
        else "",
    }


def _page_context(chapter: Chapter, rendered: RenderedChapter, book: Book, ctx: BuildContext,
                  reading: list[Chapter], titles: dict[str, Markup]) -> dict[str, Any]:  # fmt: skip
    config = book.project.config
    prev_link = next_link = None
    if chapter in reading:
        at = reading.index(chapter)
        if at > 0:
            prev_link = _link(chapter, reading[at - 1], titles)
        if at + 1 < len(reading):
            next_link = _link(chapter, reading[at + 1], titles)
    crumbs = []
    if chapter.source.volume is not None:
        volume = book.volumes[chapter.source.volume]
        crumbs.append({"title": f"{volume.label}: {volume.title}", "href": ""})
    if chapter.source.part is not None:
        crumbs.append({"title": book.parts[chapter.source.part].title, "href": ""})
    elif chapter.source.role == "appendix":
        crumbs.append({"title": config.crossref.appendices_title, "href": ""})
    crumbs.append({"title": chapter.title_text, "href": ""})
    classes = "notes-margin" if ctx.options.reference_location == "margin" else ""
    return {
        "id": chapter.id,
        "title": chapter.title_text,
        "title_html": Markup(rendered.title_html),
        "subtitle": str(chapter.meta.get("subtitle", "") or ""),
        "number_label": number_label(chapter, config.crossref),
        "toc": rendered.toc if ctx.options.toc else [],
        "toc_title": ctx.options.toc_title,
        "prev": prev_link,
        "next": next_link,
        "breadcrumbs": crumbs,
        "classes": classes,
        "url": chapter.href,
        "description": str(chapter.meta.get("description", "") or ""),
    }


def _link(current: Chapter, target: Chapter, titles: dict[str, Markup]) -> PageLink:
    href = posixpath.relpath(target.href, posixpath.dirname(current.href) or ".")
    return PageLink(href, titles[target.rel])


def _copy_assets(book: Book, ctx: BuildContext, out: Path) -> None:
    root = book.project.root
    scope = ctx.data.get("scope")
    for rel, users in sorted(ctx.data.get("assets", {}).items()):
        if scope is None or not users.isdisjoint(scope):
            _place(root / rel, out / rel, rel, ctx)
    for extra in (book.project.config.site.favicon, book.project.config.site.og_image):
        if extra and "://" not in extra and (root / extra).is_file():
            _place(root / extra, out / extra, extra, ctx)


def _link_previous(rel: str, target: Path, digest: str, ctx: BuildContext) -> bool:
    """Hard-link ``rel`` from the previous output when that file's content hash is ``digest``."""
    previous, hashes = ctx.data.get("previous_output"), ctx.data.get("hashes")
    if previous is None or hashes is None or hashes.digest(previous / rel) != digest:
        return False
    try:
        os.link(previous / rel, target)
    except OSError:
        return False
    return True


def _place(source: Path, target: Path, rel: str, ctx: BuildContext) -> None:
    """Copy ``source`` to ``target``; when the previous output holds the same content
    (by hash), hard-link that file instead: images are most of a site's bytes. The
    staging folder is always new, so nothing is ever written into a linked file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    previous, hashes = ctx.data.get("previous_output"), ctx.data.get("hashes")
    if previous is not None and hashes is not None:
        old = previous / rel
        digest = hashes.digest(source)
        if digest is not None and hashes.digest(old) == digest:
            try:
                os.link(old, target)
                return
            except OSError:
                pass  # another file system, or links not supported: copy
    shutil.copyfile(source, target)


def _write_generated(ctx: BuildContext, out: Path) -> None:
    """Files that transforms or plugins made during the build (``ctx.data["generated_files"]``:
    site-relative path → bytes), e.g. the labs package as a zip for the browser."""
    for rel, data in sorted(ctx.data.get("generated_files", {}).items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _write_search(rendered: dict[str, RenderedChapter], hrefs: dict[str, str], out: Path,
                  scoped: set[str] | None, ctx: BuildContext) -> None:  # fmt: skip
    """``search.json``; a chapter-scoped build (``scoped``: the pages it built) keeps the
    other pages' records."""
    memo = ctx.data.get("memo", {})
    keys = ctx.data.get("render_keys", {})
    key = digest_text([keys.get(rel) for rel in rendered]) if keys and scoped is None else None
    if key is not None and memo.get("search", (None,))[0] == key:
        _, data, digest = memo["search"]
        if not _link_previous("search.json", out / "search.json", digest, ctx):
            (out / "search.json").write_bytes(data)
        return
    # Each chapter's records are serialised once per version of the chapter: the whole
    # index is megabytes of JSON, and an edit changes one chapter's part of it.
    parts = memo.setdefault("search_parts", {})
    lines: dict[str, bytes] = {}  # page → its records
    for rel, chapter in rendered.items():
        part = parts.get(rel)
        if part is None or part[0] != keys.get(rel) or part[0] is None:
            part = parts[rel] = (keys.get(rel), ",".join(map(_json, chapter.search)))
        if part[1]:
            lines[hrefs[rel]] = part[1].encode("utf-8")
    encoded = list(lines.values())
    previous = ctx.data.get("previous_output")
    if scoped is not None and previous is not None and (previous / "search.json").is_file():
        encoded = _kept_records(previous / "search.json", scoped, lines)
    # One page's records per line: a scoped build keeps the other pages' lines, without
    # parsing and writing again megabytes of JSON (json.dumps never writes a raw newline).
    data = b'{"docs":[\n' + b",\n".join(encoded) + b"\n]}"
    (out / "search.json").write_bytes(data)
    if key is not None:
        memo["search"] = (key, data, digest_bytes(data))


_HREF = re.compile(rb'"href":"([^"#]*)')
"""A search record's page: inside a JSON string a quote is escaped, so the first match in
a record is its own ``href`` key."""


def _kept_records(path: Path, scoped: set[str], built: dict[str, bytes]) -> list[bytes]:
    """The previous ``search.json``'s lines (each one page's records, as UTF-8 JSON) with
    those of the pages a scoped build built (``scoped``) replaced in place by ``built``
    (page → its line): the pages stay in reading order, as a full build writes them."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if not (len(lines) >= 2 and lines[0] == b'{"docs":[' and lines[-1] == b"]}"):
        # Written before records went one page per line.
        old = json.loads(data).get("docs", [])
        kept = [_json(r).encode("utf-8") for r in old
                if r.get("href", "").partition("#")[0] not in scoped]  # fmt: skip
        return kept + list(built.values())
    placed: list[bytes] = []
    todo = dict(built)
    for line in lines[1:-1]:
        page = _HREF.search(line)
        href = page[1].decode("utf-8") if page is not None else ""
        if href not in scoped:
            placed.append(line.removesuffix(b","))
        elif href in todo:
            placed.append(todo.pop(href))
    return placed + list(todo.values())


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_redirect(path: Path, target: str) -> None:
    t = html.escape(target, quote=True)
    path.write_text(
        f'<!doctype html><meta charset="utf-8"><title>Redirecting…</title>'
        f'<meta http-equiv="refresh" content="0; url={t}"><link rel="canonical" href="{t}">'
        f'<a href="{t}">Continue</a>\n',
        encoding="utf-8",
    )


def _write_sitemap(out: Path, url: str, hrefs: list[str]) -> None:
    entries = "".join(f"<url><loc>{html.escape(url + h, quote=False)}</loc></url>\n" for h in hrefs)
    (out / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n',
        encoding="utf-8",
    )
