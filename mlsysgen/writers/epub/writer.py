"""The EPUB writer: the site's rendered fragments, packaged as an EPUB 3 by ebooklib.

Steps: 1. give every chapter of the edition's reading order an XHTML file (``extra``
pages and other volumes' chapters stay out; links to them go to the site or become
plain text);  2. render each chapter (the one renderer), re-link its fragments (page
links → XHTML files, images → items) and parse them into trees under the EPUB rules;
3. point links at anchors that exist, now that every file is known;  4. fill the
chapter, cover and navigation templates;  5. describe the package and let ebooklib
write it;  6. re-open the file and fail on any chapter that came out empty.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from ebooklib import epub
from lxml import etree
from markupsafe import Markup

from ...config.schema import BookConfig, PackageOptions
from ...errors import Location, MlsysgenError
from ...model import Book, Chapter
from ...render.chapter import render_chapter
from ...render.html import number_label
from ...transforms.base import BuildContext
from ...volumes import edition_chapters, edition_config, edition_file_stem
from ..package import Relinker, page_slug
from ..theme import Theme
from .content import MISSING, ChapterContent, Cleaner, resolve_links, xml_id
from .cover import cover_svg
from .images import Images
from .metadata import Features, describe, modified_time
from .nav import NavEntry, NavPage, ncx_toc, table_of_contents
from .verify import check_chapters
from .xhtml import Element, parse_fragment, serialize

CSS = "styles/epub.css"
_RESERVED = {"nav", "cover", "toc"}
# role → (epub:type of <body>, epub:type of the chapter's <section>, its ARIA role)
_EPUB_TYPE = {
    "front": ("frontmatter", "", ""),
    "chapter": ("bodymatter", "chapter", "doc-chapter"),
    "appendix": ("backmatter", "appendix", "doc-appendix"),
    "back": ("backmatter", "", ""),
}


@dataclass
class Page:
    """One chapter on its way into the package."""

    chapter: Chapter
    file: str
    content: ChapterContent
    trees: dict[str, Element] = field(default_factory=dict)
    """``title``, ``body`` and ``notes``: the chapter's fragments as cleaned trees."""
    toc: list = field(default_factory=list)


class EpubWriter:
    """Writes ``<book>.epub``."""

    name = "epub"

    def write(self, book: Book, ctx: BuildContext, out: Path) -> int:
        theme = Theme(book.project.root, cache_dir=ctx.data.get("cache_dir"))
        images = Images(book.project.root)
        files = _file_names(edition_chapters(book, ctx.data))
        pages = [_convert(c, files, book, ctx, images) for c in book.chapters if c.href in files]
        resolve_links({p.file: p.content for p in pages})
        ebook = epub.EpubBook()
        features = _features(pages)
        config = edition_config(book, ctx.data, _package_options(ctx))
        describe(ebook, config, features)
        cover = _add_cover(ebook, book, ctx, config, images, theme)
        documents = [_chapter_document(p, book, theme) for p in pages]
        toc = table_of_contents(
            book,
            [NavPage(p.chapter, p.file, p.toc, p.content.ids) for p in pages],
            ctx.options.toc,
        )
        nav = _nav_document(book, ctx, theme, toc, pages)
        for item in [_stylesheet(theme), *_image_items(pages, images, cover), nav, *documents]:
            ebook.add_item(item)
        ebook.add_item(epub.EpubNcx())
        ebook.toc = ncx_toc(toc)
        ebook.spine = [ebook.get_item_with_id("cover"), nav, *documents]
        target = out / f"{edition_file_stem(book, ctx.data)}.epub"
        target.parent.mkdir(parents=True, exist_ok=True)
        packager = Packager(str(target), ebook, {"epub3_pages": False, "mtime": modified_time()})
        packager.process()
        packager.write()
        check_chapters(target, ebook.FOLDER_NAME, {p.file: p.chapter.source.display for p in pages})
        return len(pages)


# ---- 1. file names --------------------------------------------------------------------------
def _file_names(chapters: list[Chapter]) -> dict[str, str]:
    """Page href → XHTML file name, for the chapters in the EPUB (flat, unique, readable)."""
    files: dict[str, str] = {}
    taken = set(_RESERVED)
    for chapter in chapters:
        base = xml_id(page_slug(chapter.href))
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        files[chapter.href] = f"{name}.xhtml"
    return files


# ---- 2. render, re-link, clean --------------------------------------------------------------
def _convert(chapter: Chapter, files: dict[str, str], book: Book, ctx: BuildContext,
             images: Images) -> Page:  # fmt: skip
    rendered = render_chapter(chapter, book, ctx)
    file = files[chapter.href]
    relinker = _relinker(chapter, files, book, ctx, images)
    content = ChapterContent(ids={xml_id(chapter.id or "title")})
    names = set(files.values())

    def relink(name: str, value: str) -> str:
        """One attribute through the Relinker, for author HTML it did not match."""
        if '"' in value:
            return MISSING + value
        return relinker.rewrite(f' {name}="{value}"', chapter.href)[len(name) + 3 : -1]

    cleaner = Cleaner(names.__contains__, images.by_name.__contains__, relink, content)
    page = Page(chapter, file, content, toc=rendered.toc)
    fragments = {"title": rendered.title_html, "body": rendered.body, "notes": rendered.endnotes}
    for key, fragment in fragments.items():
        html = relinker.rewrite(fragment, chapter.href)
        page.trees[key] = cleaner.clean(parse_fragment(html))
    for message in content.warnings:
        ctx.diagnostics.warning(message, chapter.at(None))
    return page


def _relinker(chapter: Chapter, files: dict[str, str], book: Book, ctx: BuildContext,
              images: Images) -> Relinker:  # fmt: skip
    """Page links → XHTML files (or the site, for pages the EPUB leaves out); images → items."""
    site = book.project.config.site.url
    site = site if not site or site.endswith("/") else site + "/"
    copied = ctx.data.get("assets", {})

    def link(page: str, anchor: str) -> str:
        file = files.get(page)
        if file is None:
            return (
                f"{urljoin(site, page)}{'#' + anchor if anchor else ''}" if site else MISSING + page
            )
        fragment = f"#{xml_id(anchor)}" if anchor else ""
        return fragment if page == chapter.href and fragment else file + fragment

    def asset(path: str) -> str:
        item = images.item(path)
        if item is not None:
            return item.name
        if images.unsupported(path):
            ctx.diagnostics.warning(
                f"image '{path}' is not PNG, JPEG, GIF or SVG, which every EPUB reader shows; "
                "left out of the EPUB (convert it)",
                chapter.at(None),
            )
        elif site and path in copied:
            return urljoin(site, path)
        return MISSING + path

    return Relinker(
        set(files) | {c.href for c in book.chapters}, link, lambda p, i: xml_id(i), asset
    )


def _features(pages: list[Page]) -> Features:
    return Features(
        mathml=any(p.content.mathml for p in pages),
        images=any(p.content.images for p in pages),
        images_without_alt=sum(p.content.images_without_alt for p in pages),
    )


# ---- 4. documents ---------------------------------------------------------------------------
class Document(epub.EpubHtml):
    """An XHTML file stored exactly as written. ebooklib's own EpubHtml re-parses the body
    with an HTML parser and rebuilds the head, which loses namespaces and stylesheets."""

    def __init__(self, uid: str, file_name: str, title: str, xhtml: str,
                 properties: list[str] | None = None) -> None:  # fmt: skip
        super().__init__(uid=uid, file_name=file_name, title=title)
        self.media_type = "application/xhtml+xml"
        self.content = xhtml.encode("utf-8")
        self.properties = list(properties or [])

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content  # type: ignore[no-any-return]


def _chapter_document(page: Page, book: Book, theme: Theme) -> Document:
    chapter = page.chapter
    config = book.project.config
    epub_type, section_type, role = _EPUB_TYPE.get(chapter.source.role, _EPUB_TYPE["chapter"])
    xhtml = theme.render(
        "epub/chapter.xhtml",
        lang=config.language,
        css=CSS,
        title_text=chapter.title_text,
        book_title=config.title,
        id=xml_id(chapter.id or "title"),
        number_label=number_label(chapter, config.crossref),
        title=Markup(serialize(page.trees["title"])),
        subtitle=str(chapter.meta.get("subtitle", "") or ""),
        content=Markup(serialize(page.trees["body"])),
        notes=Markup(serialize(page.trees["notes"])),
        epub_type=epub_type,
        section_type=section_type,
        role=role,
    )
    _check_well_formed(xhtml, chapter.source.display, page.file)
    properties = [p for p, on in (("mathml", page.content.mathml), ("svg", page.content.svg)) if on]
    return Document(f"ch-{page.file[:-6]}", page.file, chapter.title_text, xhtml, properties)


def _nav_document(book: Book, ctx: BuildContext, theme: Theme, toc: list[NavEntry],
                  pages: list[Page]) -> Document:  # fmt: skip
    body = next(
        (p.file for p in pages if p.chapter.source.role == "chapter"),
        pages[0].file if pages else "nav.xhtml",
    )
    landmarks = [
        {"type": "cover", "href": "cover.xhtml", "title": "Cover"},
        {"type": "toc", "href": "nav.xhtml#toc", "title": ctx.options.toc_title},
        {"type": "bodymatter", "href": body, "title": "Start of content"},
    ]
    xhtml = theme.render("epub/nav.xhtml", lang=book.project.config.language, css=CSS,
                         toc_title=ctx.options.toc_title, toc=toc, landmarks=landmarks)  # fmt: skip
    _check_well_formed(xhtml, "nav.xhtml", "nav.xhtml")
    return Document("nav", "nav.xhtml", ctx.options.toc_title, xhtml, ["nav"])


def _add_cover(ebook: epub.EpubBook, book: Book, ctx: BuildContext, config: BookConfig,
               images: Images, theme: Theme) -> str:  # fmt: skip
    """Add the cover page (of the edition ``config`` describes); return the cover image's
    item name (added with the images)."""
    given = str(config.metadata.get("cover-image", "") or "")
    item = images.item(given) if given else None
    if given and item is None:
        ctx.diagnostics.warning(
            f"cover image '{given}' not found or not PNG, JPEG, GIF or SVG; a plain cover is used",
            Location(book.project.display(book.project.config_path)),
        )
    name = item.name if item is not None else "cover.svg"
    if item is None:
        svg = cover_svg(config.title, config.subtitle, config.authors)
        ebook.add_item(
            _image("cover-image", name, "image/svg+xml", svg.encode("utf-8"), ["cover-image"])
        )
    alt = f"Cover: {config.title}" + (f" by {', '.join(config.authors)}" if config.authors else "")
    xhtml = theme.render("epub/cover.xhtml", lang=config.language, css=CSS, title=config.title,
                         image=name, alt=alt)  # fmt: skip
    ebook.add_item(Document("cover", "cover.xhtml", "Cover", xhtml))
    return name


def _image_items(pages: list[Page], images: Images, cover: str) -> list[epub.EpubItem]:
    used = {name for p in pages for name in p.content.images} | {cover}
    items = []
    for n, name in enumerate(sorted(used), 1):
        item = images.by_name.get(name)
        if item is not None:
            properties = ["cover-image"] if name == cover else []
            items.append(
                _image(f"img-{n}", name, item.media_type, item.path.read_bytes(), properties)
            )
    return items


def _image(
    uid: str, name: str, media_type: str, data: bytes, properties: list[str]
) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type=media_type, content=data)
    item.properties = properties
    return item


def _stylesheet(theme: Theme) -> epub.EpubItem:
    """``static/epub.css``: the book's own if it has one, else the default theme's."""
    for folder in reversed(theme.static_dirs):
        path = folder / "epub.css"
        if path.is_file():
            return epub.EpubItem(
                uid="style", file_name=CSS, media_type="text/css", content=path.read_bytes()
            )
    raise MlsysgenError("static/epub.css not found in the theme; reinstall mlsysgen")


class Packager(epub.EpubWriter):
    """ebooklib's writer, storing raster images as they are: they are compressed already,
    and deflating the real book's 50 MB of PNG again takes seconds and saves nothing."""

    def _write_items(self) -> None:
        folder = self.book.FOLDER_NAME
        stored = {f"{folder}/{item.file_name}" for item in self.book.get_items()
                  if item.media_type in ("image/png", "image/jpeg", "image/gif")}  # fmt: skip
        writestr = self.out.writestr

        def write(name: str, data: bytes, compress_type: int | None = None) -> None:
            writestr(name, data, zipfile.ZIP_STORED if name in stored else compress_type)

        self.out.writestr = write  # type: ignore[method-assign]
        super()._write_items()


def _check_well_formed(xhtml: str, where: str, file: str) -> None:
    try:
        etree.fromstring(xhtml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise MlsysgenError(f"{where}: the EPUB file {file} is not well-formed XHTML ({exc}); "
                            "please report this as an mlsysgen bug") from exc  # fmt: skip


def _package_options(ctx: BuildContext) -> PackageOptions | None:
    """The EPUB's own title, authors and cover options (``epub:`` in the config)."""
    return ctx.options if isinstance(ctx.options, PackageOptions) else None
