"""Many TeX documents → cleaned SVG: from the cache where possible, the rest drawn in
parallel (TeX runs in subprocesses, so threads keep every core busy)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .cache import DiagramStore, source_key, tools_key
from .compile import Failure, compile_svg
from .document import TexDocument
from .engines import Toolchain
from .svg import SvgError, clean_svg


@dataclass(frozen=True)
class Outcome:
    """What became of one document: its SVG, or why there is none (no tools: neither)."""

    svg: str | None = None
    failure: Failure | None = None
    drawn: bool = False
    """Compiled in this build (not taken from the cache)."""
    unsaved: str = ""
    """Why a drawn SVG could not be written to the cache (an OSError's text)."""

    @property
    def undrawn(self) -> bool:
        """Neither drawn nor failed: there was no cache entry and no TeX to draw it."""
        return self.svg is None and self.failure is None


def draw_all(
    documents: list[TexDocument],
    store: DiagramStore,
    tools: Toolchain | None,
    timeout: float,
    jobs: int = 0,
    announce: Callable[[int], None] | None = None,
) -> dict[str, Outcome]:
    """Outcomes by :func:`~mlsysgen.diagrams.cache.source_key`. With ``tools`` None,
    documents without a cache entry get an empty Outcome. ``announce(n)`` is called
    before ``n`` documents are compiled."""
    tools_id = tools_key(tools.fingerprint) if tools is not None else None
    outcomes: dict[str, Outcome] = {}
    missing: dict[str, TexDocument] = {}
    for document in documents:
        key = source_key(document)
        if key in outcomes or key in missing:
            continue
        svg = store.get(key, tools_id)
        if svg is not None:
            outcomes[key] = Outcome(svg)
        elif tools is None:
            outcomes[key] = Outcome()
        else:
            missing[key] = document
    if not missing or tools is None or tools_id is None:
        return outcomes
    if announce is not None:
        announce(len(missing))

    def draw(key: str) -> Outcome:
        return _draw(missing[key], key, store, tools, tools_id, timeout)

    with ThreadPoolExecutor(max_workers=jobs or cpu_count()) as pool:
        outcomes.update(zip(missing, pool.map(draw, missing), strict=True))
    return outcomes


def _draw(
    document: TexDocument,
    key: str,
    store: DiagramStore,
    tools: Toolchain,
    tools_id: str,
    timeout: float,
) -> Outcome:
    ready = store.written_since(key, tools_id)
    if ready is not None:
        return Outcome(ready)
    result = compile_svg(document, tools, timeout)
    if isinstance(result, Failure):
        return Outcome(failure=result, drawn=True)
    try:
        svg = clean_svg(result)
    except SvgError as exc:
        return Outcome(failure=Failure("convert", detail=str(exc)), drawn=True)
    try:
        store.put(key, tools_id, tools.fingerprint, svg)
    except OSError as exc:
        return Outcome(svg, drawn=True, unsaved=str(exc))
    return Outcome(svg, drawn=True)


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


__all__ = ["Outcome", "cpu_count", "draw_all"]
