"""Find the TeX engine and the PDF → SVG converter, and name their versions.

The versions are part of a diagram's cache key: an SVG made by another TeX release
may differ, so a machine with TeX redraws what another release drew.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass

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


def find_toolchain(engine: str = "", converter: str = "") -> Toolchain:
    """The configured engine/converter when installed, else the first of ENGINES/CONVERTERS
    found on PATH. Raises MissingTool naming what is missing."""
    found_engine = _first([engine, *ENGINES] if engine else list(ENGINES))
    if found_engine is None:
        raise MissingTool(f"no TeX engine found ({_names(engine, ENGINES)})")
    found_converter = _first([converter, *CONVERTERS] if converter else list(CONVERTERS))
    if found_converter is None:
        raise MissingTool(f"no PDF to SVG converter found ({_names(converter, CONVERTERS)})")
    return Toolchain(found_engine, found_converter)


def _names(configured: str, defaults: tuple[str, ...]) -> str:
    names = list(dict.fromkeys([configured, *defaults] if configured else defaults))
    return ", ".join(names[:-1]) + " or " + names[-1]


def _first(candidates: list[str]) -> Tool | None:
    for candidate in dict.fromkeys(candidates):
        tool = _tool(candidate, os.environ.get("PATH", ""))
        if tool is not None:
            return tool
    return None


@functools.lru_cache(maxsize=32)
def _tool(name: str, search_path: str) -> Tool | None:
    """``name`` (a program name or a path) with its version; cached per PATH so a build
    asks each program once."""
    path = shutil.which(name, path=search_path)
    if path is None:
        return None
    base = os.path.basename(name)
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
    return Tool(base, path, lines[0].strip() if lines else "unknown version")


__all__ = ["CONVERTERS", "ENGINES", "MissingTool", "Tool", "Toolchain", "find_toolchain"]
