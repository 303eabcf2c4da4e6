"""The pipeline as a flat list of steps:

1. load and validate the config;  2. discover the chapters;  3. parse each chapter once
(cached by content hash);  4. for each format: run the chapter-scope transforms on each
chapter that changed, then the book-scope ones (which build the project-wide index) on
all;  5. render the chapters whose inputs changed, and let the writer package the
fragments into a staging folder;  6. fail once if anything was an error, else swap the
output in.

A :class:`Session` keeps the results of steps 3–5 between builds, keyed by content
hashes, so the preview server redoes only what an edit touched. ``build()`` is one
session's one build.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

from markdown_it import MarkdownIt

from . import FORMATS
from .config.load import Project, load_project
from .diagnostics import Diagnostic, Diagnostics
from .discover import discover
from .errors import BuildFailed
from .fingerprint import FileHashes, digest_text
from .model import Book, Chapter, PartInfo
from .output import fill_from, staging
from .parallel import fork_map
from .parse.chapters import ParsedChapter, parse_chapters, prune_parse_cache
from .parse.markdown import make_parser, parser_fingerprint
from .registry import Registry, core_registry
from .render.chapter import render_chapter
from .render.html import RenderedChapter
from .render.inputs import render_key
from .runs import ChapterRun, ChapterStore, code_key
from .select import select_chapters
from .stamp import (
    Stamp,
    cache_folder,
    command_key,
    environment_key,
    input_digests,
    output_stats,
    save,
)
from .transforms.base import BuildContext
from .volumes import download_links, editions, volume_scope


@dataclass
class BuildOptions:
    """What the user asked for on the command line."""

    formats: list[str] = field(default_factory=list)
    out: Path | None = None
    strict: bool = False
    write: bool = True
    """False for ``check``: parse, index and report, write nothing."""
    cache: bool = True
    stream: TextIO | None = None
    """Where progress and diagnostics go as they happen (None: silent)."""
    labs: str = "cache"
    """Lab snippets: ``cache`` (run what changed), ``force``, ``off`` or ``frozen``."""
    keep_going: bool = False
    """Collect every failing lab instead of stopping at the first."""
    chapters: list[str] = field(default_factory=list)
    """Render only these chapters (file stem, id or title prefix); the index stays complete."""
    volumes: list[str] = field(default_factory=list)
    """``--volume``: package these volumes (number, id, or ``all`` for the combined
    edition) as PDF/EPUB, and render only their pages (and the shared ones) of the site."""
    record: bool = False
    """Write a stamp after success so that the same command with nothing changed is
    skipped (the command line does; the preview server has its own watcher)."""
    inputs: dict[str, str] | None = None
    """Input hashes the command line's up-to-date check already took (for the stamp)."""

    def command_key(self, root: Path) -> str:
        """Identifies the command for its stamp: every option that changes its output."""
        ignored = {"stream", "record", "write", "cache", "inputs"}
        return command_key(root, **{k: v for k, v in vars(self).items() if k not in ignored})


@dataclass
class BuildResult:
    pages: int
    diagnostics: Diagnostics
    seconds: float
    out: Path | None
    books: dict[str, Book] = field(default_factory=dict)
    contexts: dict[str, BuildContext] = field(default_factory=dict)
    rendered: int = 0
    """Chapters rendered anew (the rest came from the previous build)."""


@dataclass
class FormatState:
    """What one format's previous build left that the next may reuse."""

    chapters: dict[str, ChapterRun] = field(default_factory=dict)
    rendered: dict[str, tuple[str, RenderedChapter, list[Diagnostic]]] = field(
        default_factory=dict
    )
    memo: dict[str, Any] = field(default_factory=dict)
    """Book-scope transforms' own memo (``ctx.data["memo"]``), e.g. formatted citations."""


@dataclass
class Reading:
    """Steps 1–3: the project read and parsed once, ready to be transformed per format."""

    project: Project
    registry: Registry
    md: MarkdownIt
    parts: list[PartInfo]
    parsed: list[ParsedChapter]
    diagnostics: Diagnostics
    cache_dir: Path | None
    settings: dict[str, Any] = field(default_factory=dict)
    """Command-line choices that transforms and plugins read from ``ctx.data``."""
    hashes: FileHashes = field(default_factory=FileHashes)
    unsaved: list[tuple[ChapterStore, str, str, Any]] = field(default_factory=list)
    """Chapter runs and fragments made by this build: (store, chapter, key, value), where
    a callable value is called when saved (an outline is cut only if it is kept)."""

    def save_cache(self) -> None:
        """Store the chapter runs and fragments this build made, for the next process,
        and forget the parses of chapter versions that are gone."""
        for store, rel, key, value in self.unsaved:
            store.save(rel, key, value() if callable(value) else value)
        self.unsaved.clear()
        if self.cache_dir is not None:
            prune_parse_cache(self.cache_dir, {p.digest for p in self.parsed})

    def transform(
        self,
        fmt: str,
        data: dict[str, Any],
        state: FormatState | None = None,
        scope: Callable[[Book], set[str] | None] | None = None,
    ) -> tuple[Book, BuildContext]:
        """Step 4: every transform for ``fmt``. With ``state``, chapters whose source,
        config and dependencies are unchanged skip the chapter-scope passes. ``scope``
        picks the chapters to render (``ctx.data["scope"]``); the others may come as
        outlines (``transforms.outline``), which is all the book passes need of them."""
        state = state if state is not None else FormatState()
        data = {
            "render_rules": self.registry.render_rules,
            "theme_assets": self.registry.theme_assets,
            "cache_dir": self.cache_dir,
            "memo": state.memo,
            **self.settings,
            **data,
        }
        ctx = BuildContext(fmt, self.diagnostics, self.md, self.project.config.options(fmt), data)
        config_key = digest_text(self.project.config, fmt, self.diagnostics.strict,
                                 sorted(self.settings.items()),
                                 code_key(self.project.config.plugins, self.hashes),
                                 environment_key(),
                                 [key() for key in self.registry.run_keys])  # fmt: skip
        runs = _ChapterRuns(self, ctx, config_key, state)
        if scope is None:
            chapters = {p.source.rel: runs.get(p, outline=False) for p in self.parsed}
        else:
            chapters = runs.outlines(self.parsed)
            picked = scope(Book(self.project, [r.chapter for r in chapters.values()], list(self.parts)))
            if picked is not None:
                ctx.data["scope"] = picked
            for parsed in self.parsed:  # picked None: every chapter (``--volume all``)
                rel = parsed.source.rel
                if (picked is None or rel in picked) and chapters[rel].chapter.outline:
                    chapters[rel] = runs.get(parsed, outline=False)
        runs.store(ctx.data.get("scope"))
        for run in chapters.values():
            self.diagnostics.extend_items(run.problems)
            ctx.dependencies[run.chapter.rel] = set(run.dependencies)
        state.chapters = chapters
        ctx.data["chapter_keys"] = {rel: self.content_key(run) for rel, run in chapters.items()}
        ctx.data["config_key"] = config_key
        book = Book(self.project, [run.chapter for run in chapters.values()], list(self.parts))
        for transform in sorted(self.registry.transforms, key=lambda t: t.priority):
            if transform.scope == "book":
                transform.run(book, ctx)
        return book, ctx

    @staticmethod
    def content_key(run: ChapterRun) -> str:
        """What the chapter's tree was made from: its inputs and its dependencies' content
        (the render cache's notion of "the same chapter")."""
        return digest_text(run.key, sorted((str(p), h) for p, h in run.dependencies.items()))


class _ChapterRuns:
    """Where one format's chapter runs come from: the previous build of this session, or
    the store an earlier process left (``runs/``, or ``outlines/`` where an outline
    will do), or the chapter passes run now."""

    def __init__(self, reading: Reading, ctx: BuildContext, config_key: str,
                 state: FormatState) -> None:  # fmt: skip
        self.reading, self.ctx, self.config_key, self.state = reading, ctx, config_key, state
        self.passes = sorted((t for t in reading.registry.transforms if t.scope == "chapter"),
                             key=lambda t: t.priority)  # fmt: skip
        cache = reading.cache_dir
        fmt = ctx.format
        self.full = ChapterStore(cache / "runs" / fmt) if cache is not None else None
        self.outlines_store = ChapterStore(cache / "outlines" / fmt) if cache is not None else None
        self.made: dict[str, ChapterRun] = {}
        """Runs made by this build (their chapter passes ran), by chapter."""
        self.made_outlines: dict[str, ChapterRun] = {}
        """Outlines of runs made by this build's workers (the full runs stayed there)."""

    def get(self, parsed: ParsedChapter, outline: bool) -> ChapterRun:
        """The chapter after its chapter passes; with ``outline``, possibly its outline."""
        found = self.made.get(parsed.source.rel) or self._find(parsed, outline)
        if found is None:
            self.made[parsed.source.rel] = found = self._run(parsed)
        return found

    def outlines(self, parsed: list[ParsedChapter]) -> dict[str, ChapterRun]:
        """Every chapter's outline (or full run, where that is what was kept). Chapters
        with nothing kept run their passes on every core, and only their outlines come
        back: the first scoped build of a format does not hold 40 full trees."""
        found = {p.source.rel: self._find(p, outline=True) for p in parsed}
        cold = [p for p in parsed if found[p.source.rel] is None]
        for p, run in zip(cold, fork_map(self._outline_run, cold), strict=True):
            found[p.source.rel] = self.made_outlines[p.source.rel] = run
        return cast(dict[str, ChapterRun], found)

    def _outline_run(self, parsed: ParsedChapter) -> ChapterRun:
        """Run the passes and return the outline. Where that happens in this process (a
        few chapters: no workers), the full run is kept too, for when the chapter turns
        out to be one the build renders (the one just edited, typically)."""
        self.made[parsed.source.rel] = run = self._run(parsed)
        return run.outlined()

    def _find(self, parsed: ParsedChapter, outline: bool) -> ChapterRun | None:
        """The run kept by this session or stored by an earlier process, if current."""
        hashes = self.reading.hashes
        key = self._key(parsed)
        rel = parsed.source.rel
        previous = self.state.chapters.get(rel)
        usable = previous is not None and (outline or not previous.chapter.outline)
        if usable and previous.is_current(key, hashes):
            return previous
        for store in (self.outlines_store, self.full) if outline else (self.full,):
            stored = store.load(rel, key) if store is not None else None
            if stored is not None and stored.is_current(key, hashes):
                return stored
        return None

    def _key(self, parsed: ParsedChapter) -> str:
        return digest_text(parsed.digest, parsed.source, self.config_key)

    def store(self, scope: set[str] | None) -> None:
        """Have the runs made now stored (once the output is in place: the preview shows
        the edit first): every one's outline, and the full run of each chapter rendered.
        A scoped build does not store the full runs it only needed outlines of (pickling
        them all costs about a second on the first build of a format); a build that
        renders such a chapter later runs its passes again."""
        if self.full is None or self.outlines_store is None:
            return
        unsaved = self.reading.unsaved
        for rel, run in self.made.items():
            if scope is None or rel in scope:
                unsaved.append((self.full, rel, run.key, run))
            if rel not in self.made_outlines:
                unsaved.append((self.outlines_store, rel, run.key, run.outlined))
        for rel, run in self.made_outlines.items():
            unsaved.append((self.outlines_store, rel, run.key, run))

    def _run(self, parsed: ParsedChapter) -> ChapterRun:
        ctx, rel, key = self.ctx, parsed.source.rel, self._key(parsed)
        chapter = parsed.load()
        main = ctx.diagnostics
        ctx.diagnostics = Diagnostics(strict=main.strict)
        ctx.dependencies.pop(rel, None)
        try:
            one = Book(self.reading.project, [chapter], list(self.reading.parts))
            for transform in self.passes:
                transform.run(one, ctx)
        finally:
            problems, ctx.diagnostics = ctx.diagnostics.items, main
        hashes = self.reading.hashes
        deps = {p: hashes.digest(p) for p in ctx.dependencies.get(rel, ())}
        return ChapterRun(key, chapter, problems, deps)


def read(
    root: Path,
    options: BuildOptions,
    diagnostics: Diagnostics,
    memo: dict[str, ParsedChapter] | None = None,
    hashes: FileHashes | None = None,
) -> Reading:
    """Load the config, discover the chapters and parse each once (cached by content hash)."""
    project = load_project(root)
    for note in project.notes:
        _say(options, f"note: {note}")
    registry = _registry(project)
    if options.write:
        for fmt in formats_of(options, project):
            prepare = getattr(registry.writers.get(fmt), "prepare", None)
            if prepare is not None:
                prepare()
    sources, parts = discover(project, diagnostics)
    md = make_parser(registry.xref_kinds, registry.syntax)
    parser_key = parser_fingerprint(registry.xref_kinds, registry.syntax)
    cache_dir = cache_folder(project.root) if options.cache else None
    _say(options, f"parsing {len(sources)} chapters")
    parsed = parse_chapters(sources, md, parser_key, diagnostics, cache_dir, memo, hashes)
    settings = {"labs_mode": options.labs, "keep_going": options.keep_going}
    return Reading(project, registry, md, parts, parsed, diagnostics, cache_dir, settings,
                   hashes if hashes is not None else FileHashes())  # fmt: skip


class Session:
    """One project's builds, each reusing what the previous one left where its inputs
    are unchanged (the preview server keeps one alive; ``build()`` makes one per call)."""

    def __init__(self, root: Path, options: BuildOptions) -> None:
        self.root = root
        self.options = options
        self.parsed: dict[str, ParsedChapter] = {}
        self.states: dict[str, FormatState] = {}
        self.hashes = FileHashes()

    def build(self) -> BuildResult:
        """Build once. Raises BuildFailed after reporting every error."""
        # Millions of long-lived token objects: a cyclic collection in the middle of a
        # build scans them all for nothing (seconds on a big book). Collect afterwards.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._build()
        finally:
            if collecting:
                gc.enable()

    def _build(self) -> BuildResult:
        options = self.options
        started = time.perf_counter()
        diagnostics = Diagnostics(strict=options.strict, stream=options.stream)
        inputs = None
        if options.record and options.write and options.cache:
            # Hashed before anything is read: an edit during the build must not be recorded.
            inputs = options.inputs or input_digests(
                self.root, [self._out_hint(), cache_folder(self.root.resolve())]
            )
        reading = read(self.root, options, diagnostics, self.parsed, self.hashes)
        project = reading.project
        formats = formats_of(options, project)
        out = (options.out or project.root / project.config.output_dir).resolve()
        result = BuildResult(0, diagnostics, 0.0, out if options.write else None)
        if not options.write:
            for fmt in formats:
                result.books[fmt], result.contexts[fmt] = reading.transform(fmt, {})
            result.seconds = time.perf_counter() - started
            reading.save_cache()
            _finish(result)
            return result
        with staging(out) as stage:
            for fmt in formats:
                writer = reading.registry.writers.get(fmt)
                if writer is None:
                    diagnostics.error(
                        f"output format '{fmt}' is not available in this version; use --to html"
                    )
                    continue
                state = self.states.setdefault(fmt, FormatState())
                previous = out if out.is_dir() else None
                extra = {"downloads": download_links(project.config, formats, options.volumes),
                         "hashes": self.hashes,
                         "previous_output": previous}  # fmt: skip
                book, ctx = reading.transform(fmt, extra, state, self._scope())
                result.books[fmt], result.contexts[fmt] = book, ctx
                if diagnostics.errors:
                    break
                if options.chapters:
                    ctx.data["chapter_scope"] = ctx.data["scope"]
                result.rendered += self._render(book, ctx, state, reading)
                _say(options, f"writing {fmt}")
                for edition in editions(book, options.volumes, fmt):
                    ctx.data["edition"] = edition
                    result.pages += writer.write(book, ctx, stage)
            if (options.chapters or options.volumes) and out.is_dir() and not diagnostics.errors:
                fill_from(out, stage)
            result.seconds = time.perf_counter() - started
            _finish(result)
        reading.save_cache()
        if inputs is not None and reading.cache_dir is not None:
            messages = [str(d) for d in diagnostics.items]
            save(reading.cache_dir, Stamp(options.command_key(self.root), environment_key(),
                                          inputs, str(out), output_stats(out), messages,
                                          summary(result)))  # fmt: skip
        return result

    def _scope(self) -> Callable[[Book], set[str] | None] | None:
        """The chapters to render, picked once the book's chapters are known."""
        chapters, volumes = self.options.chapters, self.options.volumes
        if chapters:
            return lambda book: {c.rel for c in select_chapters(book, chapters)}
        if volumes:
            return lambda book: volume_scope(book, volumes)
        return None

    def _out_hint(self) -> Path:
        """The output folder before the config is read (for leaving it out of the inputs);
        the config's own choice is caught because a changed config changes the inputs."""
        if self.options.out is not None:
            return self.options.out.resolve()
        with contextlib.suppress(Exception):
            return (self.root / load_project(self.root).config.output_dir).resolve()
        return (self.root / "_site").resolve()

    def _render(self, book: Book, ctx: BuildContext, state: FormatState, reading: Reading) -> int:
        """Step 5: fragments for every chapter, from the previous build (or an earlier
        process's, on disk) where the chapter's render inputs hash the same. Returns how
        many chapters were rendered anew."""
        keys = ctx.data["chapter_keys"]
        scope = ctx.data.get("scope")
        store = None
        if reading.cache_dir is not None:
            store = ChapterStore(reading.cache_dir / "rendered" / ctx.format)
        ready: dict[str, RenderedChapter] = {}
        kept = {rel: v for rel, v in state.rendered.items() if scope is not None and rel not in scope}
        todo: list[tuple[Chapter, str]] = []
        for chapter in book.chapters:
            if scope is not None and chapter.rel not in scope:
                continue
            key = render_key(chapter, book, ctx, keys[chapter.rel])
            previous = state.rendered.get(chapter.rel)
            if (previous is None or previous[0] != key) and store is not None:
                previous = store.load(chapter.rel, key)
            if previous is not None and previous[0] == key:
                kept[chapter.rel] = previous
            else:
                todo.append((chapter, key))

        def render(chapter: Chapter) -> tuple[RenderedChapter, list[Diagnostic]]:
            main = ctx.diagnostics
            ctx.diagnostics = Diagnostics(strict=main.strict)
            try:
                return render_chapter(chapter, book, ctx), ctx.diagnostics.items
            finally:
                ctx.diagnostics = main

        # Biggest first, so that two workers finish at about the same time.
        todo.sort(key=lambda item: -len(item[0].tokens))
        for (chapter, key), (fragments, problems) in zip(
            todo, fork_map(render, [c for c, _ in todo]), strict=True
        ):
            kept[chapter.rel] = (key, fragments, problems)
            if store is not None:
                reading.unsaved.append((store, chapter.rel, key, kept[chapter.rel]))
        for chapter in book.chapters:
            if chapter.rel in kept and (scope is None or chapter.rel in scope):
                ctx.diagnostics.extend_items(kept[chapter.rel][2])
                ready[chapter.rel] = kept[chapter.rel][1]
        state.rendered = kept
        ctx.data["rendered"] = ready
        ctx.data["render_keys"] = {rel: entry[0] for rel, entry in kept.items()}
        return len(todo)


def build(root: Path, options: BuildOptions) -> BuildResult:
    """Build the project in ``root``. Raises BuildFailed after reporting every error."""
    return Session(root, options).build()


def formats_of(options: BuildOptions, project: Project) -> list[str]:
    """The formats to build: the command line's, else the config's, else HTML."""
    return options.formats or list(project.config.formats) or ["html"]


def _registry(project: Project) -> Registry:
    registry = core_registry()
    for name in project.config.plugins:
        registry.load_plugin(name)
    return registry


def _finish(result: BuildResult) -> None:
    if result.diagnostics.errors:
        raise BuildFailed(summary(result), result)


def summary(result: BuildResult) -> str:
    d = result.diagnostics
    return (
        f"{result.pages} pages, {len(d.warnings)} warning{'s' * (len(d.warnings) != 1)}, "
        f"{len(d.errors)} error{'s' * (len(d.errors) != 1)}, {result.seconds:.2f} s"
    )


def _say(options: BuildOptions, message: str) -> None:
    if options.stream is not None:
        print(message, file=options.stream)


__all__ = ["FORMATS", "BuildOptions", "BuildResult", "Session", "build", "cache_folder", "summary"]
