"""Atomic output: build into a staging folder beside the target, then swap it in.

A failed build removes its staging folder and leaves the previous output untouched;
readers of the output folder never see a half-written site.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """Yield a fresh folder; on success it replaces ``out``, on failure it is removed."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    swap_in(stage, out)


def fill_from(previous: Path, stage: Path) -> None:
    """Give ``stage`` every file of ``previous`` that it lacks (a scoped build's other
    pages stay as the last build left them). Called after the writers are done, so the
    hard links it makes are never written through."""
    for folder, _, files in os.walk(previous):
        there = Path(folder)
        here = stage / there.relative_to(previous)
        here.mkdir(exist_ok=True)
        for name in files:
            if (here / name).exists():
                continue
            try:
                os.link(there / name, here / name)
            except OSError:  # another file system, or links not supported: copy
                shutil.copy2(there / name, here / name)


def swap_in(stage: Path, out: Path) -> None:
    """Replace ``out`` with ``stage`` using renames, so the switch is near-instant."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        # Out of sight already; removing a big site takes a while, so do it on the side.
        threading.Thread(target=shutil.rmtree, args=(old, True), name="remove-old-output").start()
