"""Run independent work items on every core: forked workers inherit the parent's memory
(the parsed book, the parser), so nothing large is pickled on the way in; only results
come back. Falls back to a plain loop where ``fork`` is unavailable or the work is small.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

def workers() -> int:
    """Cores this process may use (``MLSYSGEN_JOBS`` overrides; 1 turns parallelism off)."""
    override = os.environ.get("MLSYSGEN_JOBS")
    if override and override.isdigit():
        return max(1, int(override))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def fork_map(fn: Callable[[T], R], items: Sequence[T], minimum: int = 4) -> list[R]:
    """``[fn(x) for x in items]``, spread over forked workers when there are at least
    ``minimum`` items and more than one core. ``fn`` and ``items`` may hold anything:
    workers get them by inheritance, not by pickling; results are pickled back."""
    jobs = min(workers(), len(items))
    if jobs < 2 or len(items) < minimum:
        return [fn(x) for x in items]
    # Imported here: most incremental builds never fork (10 ms of every command).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in items]
    global _WORK
    _WORK = (fn, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(_run, range(len(items))))
    finally:
        _WORK = None


_WORK: tuple[Callable[..., object], Sequence[object]] | None = None


def _run(index: int) -> object:
    assert _WORK is not None, "workers are forked after the work is set"
    fn, items = _WORK
    return fn(items[index])
