"""The pipeline as a flat list of steps:

1. load and validate the config;  2. discover the chapters;  3. parse each chapter once
(cached by content hash);  4. for each format: copy the tree, run the transforms (which
build the project-wide index), and let the writer package the rendered fragments into a
staging folder;  5. fail once if anything was an error, else swap the output in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .config.load import Project, load_project
from .diagnostics import Diagnostics
from .discover import discover
from .errors import BuildFailed
from .model import Book
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


@dataclass
class BuildResult:
    pages: int
    diagnostics: Diagnostics
    seconds: float
    out: Path | None
    books: dict[str, Book] = field(default_factory=dict)
    contexts: dict[str, BuildContext] = field(default_factory=dict)


def build(root: Path, options: BuildOptions) -> BuildResult:
    """Build the project in ``root``. Raises BuildFailed after reporting every error."""
    started = time.perf_counter()
    diagnostics = Diagnostics(strict=options.strict, stream=options.stream)
    project = load_project(root)
    for note in project.notes:
        _say(options, f"note: {note}")
    registry = _registry(project)
    formats = options.formats or list(project.config.formats) or ["html"]
    sources, parts = discover(project, diagnostics)
    md = make_parser(registry.xref_kinds, registry.syntax)
    parser_key = parser_fingerprint(registry.xref_kinds, registry.syntax)
    cache_dir = project.root / ".mlsysgen" / "cache" if options.cache else None
    _say(options, f"parsing {len(sources)} chapters")
    parsed = parse_chapters(sources, md, parser_key, diagnostics, cache_dir)
    out = (options.out or project.root / project.config.output_dir).resolve()
    result = BuildResult(0, diagnostics, 0.0, out if options.write else None)
    if not options.write:
        for fmt in formats:
            result.books[fmt], result.contexts[fmt] = _transform(
                project,
                parts,
                parsed,
                fmt,
                registry,
                md,
                diagnostics,
                {"render_rules": registry.render_rules},
            )
        result.seconds = time.perf_counter() - started
        _finish(result)
        return result
    with staging(out) as stage:
        for fmt in formats:
            writer = registry.writers.get(fmt)
            if writer is None:
                diagnostics.error(
                    f"output format '{fmt}' is not available in this version; use --to html"
                )
                continue
            data = {
                "downloads": _downloads(project, formats),
                "render_rules": registry.render_rules,
            }
            book, ctx = _transform(project, parts, parsed, fmt, registry, md, diagnostics, data)
            result.books[fmt] = book
            result.contexts[fmt] = ctx
            if diagnostics.errors:
                break
            _say(options, f"writing {fmt}")
            result.pages += writer.write(book, ctx, stage)
        result.seconds = time.perf_counter() - started
        _finish(result)
    return result


def _transform(project: Project, parts, parsed: list[ParsedChapter], fmt: str, registry: Registry,  # type: ignore[no-untyped-def]
               md, diagnostics: Diagnostics, data: dict) -> tuple[Book, BuildContext]:  # fmt: skip
    book = Book(project, [p.load() for p in parsed], list(parts))
    ctx = BuildContext(fmt, diagnostics, md, project.config.options(fmt), data)
    run_transforms(registry.transforms, book, ctx)
    return book, ctx


def _registry(project: Project) -> Registry:
    registry = core_registry()
    for name in project.config.plugins:
        registry.load_plugin(name)
    return registry


def _downloads(project: Project, formats: list[str]) -> list[dict[str, str]]:
    return [{"label": fmt.upper(), "href": f"{Path(project.config.output_dir).name}.{fmt}"}
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
