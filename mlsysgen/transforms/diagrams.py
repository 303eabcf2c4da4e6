"""``{.tikz}`` blocks → inline SVG, drawn by TeX or taken from the diagram cache.

A book-scope pass (after figures, which marked every block as a placeholder, and
before the index is collected): the whole book's blocks are drawn together, so a cold
build keeps every core busy and problems are summed up once rather than per block.
Each drawn block gets ``meta["diagram"]``: its SVG's content hash, the id prefix that
makes its ids unique in the book, and the figure caption as accessible name; the
renderer places the SVG (``diagrams.place_svg``, the text from
``ctx.data["diagram_svgs"]`` by hash) instead of the placeholder. The text stays off the
token, so stored chapter runs do not carry megabytes of drawings. Running the pass again
over the same chapters sets the same values.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from ..config.schema import DiagramOptions
from ..diagrams import (
    DiagramStore,
    Failure,
    MissingTool,
    Outcome,
    TexDocument,
    TexError,
    Toolchain,
    cpu_count,
    draw_all,
    explain,
    find_toolchain,
    source_key,
    tex_document,
    writable,
)
from ..errors import Location
from ..fingerprint import digest_text
from ..model import Book, Chapter
from .base import BuildContext
from .tokens import block_end, inline_text

PRIORITY = 60
PLACEHOLDER = "TikZ diagram"


@dataclass
class Block:
    """One ``{.tikz}`` fence and what it needs to be drawn and placed."""

    chapter: Chapter
    token: Token
    figure_id: str
    """Id of the enclosing figure ("" outside figures)."""
    label: str
    """Accessible name: the figure caption as plain text."""
    prefix: str = ""
    """Prepended to every id in the SVG: unique in the book, so also on any page."""
    document: TexDocument | None = None
    """The LaTeX document that draws it (set once the preamble is known)."""

    @property
    def key(self) -> str:
        assert self.document is not None
        return source_key(self.document)

    @property
    def name(self) -> str:
        return f"TikZ diagram '{self.figure_id}'" if self.figure_id else "TikZ diagram"

    @property
    def where(self) -> Location:
        return self.chapter.where(self.token)


def render_diagrams(book: Book, ctx: BuildContext) -> None:
    """Draw (or fetch) every TikZ block of the book and attach its SVG. Outlines (the
    chapters a scoped build does not render) only take part in naming the blocks."""
    blocks = [b for b in _find_blocks(book) if not b.chapter.outline]
    if not blocks:
        return
    started = time.perf_counter()
    options = book.project.config.diagrams
    for block in blocks:
        block.token.meta["placeholder"] = PLACEHOLDER
    ctx.data["diagrams"] = {"blocks": len(blocks), "unique": 0, "drawn": 0, "failed": 0,
                            "seconds": 0.0}  # fmt: skip
    if not options.tikz:
        for block in blocks:
            block.token.meta.pop("diagram", None)
        ctx.diagnostics.warning(
            f"{_as_placeholders(len(blocks))}: drawing is turned off "
            "(diagrams: tikz: false); remove that setting to draw them",
            blocks[0].where,
        )
        return
    preamble = _preamble(options, book, ctx, blocks)
    for block in blocks:
        block.document = tex_document(block.token.content, preamble)
    documents = [b.document for b in blocks if b.document is not None]
    store = _store(options, book, ctx)
    tools, missing_tool = _toolchain(options, ctx.data.get("cache_dir"))
    outcomes = draw_all(documents, store, tools, options.timeout, options.jobs,
                        _announcer(ctx, tools, options, store))  # fmt: skip
    _apply(blocks, outcomes, ctx, tools, options)
    _report_missing(blocks, outcomes, ctx, missing_tool, store, book.project.root)
    _report_unsaved(blocks[0], outcomes, ctx, store)
    ctx.data["diagrams"] = {
        "blocks": len(blocks),
        "unique": len(outcomes),
        "drawn": sum(1 for o in outcomes.values() if o.drawn),
        "failed": sum(1 for o in outcomes.values() if o.failure is not None),
        "seconds": time.perf_counter() - started,
    }


# ---- finding the blocks ----------------------------------------------------------------------
def _find_blocks(book: Book) -> Iterator[Block]:
    used: set[str] = set()
    for chapter in book.chapters:
        found = chapter.walks.get("tikz_blocks")  # the tree's structure is final by now
        if found is None:
            bodies = [chapter.tokens, *chapter.env.get("notes", {}).values()]
            found = chapter.walks["tikz_blocks"] = [b for t in bodies for b in _blocks_in(chapter, t)]
        for block in found:
            block.prefix = _unique_prefix(block, used)
            yield block


def _unique_prefix(block: Block, used: set[str]) -> str:
    """``fig-x-`` for the block in figure ``fig-x`` (``tikz-<chapter>-`` outside figures),
    numbered from 2 when taken: a PDF holds every chapter on one page."""
    base = _id_safe(block.figure_id or f"tikz-{Path(block.chapter.rel).stem}")
    prefix, n = f"{base}-", 1
    while prefix in used:
        n += 1
        prefix = f"{base}-{n}-"
    used.add(prefix)
    return prefix


def _blocks_in(chapter: Chapter, tokens: list[Token]) -> Iterator[Block]:
    figures: list[tuple[int, int]] = []  # (index of figure_open, index of its close)
    for i, token in enumerate(tokens):
        while figures and i > figures[-1][1]:
            figures.pop()
        if token.type == "figure_open":
            figures.append((i, block_end(tokens, i)))
        elif token.type == "fence" and token.meta.get("lang") == "tikz":
            fid, label = "", "Diagram"  # outside a figure nothing names it better
            if figures:
                start, end = figures[-1]
                fid = str(tokens[start].attrGet("id") or "")
                label = _caption_text(tokens, start, end) or "Diagram"
            yield Block(chapter, token, fid, label)


def _caption_text(tokens: list[Token], start: int, end: int) -> str:
    depth = 0
    for i in range(start + 1, end):
        token = tokens[i]
        if token.type == "figure_open":
            depth += 1
        elif token.type == "figure_close":
            depth -= 1
        elif token.type == "figcaption_open" and depth == 0 and tokens[i + 1].type == "inline":
            return inline_text(tokens[i + 1])
    return ""


def _id_safe(text: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", text)
    return safe if safe[:1].isalpha() else f"d{safe}"


# ---- inputs: preamble, cache folder, tools ---------------------------------------------------
def _preamble(
    options: DiagramOptions, book: Book, ctx: BuildContext, blocks: list[Block]
) -> tuple[str, ...]:
    lines = tuple(options.header_includes)
    if not options.preamble:
        return lines
    path = book.project.root / options.preamble
    for rel in dict.fromkeys(b.chapter.rel for b in blocks):
        ctx.add_dependency(rel, path)
    try:
        return (*lines, path.read_text(encoding="utf-8").rstrip("\n"))
    except OSError as exc:
        ctx.diagnostics.error(
            f"diagrams: preamble file {options.preamble} cannot be read ({exc.strerror}); "
            "fix the path (relative to the project root) or remove the option",
            blocks[0].where,
        )
        return lines


def _store(options: DiagramOptions, book: Book, ctx: BuildContext) -> DiagramStore:
    """The project's cache folder; when it is read-only, new drawings go to a fallback
    folder and both are read (the project's first: those are the ones a book commits)."""
    folder = book.project.root / options.cache_dir
    texts = ctx.data.get("memo", {}).setdefault("diagram_texts", {})
    if writable(folder):
        return DiagramStore([folder], folder, texts=texts)
    return DiagramStore([folder, _fallback_folder(ctx)], _fallback_folder(ctx), texts=texts)


def _fallback_folder(ctx: BuildContext) -> Path:
    """The build cache's ``diagrams/`` (per user for a read-only project); without a build
    cache (``--no-cache``), the per-user one shared by all projects (entries are named by
    content hash, so sharing is safe)."""
    cache_dir = ctx.data.get("cache_dir")
    if cache_dir is not None:
        return Path(cache_dir) / "diagrams"
    override = os.environ.get("MLSYSGEN_CACHE_DIR")
    if override:
        return Path(override) / "diagrams"
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "mlsysgen" / "diagrams"


def _toolchain(options: DiagramOptions, cache_dir: Path | None) -> tuple[Toolchain | None, str]:
    try:
        return find_toolchain(options.engine, options.converter, cache_dir), ""
    except MissingTool as exc:
        return None, str(exc)


def _announcer(
    ctx: BuildContext, tools: Toolchain | None, options: DiagramOptions, store: DiagramStore
) -> Callable[[int], None] | None:
    """Says, before a (slow) cold run, how many blocks TeX draws and where they are kept."""
    stream = ctx.diagnostics.stream
    if stream is None or tools is None:
        return None
    where = f"caching them in {store.write_to}"
    if store.write_to != store.folders[0]:
        where += f" ({store.folders[0]} is read-only)"

    def announce(count: int) -> None:
        at_once = options.jobs or cpu_count()
        print(f"drawing {_count(count)} with {tools.engine.name}, {at_once} at a time; "
              f"{where}", file=stream)  # fmt: skip

    return announce


# ---- results ---------------------------------------------------------------------------------
def _apply(
    blocks: list[Block],
    outcomes: dict[str, Outcome],
    ctx: BuildContext,
    tools: Toolchain | None,
    options: DiagramOptions,
) -> None:
    shared: dict[str, list[Block]] = {}
    # A content hash of each SVG for the render key (which later processes compare, so not
    # hash()), taken once per distinct drawing in a long-running session.
    memo = ctx.data.get("memo", {})
    known, digests = memo.get("svg_digests", {}), {}
    svgs: dict[str, str] = ctx.data.setdefault("diagram_svgs", {})
    for block in blocks:
        outcome = outcomes[block.key]
        meta = block.token.meta
        if outcome.svg is None:
            meta.pop("diagram", None)
        else:
            # "placeholder" stays: the renderer prefers the drawing, and the search index
            # still leaves the TikZ source out. The renderer places the SVG (a few regex
            # passes), so a scoped build pays only for the chapters it renders.
            svg = outcome.svg
            digest = digests[svg] = digests.get(svg) or known.get(svg) or digest_text(svg)
            svgs[digest] = svg
            meta["diagram"] = (digest, block.prefix, block.label)
            meta["diagram_stamp"] = (block.key, digest, block.prefix, block.label)
        if outcome.failure is not None and tools is not None:
            message, is_shared = _failure_message(block, outcome.failure, tools, options)
            if is_shared:
                shared.setdefault(message, []).append(block)
            else:
                ctx.diagnostics.error(message, block.where)
    for message, affected in shared.items():
        ctx.diagnostics.error(f"{message} ({_count(len(affected))} not drawn)", affected[0].where)
    memo["svg_digests"] = digests


def _failure_message(
    block: Block, failure: Failure, tools: Toolchain, options: DiagramOptions
) -> tuple[str, bool]:
    """The error text for a failed block, and whether every block shares it (a broken
    preamble or TeX installation: reported once, not per block)."""
    engine = tools.engine.name
    if failure.kind == "timeout":
        return (
            f"{block.name} did not compile within {options.timeout:g} s ({engine}); "
            "simplify it or raise diagrams.timeout"
        ), False
    if failure.kind == "convert":
        return (
            f"{block.name} compiled, but {tools.converter.name} could not convert it to SVG: "
            f"{failure.detail}"
        ), False
    assert failure.error is not None
    return _tex_error_message(block, failure.error, engine)


def _tex_error_message(block: Block, error: TexError, engine: str) -> tuple[str, bool]:
    assert block.document is not None
    why = explain(block.document, error)
    if why.cause == "preamble":
        return (
            f'the TikZ preamble does not compile ({engine}): {why.said} in "{why.entry}"; '
            "install the TeX package it needs (make tikz-deps) or fix diagrams.header-includes"
        ), True
    if why.cause == "setup":
        inside = f" (in {why.where})" if why.where else ""
        return (
            f"TikZ diagrams cannot compile ({engine}): {why.said}{inside}; install the missing "
            "TeX packages (make tikz-deps)"
        ), True
    failed = f"{block.name} does not compile ({engine}): {why.said}"
    if why.line is not None and block.token.map:
        # The block's first code line is the line after its opening fence.
        line = block.token.map[0] + 1 + why.line
        after = f', after "{why.context}"' if why.context else ""
        return f"{failed} at line {line}{after}; fix the TikZ code there", False
    return f"{failed}; fix the TikZ code (are its braces and environments balanced?)", False


def _report_missing(
    blocks: list[Block],
    outcomes: dict[str, Outcome],
    ctx: BuildContext,
    missing_tool: str,
    store: DiagramStore,
    root: Path,
) -> None:
    """One warning for every block that has neither a drawing nor a way to draw one."""
    undrawn = [b for b in blocks if outcomes[b.key].undrawn]
    if not undrawn:
        return
    folders = [_shown(f, root) for f in store.folders]
    ctx.diagnostics.warning(
        f"{_as_placeholders(len(undrawn))}: {missing_tool} and no drawing cached "
        f"in {' or '.join(folders)}; install TeX (make tikz-deps), or build once where it is "
        f"installed and commit {folders[0]}",
        undrawn[0].where,
    )


def _report_unsaved(
    first: Block, outcomes: dict[str, Outcome], ctx: BuildContext, store: DiagramStore
) -> None:
    unsaved = [o.unsaved for o in outcomes.values() if o.unsaved]
    if unsaved:
        ctx.diagnostics.warning(
            f"{_count(len(unsaved))} drawn but not cached in {store.write_to} ({unsaved[0]}); "
            "they will be drawn again next time: make the folder writable or set "
            "diagrams.cache-dir",
            first.where,
        )


def _count(n: int) -> str:
    return f"{n} TikZ diagram{'s' if n != 1 else ''}"


def _as_placeholders(n: int) -> str:
    return f"{_count(n)} shown as {'placeholders' if n != 1 else 'a placeholder'}"


def _shown(folder: Path, root: Path) -> str:
    """A folder as messages show it: relative to the project when inside it."""
    try:
        return f"{folder.relative_to(root).as_posix()}/"
    except ValueError:
        return f"{folder}/"


__all__ = ["PRIORITY", "render_diagrams"]
