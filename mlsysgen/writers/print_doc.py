"""Assemble the print document: every chapter's fragments, from the one renderer, joined
into one HTML file for WeasyPrint (as mdBook's print page is built from its HTML pages).

Steps: render each chapter with ``ctx.format == "pdf"`` (notes become ``float: footnote``
spans, math becomes SVG) → re-link the fragments into one document (page links become
``#anchors``, ids unique book-wide, images absolute file URLs) → give each heading a
plain-text title for running headers and bookmarks → build the contents with part
headings → fill ``print.html`` (cover, copyright page, contents, front matter, parts,
chapters, appendices, back matter).
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..config.schema import FormatOptions
from ..model import Book, Chapter
from ..render.chapter import render_chapter
from ..render.html import number_label
from ..transforms.base import BuildContext
from ..volumes import current_edition, edition_chapters, packaged_cover, packaged_value
from .package import Relinker, page_slug
from .theme import Theme, default_theme_dir

STYLESHEET = "print.css"
TEMPLATE = "print.html"


@dataclass
class PrintChapter:
    """One chapter as the print template places it."""

    anchor: str
    kind: str
    """``front`` (roman page numbers), ``main`` or ``back``."""
    number_label: str
    title_html: Markup
    title_text: str
    body: Markup
    subtitle: str = ""
    part: dict[str, str] | None = None
    """The part that starts with this chapter: its page comes first."""
    main_start: bool = False
    """The first main-matter page (arabic page numbers restart at 1)."""
    volume: dict[str, str] | None = None
    """The volume that starts with this chapter (in a multi-volume book's combined
    edition): its divider page comes before the part's."""
    depth: int = 0
    """Outline levels above the chapter: its volume (combined edition) and its part."""


@dataclass
class TocEntry:
    href: str
    kind: str
    """``volume``, ``part``, ``chapter`` or ``section``."""
    number: str
    title_html: Markup
    front: bool = False
    children: list[TocEntry] = field(default_factory=list)


def print_chapters(book: Book, ctx: BuildContext) -> list[Chapter]:
    """The chapters of the printed book: the packaged edition's (never extra pages)."""
    return edition_chapters(book, ctx.data)


def build_print_html(book: Book, ctx: BuildContext, theme: Theme) -> str:
    """The whole book as one HTML document, ready for WeasyPrint."""
    return build_print_book(book, ctx, theme).html()


@dataclass
class PrintBook:
    """The rendered print book, from which one document or several are filled in: the
    whole book, or the front pages and groups of chapters laid out apart (see
    :mod:`.pdf_parallel`)."""

    theme: Theme
    toc: list[TocEntry]
    chapters: list[PrintChapter]
    context: dict[str, Any]
    """The template's other values: book metadata, stylesheet, contents title and depth."""

    def html(
        self,
        chapters: list[PrintChapter] | None = None,
        *,
        front_pages: bool = True,
        toc_pages: dict[str, str] | None = None,
    ) -> str:
        """One print document: the cover, copyright page and contents (``front_pages``)
        and ``chapters`` (default: all). ``toc_pages`` gives the page number to print for
        a contents entry whose target is laid out in another document. A document without
        front pages is a piece of the main matter (``html.pdf-piece``), whose page numbers
        are known only once it is laid out."""
        return self.theme.render(
            TEMPLATE,
            **self.context,
            toc=self.toc if front_pages else [],
            front_pages=front_pages,
            toc_pages=toc_pages or {},
            chapters=self.chapters if chapters is None else chapters,
            piece=not front_pages,
        )


def build_print_book(book: Book, ctx: BuildContext, theme: Theme) -> PrintBook:
    """Render every chapter of the printed book and build its contents."""
    chapters = print_chapters(book, ctx)
    links = _PrintLinks(book, chapters)
    outline = _Outline(book, ctx)
    printed = []
    main_started = False
    for chapter in chapters:
        rendered = render_chapter(chapter, book, ctx)
        page = chapter.href
        item = PrintChapter(
            anchor=links.chapter_anchor(page),
            kind=_kind(chapter),
            number_label=number_label(chapter, book.project.config.crossref),
            title_html=Markup(links.relinker.rewrite(rendered.title_html, page)),
            title_text=chapter.title_text,
            body=Markup(_print_body(links.relinker.rewrite(rendered.body, page))),
            subtitle=str(chapter.meta.get("subtitle", "") or ""),
        )
        if item.kind != "front" and not main_started:
            item.main_start = main_started = True
        outline.add(item, chapter, _chapter_entry(book, chapter, links, rendered))
        printed.append(item)
    config = book.project.config
    context = {
        "book": _book_context(book, ctx),
        "toc_title": _toc_title(ctx.options),
        "toc_depth": ctx.options.toc_depth,
        "stylesheet": stylesheet_path(book.project.root).as_uri(),
        "pygments_css": Markup(_pygments_css()),
        "language": config.language,
    }
    return PrintBook(theme, outline.toc if ctx.options.toc else [], _unlinked(printed), context)


class _Outline:
    """Volumes (in a multi-volume book's combined edition), parts and chapters: where
    each volume and part starts, how deep each chapter sits, and the contents."""

    def __init__(self, book: Book, ctx: BuildContext) -> None:
        self.book = book
        self.volumes = bool(book.volumes) and current_edition(book, ctx.data).volume is None
        self.toc: list[TocEntry] = []
        self.entries: dict[tuple[str, int], TocEntry] = {}
        """The contents entry of each volume and part seen, by (kind, index)."""

    def add(self, item: PrintChapter, chapter: Chapter, entry: TocEntry) -> None:
        """Place ``item`` (and its contents ``entry``) in its volume and part."""
        volume = chapter.source.volume if self.volumes else None
        part = chapter.source.part
        item.depth = (volume is not None) + (part is not None)
        if volume is not None and ("volume", volume) not in self.entries:
            info = self.book.volumes[volume]
            item.volume = {"id": f"volume-{info.id or volume}", "label": info.label,
                           "title": info.title, "subtitle": info.config.subtitle}  # fmt: skip
            self._open(("volume", volume), TocEntry(f"#{item.volume['id']}", "volume",
                       info.label, Markup(html.escape(info.title))), self.toc)  # fmt: skip
        outer = self.entries[("volume", volume)].children if volume is not None else self.toc
        if part is not None and ("part", part) not in self.entries:
            opened = self.book.parts[part]
            item.part = {"id": f"part-{opened.id or part}", "number": opened.number,
                         "title": opened.title}  # fmt: skip
            self._open(("part", part), TocEntry(f"#{item.part['id']}", "part", opened.number,
                       Markup(html.escape(opened.title))), outer)  # fmt: skip
        (self.entries[("part", part)].children if part is not None else outer).append(entry)

    def _open(self, key: tuple[str, int], entry: TocEntry, parent: list[TocEntry]) -> None:
        self.entries[key] = entry
        parent.append(entry)


def _toc_title(options: FormatOptions) -> str:
    """The contents heading. A ``pdf:`` block without ``toc-title`` gets FormatOptions'
    default, the HTML page's "On this page", which never names a book's contents."""
    return "Contents" if options.toc_title == FormatOptions.toc_title else options.toc_title


def stylesheet_path(project_root: Path) -> Path:
    """The book's own ``static/print.css`` if it has one, else the default theme's."""
    own = project_root / "static" / STYLESHEET
    return own if own.is_file() else default_theme_dir("static") / STYLESHEET


class _PrintLinks:
    """Ids and links of the joined document (see :class:`Relinker`)."""

    def __init__(self, book: Book, chapters: list[Chapter]) -> None:
        self.book = book
        self.root = book.project.root
        self.site_url = book.project.config.site.url.rstrip("/")
        self.slugs = _unique_slugs([c.href for c in chapters])
        self.chapter_ids = {c.href: c.id for c in chapters}
        every_page = set(self.slugs) | {c.href for c in book.chapters}
        self.relinker = Relinker(every_page, self.link, self.rename_id, self.asset)

    def rename_id(self, page: str, ident: str) -> str:
        """Labels (``sec-``, ``fig-`` …) are unique book-wide and keep their id, so
        links into them read the same as in the source; other ids get the page's slug."""
        label = self.book.index.get(ident)
        if label is not None and label.href.partition("#")[0] == page:
            return ident
        return f"{self.slugs.get(page, 'x')}--{ident}"

    def chapter_anchor(self, page: str) -> str:
        return self.rename_id(page, self.chapter_ids[page])

    def link(self, page: str, anchor: str) -> str:
        if page not in self.slugs:
            return self.elsewhere(page + (f"#{anchor}" if anchor else ""))
        return "#" + (self.rename_id(page, anchor) if anchor else self.chapter_anchor(page))

    def elsewhere(self, target: str) -> str:
        """Pages left out of this document (extra pages, another volume's chapters) are
        linked on the published site when its URL is known, else marked for
        :func:`_unlinked` (the text stays, the link goes)."""
        return f"{self.site_url}/{target}" if self.site_url else _UNLINKED + target

    def asset(self, target: str) -> str:
        """Images become absolute file URLs; other pages go :meth:`elsewhere`."""
        if target.endswith(".html"):
            return self.elsewhere(target)
        return (self.root / target).resolve().as_uri()


def _unique_slugs(pages: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for page in pages:
        base = slug = page_slug(page)
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[page] = slug
    return slugs


def _kind(chapter: Chapter) -> str:
    role = chapter.source.role
    if role == "front" and chapter.source.part is None:
        return "front"
    return "back" if role in ("appendix", "back") else "main"


def _chapter_entry(book: Book, chapter: Chapter, links: _PrintLinks, rendered: Any) -> TocEntry:
    page = chapter.href
    entry = TocEntry(
        "#" + links.chapter_anchor(page),
        "chapter",
        chapter.number,
        Markup(_strip_links(rendered.title_html)),
        front=_kind(chapter) == "front",
    )
    entry.children = _sections(rendered.toc, page, links, entry.front)
    return entry


def _sections(items: list[dict[str, Any]], page: str, links: _PrintLinks, front: bool) -> list[TocEntry]:  # fmt: skip
    return [
        TocEntry(
            "#" + links.rename_id(page, str(item["id"])),
            "section",
            str(item.get("number") or ""),
            Markup(_strip_links(str(item["title_html"]))),
            front,
            _sections(item.get("children", []), page, links, front),
        )
        for item in items
    ]


_LINK_TAG = re.compile(r"</?a\b[^>]*>")
_UNLINKED = "mlsysgen-unlinked:"
_UNLINKED_LINK = re.compile(r'<a\b[^>]*\shref="' + _UNLINKED + r'[^"]*"[^>]*>(.*?)</a>', re.DOTALL)
_HEADING = re.compile(r"<h([2-6])\b([^>]*)>(.*?)</h\1>", re.DOTALL)
_FOOTNOTE = re.compile(r'<span class="footnote"')
_SPAN_TAG = re.compile(r"<span\b|</span>")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)
_SPACE = re.compile(r"\s+")
_SECTION_NUMBER = re.compile(r'<span class="header-section-number">[^<]*</span>\s*')
_MATH_TEXT = re.compile(r'<span class="math-text">(.*?)</span>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _unlinked(chapters: list[PrintChapter]) -> list[PrintChapter]:
    """Links to pages outside this document keep their text ("Volume II, Chapter 3")
    and lose the link, which would lead nowhere."""
    for chapter in chapters:
        # str(): re.sub joins its pieces with the subject's type, and Markup escapes them.
        chapter.body = Markup(_UNLINKED_LINK.sub(r"\1", str(chapter.body)))
    return chapters


def _strip_links(fragment: str) -> str:
    """A title inside a contents link holds neither links nor notes."""
    return _LINK_TAG.sub("", _drop_footnotes(fragment))


def _drop_footnotes(fragment: str) -> str:
    """``fragment`` without its footnote spans."""
    return _map_footnotes(fragment, lambda note: "")


def _collapse_footnote_space(fragment: str) -> str:
    """Collapse white space in footnotes ourselves: WeasyPrint moves a ``float: footnote``
    box out of the tree before its white-space pass, so each source line break in a note
    would print as a line break."""
    return _map_footnotes(fragment, _collapse_space)


def _collapse_space(note: str) -> str:
    parts = _PRE.split(note)
    return "".join(p if p.startswith("<pre") else _SPACE.sub(" ", p) for p in parts)


def _map_footnotes(fragment: str, fn: Callable[[str], str]) -> str:
    """Replace each footnote span (which may hold spans of its own) by ``fn(span)``."""
    out, pos = [], 0
    while (start := _FOOTNOTE.search(fragment, pos)) is not None:
        depth, end = 0, len(fragment)
        for tag in _SPAN_TAG.finditer(fragment, start.start()):
            depth += 1 if tag[0] == "<span" else -1
            if depth == 0:
                end = tag.end()
                break
        out += [fragment[pos : start.start()], fn(fragment[start.start() : end])]
        pos = end
    out.append(fragment[pos:])
    return "".join(out)


def _print_body(body: str) -> str:
    return _titled_headings(_collapse_footnote_space(body))


def _titled_headings(body: str) -> str:
    """Give each section heading ``data-title`` (its plain text without notes or math
    drawings) for running headers (``string-set``) and PDF bookmarks."""

    def titled(m: re.Match[str]) -> str:
        inner = _drop_footnotes(m[3])
        number = _SECTION_NUMBER.search(inner)
        text = _plain(_SECTION_NUMBER.sub("", inner))
        if number:
            text = f"{_plain(number[0])} {text}"
        attr = html.escape(text, quote=True)
        return f'<h{m[1]}{m[2]} data-title="{attr}">{m[3]}</h{m[1]}>'

    return _HEADING.sub(titled, body)


def _plain(fragment: str) -> str:
    fragment = re.sub(r"<svg\b.*?</svg>", "", fragment, flags=re.DOTALL)
    fragment = _MATH_TEXT.sub(lambda m: m[1], fragment)
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def _book_context(book: Book, ctx: BuildContext) -> dict[str, Any]:
    config = book.project.config
    edition = current_edition(book, ctx.data)
    printed = config.pdf
    date = printed.date or config.date
    created = date if _W3C_DATE.match(date.strip()) else ""  # the PDF's metadata date
    if date.strip().lower() == "today":
        today = datetime.date.today()
        date, created = today.strftime("%B %-d, %Y"), today.isoformat()
    cover = packaged_cover(config, edition, printed)
    return {
        "title": packaged_value(edition.title, printed.title, config.title),
        "volume": edition.volume_title,
        "subtitle": packaged_value(edition.subtitle, printed.subtitle, config.subtitle),
        "cover": (book.project.root / cover).resolve().as_uri() if cover else "",
        "authors": printed.authors or config.authors,
        "date": date,
        "created": created,
        "language": config.language,
        "description": config.description,
        "repo_url": config.site.repo_url,
        "url": config.site.url,
        "year": year[0] if (year := re.search(r"\b\d{4}\b", date)) else "",
    }


_W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
"""A date as PDF metadata takes it (WeasyPrint warns about any other): 2025, 2025-03,
2025-03-01."""


def _pygments_css() -> str:
    """Token colours for highlighted code, from Pygments' print-friendly default style."""
    from pygments.formatters import HtmlFormatter

    return str(HtmlFormatter(style="default").get_style_defs(".highlight"))
