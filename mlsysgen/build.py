"""The pipeline as a flat list of steps:

1. load and validate the config;  2. discover the chapters;  3. parse each chapter once
(cached by content hash);  4. for each format: copy the tree, run the transforms (which
build the project-wide index), and let the writer package the rendered fragments into a
staging folder;  5. fail once if anything was an error, else swap the output in.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from markdown_it import MarkdownIt

from .config.load import Project, load_project
from .diagnostics import Diagnostics
from .discover import discover
from .errors import BuildFailed
from .model import Book, PartInfo
from .output import staging
from .parse.chapters import ParsedChapter, parse_chapters
from .parse.markdown import make_parser, parser_fingerprint
from .registry import Registry, core_registry
from .transforms.base import BuildContext, run_transforms

FORMATS = ("html", "pdf", "epub")


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


@dataclass
class BuildResult:
    pages: int
    diagnostics: Diagnostics
    seconds: float
    out: Path | None
    books: dict[str, Book] = field(default_factory=dict)
    contexts: dict[str, BuildContext] = field(default_factory=dict)


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

    def transform(self, fmt: str, data: dict[str, Any]) -> tuple[Book, BuildContext]:
        """Step 4a: a fresh copy of the tree for ``fmt``, through every transform."""
        book = Book(self.project, [p.load() for p in self.parsed], list(self.parts))
        data = {
            "render_rules": self.registry.render_rules,
            "theme_assets": self.registry.theme_assets,
            "cache_dir": self.cache_dir,
            **self.settings,
            **data,
        }
        ctx = BuildContext(fmt, self.diagnostics, self.md, self.project.config.options(fmt), data)
        run_transforms(self.registry.transforms, book, ctx)
        return book, ctx


def read(root: Path, options: BuildOptions, diagnostics: Diagnostics) -> Reading:
    """Load the config, discover the chapters and parse each once (cached by content hash)."""
    project = load_project(root)
    for note in project.notes:
        _say(options, f"note: {note}")
    registry = _registry(project)
    sources, parts = discover(project, diagnostics)
    md = make_parser(registry.xref_kinds, registry.syntax)
    parser_key = parser_fingerprint(registry.xref_kinds, registry.syntax)
    cache_dir = cache_folder(project.root) if options.cache else None
    _say(options, f"parsing {len(sources)} chapters")
    parsed = parse_chapters(sources, md, parser_key, diagnostics, cache_dir)
    settings = {"labs_mode": options.labs, "keep_going": options.keep_going}
    return Reading(project, registry, md, parts, parsed, diagnostics, cache_dir, settings)


def build(root: Path, options: BuildOptions) -> BuildResult:
    """Build the project in ``root``. Raises BuildFailed after reporting every error."""
    started = time.perf_counter()
    diagnostics = Diagnostics(strict=options.strict, stream=options.stream)
    reading = read(root, options, diagnostics)
    project = reading.project
    formats = options.formats or list(project.config.formats) or ["html"]
    out = (options.out or project.root / project.config.output_dir).resolve()
    result = BuildResult(0, diagnostics, 0.0, out if options.write else None)
    if not options.write:
        for fmt in formats:
            result.books[fmt], result.contexts[fmt] = reading.transform(fmt, {})
        result.seconds = time.perf_counter() - started
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
            book, ctx = reading.transform(fmt, {"downloads": _downloads(project, formats)})
            result.books[fmt], result.contexts[fmt] = book, ctx
            if diagnostics.errors:
                break
            _say(options, f"writing {fmt}")
            result.pages += writer.write(book, ctx, stage)
        result.seconds = time.perf_counter() - started
        _finish(result)
    return result


def cache_folder(root: Path) -> Path:
    """``PROJECT/.mlsysgen/cache``, unless the project folder is read-only (a shared or
    vendored source tree): then a per-user cache keyed by the project's path.
    ``MLSYSGEN_CACHE_DIR`` overrides both."""
    override = os.environ.get("MLSYSGEN_CACHE_DIR")
    if override:
        return Path(override) / hashlib.sha256(str(root).encode()).hexdigest()[:16]
    if root.stat().st_mode & stat.S_IWUSR:
        return root / ".mlsysgen" / "cache"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlsysgen" / hashlib.sha256(str(root).encode()).hexdigest()[:16]


def _registry(project: Project) -> Registry:
    registry = core_registry()
    for name in project.config.plugins:
        registry.load_plugin(name)
    return registry


def _downloads(project: Project, formats: list[str]) -> list[dict[str, str]]:
    return [{"label": fmt.upper(), "href": f"{project.config.file_stem()}.{fmt}"}
            for fmt in formats if fmt in ("pdf", "epub")]  # fmt: skip


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


__all__ = ["FORMATS", "BuildOptions", "BuildResult", "build", "summary"]
