"""The data that flows through the pipeline: sources, chapters, the index, the book."""

from __future__ import annotations

import copyreg
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from markdown_it.token import Token

from .config.load import Project
from .config.schema import Volume
from .errors import Location

Role = Literal["front", "chapter", "appendix", "back", "extra"]

_TOKEN_FIELDS = tuple(f.name for f in fields(Token))


def _reduce_token(token: Token) -> tuple[type[Token], tuple[Any, ...]]:
    return Token, tuple(getattr(token, name) for name in _TOKEN_FIELDS)


# Trees are pickled for the parse and chapter-run caches and between worker processes.
# Token is a slotted dataclass, which pickle restores attribute by attribute; as a
# constructor call it loads three times as fast (0.16 s instead of 0.48 s for the real
# book's 134,000 tokens) and takes a fifth less space.
copyreg.pickle(Token, _reduce_token)


@dataclass
class Source:
    """A chapter file to read, with its place in the book's outline."""

    path: Path
    """Absolute path of the Markdown file."""
    rel: str
    """Path relative to the project root, with forward slashes (the chapter's key)."""
    role: Role
    part: int | None = None
    """Index of the part this chapter belongs to, if any."""
    nav_title: str = ""
    """Navigation label from the config (overrides the chapter title in menus)."""
    display: str = ""
    """The path as diagnostics show it."""
    volume: int | None = None
    """Index of the volume this chapter belongs to; None for shared pages (front and
    back matter, top-level appendices) and in books without volumes."""

    @property
    def href(self) -> str:
        """Output page, relative to the site root: ``a/b.qmd`` → ``a/b.html``."""
        stem = self.rel.rsplit(".", 1)[0]
        return stem + ".html"


@dataclass
class Heading:
    """A section heading, for tables of contents, numbering and the search index."""

    id: str
    level: int
    inline: Token
    """The heading's inline token (rendered by the one renderer when needed)."""
    title_text: str
    number: str = ""
    unnumbered: bool = False
    line: int = 0


@dataclass
class Chapter:
    """One parsed source file: its front matter and token stream (the tree)."""

    source: Source
    meta: dict[str, Any]
    tokens: list[Token]
    env: dict[str, Any] = field(default_factory=dict)
    """markdown-it's env after parsing (footnote definitions live here)."""
    id: str = ""
    """Id of the chapter's H1 (``sec-…``), or a slug of the file name."""
    title_inline: Token | None = None
    """The H1's inline token; None when the title comes from front matter or the file name."""
    title_text: str = ""
    unnumbered: bool = False
    """The H1 carries ``.unnumbered`` (or the page is front/back matter)."""
    number: str = ""
    """"3" for a numbered chapter, "A" for an appendix, "" for unnumbered pages."""
    headings: list[Heading] = field(default_factory=list)
    digest: str = ""
    """Content hash of the source text (the cache key of its parse)."""
    walks: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Book-scope passes' walks over the finished tree (see ``transforms.walk.final_inline_children``)."""
    outline: bool = False
    """Only the tokens book-scope passes read (``transforms.outline``): a chapter that a
    scoped build indexes and checks but does not render."""

    @property
    def rel(self) -> str:
        return self.source.rel

    @property
    def href(self) -> str:
        return self.source.href

    def at(self, line0: int | None) -> Location:
        """Location of a 0-based token line in this chapter."""
        return Location(self.source.display, None if line0 is None else line0 + 1)

    def where(self, token: Token) -> Location:
        return self.at(token.map[0] if token.map else None)


@dataclass(frozen=True)
class CiteRef:
    """One reference inside a citation cluster: the parser reads it from ``[see @key,
    p. 33]`` (a ``cite`` token's ``meta["items"]``) and the CSL processor formats it.

    ``prefix`` is text before the cite ("see"); ``suffix`` is text after it as written in
    pandoc syntax, with its own leading punctuation (", emphasis added"); ``locator`` and
    ``label`` are the pinpoint ("33-35", "page" — a label may be a CSL locator type or an
    abbreviation such as "pp."). ``suppress_author`` drops the author names.
    """

    key: str
    prefix: str = ""
    suffix: str = ""
    locator: str = ""
    label: str = ""
    suppress_author: bool = False


@dataclass
class Label:
    """Something a cross-reference can point at: a section, figure, table, listing, equation."""

    id: str
    kind: str
    """``sec``, ``fig``, ``tbl``, ``lst``, ``eq`` or a custom kind."""
    chapter: str
    """``rel`` of the chapter that defines it."""
    href: str
    """Page (relative to the site root) and anchor: ``a/b.html#fig-x``."""
    number: str = ""
    """Display number ("3.2", "3", "A.1"), empty when unnumbered."""
    title: Token | None = None
    """Inline token of the section title (link text for unnumbered sections)."""
    title_text: str = ""
    level: int = 0
    """Heading level for sections (1 = chapter)."""
    location: Location | None = None


@dataclass
class Index:
    """Every label in the book, built before anything is written."""

    labels: dict[str, Label] = field(default_factory=dict)

    def get(self, key: str) -> Label | None:
        return self.labels.get(key)


@dataclass
class PartInfo:
    """A part of the book (a sidebar section)."""

    title: str
    id: str = ""
    number: str = ""
    file: str = ""
    volume: int | None = None
    """Index of the volume holding the part, if the book has volumes."""


@dataclass
class VolumeInfo:
    """A volume of a multi-volume book (``volumes:`` in the config)."""

    index: int
    label: str
    """"Volume II": the volume word and the volume's number in roman numerals."""
    config: Volume

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def title(self) -> str:
        return self.config.title


@dataclass
class Book:
    """The whole project after parsing: chapters in reading order, parts, the index."""

    project: Project
    chapters: list[Chapter]
    parts: list[PartInfo] = field(default_factory=list)
    index: Index = field(default_factory=Index)

    @cached_property
    def volumes(self) -> list[VolumeInfo]:
        """The book's volumes, in order (empty for a single-volume book)."""
        word = self.project.config.crossref.vol_prefix
        return [VolumeInfo(i, f"{word} {roman_numeral(i + 1)}", volume)
                for i, volume in enumerate(self.project.config.volumes)]  # fmt: skip

    def chapter(self, rel: str) -> Chapter | None:
        for chapter in self.chapters:
            if chapter.rel == rel:
                return chapter
        return None


def roman_numeral(n: int) -> str:
    """``n`` in upper-case roman numerals (part and volume numbers): 4 → "IV"."""
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"),
                (1, "I")]  # fmt: skip
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out
