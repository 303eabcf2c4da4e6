"""Find the TeX engine and the PDF → SVG converter, and name their versions.

The versions are part of a diagram's cache key: an SVG made by another TeX release
may differ, so a machine with TeX redraws what another release drew.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..fingerprint import digest_bytes, write_atomic

ENGINES = ("lualatex", "pdflatex", "xelatex")
"""TeX engines tried in this order when the config names none (or one that is absent)."""
CONVERTERS = ("pdftocairo", "dvisvgm")
"""PDF → SVG converters tried in this order. pdftocairo first: dvisvgm's PDF mode (through
Ghostscript) leaves out shadings such as TikZ's ``ball color``."""


class MissingTool(Exception):
    """No TeX engine or no converter is installed; the message says which."""


@dataclass(frozen=True)
class Tool:
    """One program: how the config names it, where it is, and its version line."""

    name: str
    path: str
    version: str


@dataclass(frozen=True)
class Toolchain:
    """The TeX engine and converter that draw diagrams on this machine."""

    engine: Tool
    converter: Tool

    @property
    def fingerprint(self) -> str:
        """What the cache key records of the tools: names and versions, not paths."""
        engine, converter = self.engine, self.converter
        return f"{engine.name} ({engine.version}) and {converter.name} ({converter.version})"


def find_toolchain(engine: str = "", converter: str = "", cache_dir: Path | None = None) -> Toolchain:
    """The configured engine/converter when installed, else the first of ENGINES/CONVERTERS
    found on PATH. Raises MissingTool naming what is missing. With ``cache_dir`` (the build
    cache), a program's version is asked once per content of its executable: starting
    TeX and dvisvgm just to read their versions took 80 ms of every build with diagrams."""
    found_engine = _first([engine, *ENGINES] if engine else list(ENGINES), cache_dir)
    if found_engine is None:
        raise MissingTool(f"no TeX engine found ({_names(engine, ENGINES)})")
    found_converter = _first([converter, *CONVERTERS] if converter else list(CONVERTERS),
                             cache_dir)  # fmt: skip
    if found_converter is None:
        raise MissingTool(f"no PDF to SVG converter found ({_names(converter, CONVERTERS)})")
    return Toolchain(found_engine, found_converter)


def _names(configured: str, defaults: tuple[str, ...]) -> str:
    names = list(dict.fromkeys([configured, *defaults] if configured else defaults))
    return ", ".join(names[:-1]) + " or " + names[-1]


def _first(candidates: list[str], cache_dir: Path | None) -> Tool | None:
    for candidate in dict.fromkeys(candidates):
        tool = _tool(candidate, os.environ.get("PATH", ""), cache_dir)
        if tool is not None:
            return tool
    return None


@functools.lru_cache(maxsize=32)
def _tool(name: str, search_path: str, cache_dir: Path | None = None) -> Tool | None:
    """``name`` (a program name or a path) with its version; cached per PATH so a build
    asks each program once."""
    path = shutil.which(name, path=search_path)
    if path is None:
        return None
    base = os.path.basename(name)
    versions = _Versions(cache_dir)
    known = versions.get(path)
    if known is not None:
        return Tool(base, path, known)
    # pdftocairo prints its version on stderr and knows only -v; the TeX engines and
    # dvisvgm answer --version on stdout.
    flag = "-v" if base == "pdftocairo" else "--version"
    try:
        done = subprocess.run(
            [path, flag], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stdout + "\n" + done.stderr).strip().splitlines()
    version = lines[0].strip() if lines else "unknown version"
    versions.put(path, version)
    return Tool(base, path, version)


class _Versions:
    """Programs' version lines, stored in the build cache by the content hash of the
    executable (the file ``path`` leads to)."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.file = cache_dir / "tools.json" if cache_dir is not None else None

    def get(self, path: str) -> str | None:
        if self.file is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(self.file.read_text(encoding="utf-8"))
            entry = stored.get(path)
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == _content(path):
                return str(entry[1])
        return None

    def put(self, path: str, version: str) -> None:
        digest = _content(path) if self.file is not None else None
        if self.file is None or digest is None:
            return
        stored: dict[str, object] = {}
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(self.file.read_text(encoding="utf-8"))
        stored[path] = [digest, version]
        with contextlib.suppress(OSError):
            write_atomic(self.file, json.dumps(stored, indent=1).encode())


def _content(path: str) -> str | None:
    try:
        return digest_bytes(Path(path).read_bytes())
    except OSError:
        return None


__all__ = ["CONVERTERS", "ENGINES", "MissingTool", "Tool", "Toolchain", "find_toolchain"]
