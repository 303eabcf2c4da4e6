"""Resolve citations against the bibliographies and format them with the CSL style.

Steps: load the project's BibTeX files and each chapter's own (front matter
``bibliography:``), cached by content hash → resolve every cited key, the citing
chapter's files first, then the project's (unknown keys are warnings at ``path:line``)
→ register all keys with one processor, so disambiguation (2017a/2017b) is book-wide →
store each citation's text on its token and each chapter's entries in
``chapter.env["references"]``. Where entries are placed (margin, end of chapter,
``::: {#refs}``) is the renderer's business.
"""

from __future__ import annotations

import pickle
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from ..citations.bibtex import BibFile, load_bibtex_cached, merge
from ..errors import Location
from ..fingerprint import digest_text, write_atomic
from ..model import Book, Chapter, CiteRef
from .base import BuildContext
from .walk import final_inline_children

if TYPE_CHECKING:
    from ..citations.csl.processor import CitationProcessor

DEFAULT_STYLE = "chicago-author-date"


def resolve_citations(book: Book, ctx: BuildContext) -> None:
    """The ``citations`` pass. In a long-running session, a build whose chapters,
    bibliographies, style and config are all unchanged finds every citation already
    resolved on its (reused) chapters: it only replays the pass's warnings."""
    memo, key = ctx.data.get("memo"), _inputs_key(book, ctx)
    if memo is not None and key is not None and memo.get("citations_pass", (None,))[0] == key:
        _, bibliography, problems = memo["citations_pass"]
        ctx.diagnostics.extend_items(problems)
        if bibliography is not None:
            ctx.data["bibliography"] = dict(bibliography)
        return
    before = len(ctx.diagnostics.items)
    _resolve(book, ctx)
    if memo is not None and key is not None:
        found = ctx.data.get("bibliography")
        memo["citations_pass"] = (key, found, ctx.diagnostics.items[before:])


def _inputs_key(book: Book, ctx: BuildContext) -> str | None:
    """Everything the pass reads, by content hash; None when the build gives no way to
    hash files cheaply (``check``)."""
    hashes, chapter_keys = ctx.data.get("hashes"), ctx.data.get("chapter_keys")
    if hashes is None or chapter_keys is None:
        return None
    config = book.project.config
    files = {posixpath.normpath(posixpath.join(posixpath.dirname(c.rel), name))
             for c in book.chapters for name in _as_list(c.meta.get("bibliography"))}  # fmt: skip
    files.update(config.bibliography)
    if config.csl:
        files.add(config.csl)
    root = book.project.root
    return digest_text(list(chapter_keys.items()), ctx.data.get("config_key"),
                       sorted((f, hashes.digest(root / f)) for f in files))  # fmt: skip


def _resolve(book: Book, ctx: BuildContext) -> None:
    cites = [(chapter, token) for chapter in book.chapters for token in _cite_tokens(chapter)]
    if not cites and not book.project.config.bibliography:
        return
    loader = _Loader(book, ctx)
    project_entries = loader.entries(book.project.config.bibliography, "")
    items: dict[str, dict[str, Any]] = {}
    own: dict[str, dict[str, Any]] = {}
    for n, (chapter, token) in enumerate(cites):
        if n == 0 or cites[n - 1][0] is not chapter:
            own = loader.entries(
                _as_list(chapter.meta.get("bibliography")), posixpath.dirname(chapter.rel)
            )
        for item in token.meta["items"]:
            entry = own.get(item.key) or project_entries.get(item.key)
            if entry is None:
                ctx.diagnostics.warning(
                    f"unknown citation key '{item.key}'; add it to a .bib file of this chapter or the book",
                    chapter.where(token),
                )
                token.meta.setdefault("unknown", set()).add(item.key)
            else:
                items.setdefault(item.key, entry)
    clusters = [([i for i in token.meta["items"] if i.key in items], token.meta["mode"])
                for _, token in cites]  # fmt: skip
    config = book.project.config
    style_file = book.project.root / config.csl if config.csl else None
    style = style_file.read_bytes() if style_file and style_file.is_file() else config.csl
    # What a processor is made from (the cited entries, the style, the language); hashed
    # once, for the stored citations' key and the session's reused processor.
    entries_key = digest_text(list(items.items()), style, config.language)
    stored = _Stored(ctx, entries_key, clusters, [c.rel for c in book.chapters])
    formatted = stored.load() or _format(book, ctx, items, entries_key, cites, clusters)
    if formatted is None:
        return
    cite_html, references, bibliography = formatted
    for (_, token), text in zip(cites, cite_html, strict=True):
        if text is not None:
            token.meta["html"] = text
    for chapter in book.chapters:
        chapter.env["references"] = dict(references.get(chapter.rel, []))
    ctx.data["bibliography"] = dict(bibliography)
    stored.save(formatted)


Formatted = tuple[list[str | None], dict[str, list[tuple[str, str]]], list[tuple[str, str]]]


def _format(book: Book, ctx: BuildContext, items: dict[str, dict[str, Any]], entries_key: str,
            cites: list[tuple[Chapter, Token]], clusters: list[tuple[list[CiteRef], str]],
            ) -> Formatted | None:  # fmt: skip
    """Every citation's text, each chapter's entries and the whole bibliography."""
    processor = _reused_processor(book, ctx, items, entries_key)
    if processor is None:
        return None
    cited_in: dict[str, list[str]] = {}
    cite_html: list[str | None] = []
    for (chapter, _), (refs, mode) in zip(cites, clusters, strict=True):
        cite_html.append(processor.cite(refs, mode) if refs else None)
        keys = cited_in.setdefault(chapter.rel, [])
        keys.extend(r.key for r in refs if r.key not in keys)
    references = {c.rel: processor.bibliography(cited_in.get(c.rel, [])) for c in book.chapters}
    return cite_html, references, processor.bibliography(list(items))


class _Stored:
    """The formatted citations of a build, on disk under the build cache, keyed by
    everything they depend on: the cited entries, the style, the language and every
    citation in reading order. A build whose citations are all unchanged (most builds,
    and every chapter-scoped one) skips the CSL engine."""

    def __init__(self, ctx: BuildContext, entries_key: str,
                 clusters: list[tuple[list[CiteRef], str]], chapters: list[str]) -> None:  # fmt: skip
        key = digest_text(entries_key, clusters, chapters)
        folder = ctx.data.get("cache_dir")
        self.path = folder / "citations" / f"{key}.pickle" if folder is not None else None

    def load(self) -> Formatted | None:
        if self.path is None or not self.path.is_file():
            return None
        try:
            formatted: Formatted = pickle.loads(self.path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return None
        return formatted

    def save(self, formatted: Formatted) -> None:
        if self.path is None or self.path.is_file():
            return
        write_atomic(self.path, pickle.dumps(formatted, protocol=pickle.HIGHEST_PROTOCOL))
        # Every edit that changes a citation makes a new entry: keep the latest few (one
        # per format built, and some to spare), not all of them.
        entries = sorted(self.path.parent.glob("*.pickle"), key=_modified, reverse=True)
        for old in entries[_KEPT:]:
            old.unlink(missing_ok=True)


_KEPT = 6


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _reused_processor(
    book: Book, ctx: BuildContext, items: dict[str, dict[str, Any]], key: str
) -> CitationProcessor | None:
    """The previous build's processor when the same entries are cited in the same order
    with the same style (``key``; ``ctx.data["memo"]``, kept by incremental builds): what
    it has formatted is reused; else a new one."""
    memo = ctx.data.get("memo")
    if memo is not None and memo.get("citations", (None,))[0] == key:
        processor: CitationProcessor = memo["citations"][1]
        processor.new_document()
        return processor
    fresh = _processor(book, ctx, items)
    if fresh is not None:
        fresh.register(items)
        if memo is not None:
            memo["citations"] = (key, fresh)
    return fresh


def _cite_tokens(chapter: Chapter) -> list[Token]:
    return [t for t in final_inline_children(chapter) if t.type == "cite"]


def _processor(
    book: Book, ctx: BuildContext, items: dict[str, dict[str, Any]]
) -> CitationProcessor | None:
    from ..citations.csl.processor import CitationProcessor  # only when formatting

    config = book.project.config
    style = config.csl or DEFAULT_STYLE
    if config.csl and Path(book.project.root / config.csl).is_file():
        style = str(book.project.root / config.csl)
    try:
        return CitationProcessor(items, style=style, locale=_locale(config.language))
    except ValueError as exc:
        ctx.diagnostics.error(
            f"{exc}; set 'csl' to a bundled style or a .csl file in the project",
            Location(book.project.display(book.project.config_path)),
        )
        return None


def _locale(language: str) -> str:
    return "en-US" if language.lower() in ("en", "en-us", "") else language


class _Loader:
    """Loads BibTeX files once per build and reports their problems once."""

    def __init__(self, book: Book, ctx: BuildContext) -> None:
        self.book = book
        self.ctx = ctx
        self.cache_dir = ctx.data.get("cache_dir")
        self.files: dict[str, BibFile | None] = {}
        self.merged: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}

    def entries(self, names: list[str], base: str) -> dict[str, dict[str, Any]]:
        rels = tuple(posixpath.normpath(posixpath.join(base, n)) for n in names)
        if rels not in self.merged:
            files = [f for f in (self._file(rel) for rel in rels) if f is not None]
            entries, warnings = merge(files)
            where = Location(files[0].display_path) if files else None
            for message in warnings:
                self.ctx.diagnostics.warning(message, where)
            self.merged[rels] = entries
        return self.merged[rels]

    def _file(self, rel: str) -> BibFile | None:
        if rel not in self.files:
            path = self.book.project.root / rel
            display = self.book.project.display(path)
            if not path.is_file():
                self.ctx.diagnostics.warning(
                    f"bibliography '{rel}' not found; fix the path in the config or front matter",
                    Location(display),
                )
                self.files[rel] = None
            else:
                result = load_bibtex_cached(path, display, self.cache_dir)
                for line, message in result.problems:
                    self.ctx.diagnostics.warning(message, Location(display, line))
                self.files[rel] = result
        return self.files[rel]


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
