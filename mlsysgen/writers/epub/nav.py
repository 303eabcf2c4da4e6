"""The book's table of contents, once, for both navigation files: the EPUB 3
``nav.xhtml`` (a template) and the NCX that older readers use (written by ebooklib).

Parts and the appendices group their chapters; each chapter lists its sections down
to ``toc-depth``. Titles are plain text: a navigation entry holds no markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ebooklib import epub

from ...model import Book, Chapter
from .content import xml_id


@dataclass
class NavEntry:
    title: str
    href: str = ""
    """Empty for a part: a heading over its chapters."""
    children: list[NavEntry] = field(default_factory=list)

    def first_href(self) -> str:
        return self.href or next((c.first_href() for c in self.children), "")


@dataclass
class NavPage:
    """What the table of contents needs to know about one packaged chapter."""

    chapter: Chapter
    file: str
    toc: list[dict[str, Any]]
    """The renderer's section tree (``id``, ``number``, ``children``)."""
    ids: set[str]
    """Ids present in the chapter's file (a section link must land on one)."""


def table_of_contents(book: Book, pages: list[NavPage], sections: bool) -> list[NavEntry]:
    """Entries in reading order: chapters, parts as groups, appendices as one group; in an
    edition holding several volumes, each volume groups its own (their numbers repeat)."""
    toc: list[NavEntry] = []
    top = toc
    group_key: tuple[str, int] | None = None
    group = NavEntry("")
    several = len({p.chapter.source.volume for p in pages} - {None}) > 1
    volume: int | None = None
    for page in pages:
        source = page.chapter.source
        if several and source.volume != volume:
            volume, group_key, top = source.volume, None, toc
            if volume is not None:
                info = book.volumes[volume]
                toc.append(NavEntry(f"{info.label}: {info.title}"))
                top = toc[-1].children
        children = _sections(page, page.toc) if sections else []
        entry = NavEntry(_title(page.chapter), page.file, children)
        key, title = _group(book, page.chapter)
        if key is None:
            group_key = None
            top.append(entry)
            continue
        if key != group_key:
            group_key, group = key, NavEntry(title)
            top.append(group)
        if source.part is not None and book.parts[source.part].file == source.rel:
            group.href = page.file  # the part's own page: the group's title links to it
        else:
            group.children.append(entry)
    return toc


def _group(book: Book, chapter: Chapter) -> tuple[tuple[str, int] | None, str]:
    """The group a chapter is listed under (its part, or the appendices), and its title."""
    source = chapter.source
    if source.part is not None:
        return ("part", source.part), book.parts[source.part].title
    if source.role == "appendix":
        return ("appendix", 0), _plural(book.project.config.crossref.appendix_title)
    return None, ""


def ncx_toc(entries: list[NavEntry]) -> list[Any]:
    """The same tree as ebooklib's ``book.toc`` (Links and (Section, children) pairs)."""
    counter = iter(range(1, 1_000_000))

    def convert(entry: NavEntry) -> Any:
        if not entry.children:
            return epub.Link(entry.href, entry.title, f"nav-{next(counter)}")
        section = epub.Section(entry.title, entry.first_href())
        return (section, [convert(c) for c in entry.children])

    return [convert(e) for e in entries]


def _plural(word: str) -> str:
    """The group title for appendices: "Appendix" → "Appendices" (English; else add "s")."""
    if word.endswith("ix"):
        return word[:-2] + "ices"
    return word if word.endswith("s") else word + "s"


def _title(chapter: Chapter) -> str:
    title = chapter.source.nav_title or chapter.title_text
    return f"{chapter.number} {title}" if chapter.number else title


def _sections(page: NavPage, toc: list[dict[str, Any]]) -> list[NavEntry]:
    titles = {h.id: h.title_text for h in page.chapter.headings}
    out = []
    for item in toc:
        anchor = xml_id(str(item["id"]))
        href = f"{page.file}#{anchor}" if anchor in page.ids else page.file
        text = titles.get(item["id"], "") or str(item["id"])
        title = f"{item['number']} {text}" if item.get("number") else text
        out.append(NavEntry(title, href, _sections(page, item.get("children", []))))
    return out
