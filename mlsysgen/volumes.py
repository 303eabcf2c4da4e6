"""Multi-volume books: which editions a build packages, what each holds, and how a
reference into another volume reads.

An *edition* is one packaged book, a PDF and an EPUB: one volume (its chapters, parts
and appendices plus the shared front matter, appendices and back matter), or the
combined edition (everything). The HTML site is one for all editions: it always shows
every volume, and ``--volume N`` only limits which of its pages are rendered. The index
is always the whole book's, so references between volumes resolve in every edition.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass

from .config.schema import BookConfig, PackageOptions
from .errors import MlsysgenError
from .model import Book, Chapter, Label, VolumeInfo, roman_numeral

ALL = "all"
"""``--volume all``: the combined edition."""


@dataclass(frozen=True)
class Edition:
    """One packaged book: a volume, or the combined edition (``volume`` None)."""

    volume: VolumeInfo | None
    title: str
    """The book's title (the combined edition's own, if it has one)."""
    volume_title: str
    """"Volume I: Foundations", or "" for the combined edition."""
    subtitle: str
    file_stem: str
    """Base name of the PDF and EPUB files."""
    cover: str
    """Cover image, relative to the project root; "" for a plain cover."""

    @property
    def full_title(self) -> str:
        """The title that tells editions apart: "Book, Volume I: Foundations"."""
        return f"{self.title}, {self.volume_title}" if self.volume_title else self.title

    def holds(self, chapter: Chapter) -> bool:
        """Whether ``chapter`` is in this edition (shared pages are in every one)."""
        return self.volume is None or chapter.source.volume in (None, self.volume.index)


def pick_volumes(config: BookConfig, names: list[str]) -> list[int | None]:
    """``--volume`` values (a position from 1, a roman numeral, an id, or ``all``) → volume
    indexes, None standing for the combined edition; no names → the combined edition."""
    if names and not config.volumes:
        raise MlsysgenError(f"--volume {names[0]}: this book has no volumes; declare them "
                            "under volumes: in the config, or build without --volume")  # fmt: skip
    picked = [_pick(config, name.strip()) for raw in names for name in raw.split(",")]
    return list(dict.fromkeys(picked)) or [None]


def _pick(config: BookConfig, name: str) -> int | None:
    if name == ALL:
        return None
    for i, volume in enumerate(config.volumes):
        if name in (volume.id, str(i + 1), roman_numeral(i + 1)):
            return i
    ids = ", ".join(v.id for v in config.volumes)
    raise MlsysgenError(f"no volume '{name}'; use a volume's number (1 to {len(config.volumes)}), "
                        f"its id ({ids}) or '{ALL}' for the combined edition")  # fmt: skip


def edition(book: Book, volume: int | None) -> Edition:
    """The edition of volume index ``volume``, or the combined edition for None."""
    config = book.project.config
    if volume is None:
        combined = config.combined
        cover = combined.cover or str(config.metadata.get("cover-image", "") or "")
        return Edition(None, combined.title or config.title, "",
                       combined.subtitle or config.subtitle,
                       combined.output_name or config.file_stem(), cover)  # fmt: skip
    info = book.volumes[volume]
    return Edition(info, config.title, f"{info.label}: {info.title}",
                   info.config.subtitle or config.subtitle, info.config.output_name,
                   info.config.cover)  # fmt: skip


def editions(book: Book, names: list[str], fmt: str) -> list[Edition]:
    """The editions a build writes in format ``fmt``: one file each for PDF and EPUB; the
    HTML site is a single one (the combined edition) whatever was picked."""
    if fmt == "html":
        return [edition(book, None)]
    return [edition(book, v) for v in pick_volumes(book.project.config, names)]


def current_edition(book: Book, data: dict[str, object]) -> Edition:
    """The edition a writer is packaging (``ctx.data["edition"]``, set by the build)."""
    given = data.get("edition")
    return given if isinstance(given, Edition) else edition(book, None)


def edition_chapters(book: Book, data: dict[str, object]) -> list[Chapter]:
    """The chapters of the edition being packaged, in reading order (no extra pages)."""
    held = current_edition(book, data)
    scope = data.get("chapter_scope")  # build PROJECT intro --to pdf: those chapters only
    return [c for c in book.chapters if c.source.role != "extra" and held.holds(c)
            and (scope is None or c.rel in scope)]  # fmt: skip


def edition_config(book: Book, data: dict[str, object],
                   options: PackageOptions | None = None) -> BookConfig:  # fmt: skip
    """The book's config as the packaged edition describes itself: its title, subtitle,
    authors, date, file name and cover, where given, the format's ``options`` (``epub:
    title``, …) before the book's. A volume is a publication of its own, so the package
    identifier (``metadata.identifier``, else ``isbn``) gets the volume's id appended."""
    config = book.project.config
    held = current_edition(book, data)
    options = options if options is not None else PackageOptions()
    metadata = dict(config.metadata)
    cover = packaged_cover(config, held, options)
    if cover:
        metadata["cover-image"] = cover
    given = metadata.get("identifier") or metadata.get("isbn")
    if held.volume is not None and given:
        metadata["identifier"] = f"{given}-{held.volume.id}"
    title = packaged_value(held.title, options.title, config.title)
    if held.volume_title:
        title = f"{title}, {held.volume_title}"
    return dataclasses.replace(
        config, title=title, subtitle=packaged_value(held.subtitle, options.subtitle, config.subtitle),
        authors=options.authors or config.authors, date=options.date or config.date,
        output_name=edition_file_stem(book, data), metadata=metadata)  # fmt: skip


def packaged_value(of_edition: str, of_format: str, of_book: str) -> str:
    """A title or subtitle of a PDF or EPUB: the edition's own (a combined edition's
    title, a volume's subtitle), else the format's (``pdf.title``), else the book's."""
    return of_edition if of_edition != of_book else of_format or of_book


def packaged_cover(config: BookConfig, held: Edition, options: PackageOptions) -> str:
    """The cover image of a PDF or EPUB: the edition's very own (a volume's, the combined
    edition's), else the format's (``pdf.cover``), else the book's."""
    own = held.volume.config.cover if held.volume is not None else config.combined.cover
    return own or options.cover or held.cover


def edition_file_stem(book: Book, data: dict[str, object]) -> str:
    """File name (without suffix) of the edition's PDF or EPUB; a chapter-scoped build's
    gets the chapters' names appended, so it never replaces the whole book's file."""
    stem = current_edition(book, data).file_stem
    scope = data.get("chapter_scope")
    if isinstance(scope, set) and scope:
        stem += "-" + "-".join(posixpath.splitext(posixpath.basename(c.rel))[0]
                               for c in book.chapters if c.rel in scope)  # fmt: skip
    return stem


def volume_scope(book: Book, names: list[str]) -> set[str] | None:
    """The pages a ``--volume`` build renders: the picked volumes' chapters and the shared
    pages; None (every page) when the combined edition is among those picked."""
    picked = pick_volumes(book.project.config, names)
    if None in picked:
        return None
    return {c.rel for c in book.chapters if c.source.volume in (None, *picked)}


def download_links(
    config: BookConfig, formats: list[str], names: list[str]
) -> list[dict[str, str]]:
    """The site's download menu: one entry per edition and packaged format built now."""
    links = []
    for volume in pick_volumes(config, names):
        stem = config.combined.output_name or config.file_stem()
        suffix = ""
        if volume is not None:
            stem = config.volumes[volume].output_name
            suffix = f", {config.crossref.vol_prefix} {roman_numeral(volume + 1)}"
        links += [{"label": f"{fmt.upper()}{suffix}", "href": f"{stem}.{fmt}"}
                  for fmt in formats if fmt in ("pdf", "epub")]  # fmt: skip
    return links


def volume_prefix(book: Book, chapter: Chapter, label: Label) -> str:
    """The label of ``label``'s volume ("Volume II") when it lies in another volume than
    ``chapter`` (whose numbers may repeat those of this one), else ""."""
    if not book.volumes:
        return ""
    target = book.chapter(label.chapter)
    volume = target.source.volume if target is not None else None
    if volume is None or volume == chapter.source.volume:
        return ""
    return book.volumes[volume].label


__all__ = ["ALL", "Edition", "current_edition", "download_links", "edition",
           "edition_chapters", "edition_config", "editions", "pick_volumes", "volume_prefix",
           "volume_scope"]  # fmt: skip
