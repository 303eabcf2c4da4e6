"""The no-change fast path: after a build, record the content hash of everything it could
have read and the files it wrote; the next identical command whose inputs all hash the
same, on a machine with the same tools, and whose output is still as written, does
nothing and says so.

Deliberately light (no Markdown parser, no YAML): it runs before the pipeline is even
imported, which is most of what a no-change build would otherwise cost.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import sys
import sysconfig
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .fingerprint import digest_bytes, digest_text, project_files, write_atomic

_PACKAGE = Path(__file__).resolve().parent
_TOOLS = ("lualatex", "pdflatex", "xelatex", "dvisvgm", "pdftocairo", "node", "mpy-cross", "java")
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "pygments", "weasyprint", "ebooklib",
              "bibtexparser", "pyyaml", "latex2mathml", "ziamath", "numpy", "matplotlib")  # fmt: skip
SCHEMA = 1


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


@dataclass
class Stamp:
    """What a successful build read and wrote."""

    command: str
    """Hash of the command's options (formats, output folder, strictness, …)."""
    environment: str
    inputs: dict[str, str]
    """Input file (relative to the project, or absolute outside it) → content hash."""
    out: str
    outputs: dict[str, list[int]]
    """Output file → [size, modification time in ns] as the build left it."""
    messages: list[str] = field(default_factory=list)
    """The build's warnings, shown again when it is skipped."""
    summary: str = ""


def command_key(root: Path, **options: object) -> str:
    return digest_text(SCHEMA, root.resolve(), sorted(options.items()))


def environment_key() -> str:
    """Tools and library versions a build's result depends on (TeX present or not, …)."""
    # The installed distributions' folder names carry their versions; reading them is
    # much faster than importing importlib.metadata.
    wanted = {name.replace("-", "_").lower() for name in _LIBRARIES}
    versions = []
    for folder in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        with contextlib.suppress(OSError):
            versions += sorted(
                n for n in os.listdir(folder)
                if n.endswith(".dist-info") and n.split("-")[0].lower() in wanted
            )  # fmt: skip
    tools = [(t, shutil.which(t)) for t in _TOOLS]
    return digest_text(sys.version, sorted(versions), tools)


def input_digests(root: Path, skip: list[Path]) -> dict[str, str]:
    """Every file of the project (minus output and hidden folders), plus mlsysgen's own
    code and theme: the widest set a build can read, hashed by content."""
    root = root.resolve()
    named: list[tuple[str, Path]] = []
    for folder, base in ((root, root), (_PACKAGE, _PACKAGE.parent)):
        named += [(p.relative_to(base).as_posix(), p) for p in project_files(folder, skip)]
    for kind in ("templates", "static"):
        theme = _PACKAGE.parent / kind
        if theme.is_dir() and not theme.is_relative_to(root):
            named += [(str(p), p) for p in project_files(theme)]
    return _digests(named)


def _digests(named: list[tuple[str, Path]], threads: int = 2) -> dict[str, str]:
    """Content hashes by name, unreadable files left out. Reading and SHA-256 release the
    GIL, so two threads take about half the time on the real book's 85 MB."""
    hashed: list[tuple[str, str]] = []

    def work(part: list[tuple[str, Path]]) -> None:
        for name, path in part:
            try:
                hashed.append((name, digest_bytes(path.read_bytes())))
            except OSError:
                continue

    workers = [threading.Thread(target=work, args=(named[i::threads],)) for i in range(1, threads)]
    for worker in workers:
        worker.start()
    work(named[::threads])
    for worker in workers:
        worker.join()
    order = {name: n for n, (name, _) in enumerate(named)}
    return dict(sorted(hashed, key=lambda item: order[item[0]]))


def output_stats(out: Path) -> dict[str, list[int]]:
    stats: dict[str, list[int]] = {}
    for path in project_files(out):
        st = path.stat()
        stats[path.relative_to(out).as_posix()] = [st.st_size, st.st_mtime_ns]
    return stats


def stamp_path(cache_dir: Path, command: str) -> Path:
    return cache_dir / "stamps" / f"{command}.json"


def save(cache_dir: Path, stamp: Stamp) -> None:
    write_atomic(stamp_path(cache_dir, stamp.command), json.dumps(stamp.__dict__).encode())


def fresh(root: Path, command: str) -> tuple[Stamp | None, dict[str, str] | None]:
    """The stamp of the last build of ``command`` if nothing changed since, else None; and
    the input hashes taken to decide, if it came to that (the build then reuses them)."""
    stamp, inputs = _check(root.resolve(), command)
    if stamp is None or inputs != stamp.inputs:
        return None, inputs
    return stamp, inputs


def _check(root: Path, command: str) -> tuple[Stamp | None, dict[str, str] | None]:
    try:
        cache_dir = cache_folder(root)
        data = json.loads(stamp_path(cache_dir, command).read_text(encoding="utf-8"))
        stamp = Stamp(**data)
    except (OSError, ValueError, TypeError):
        return None, None
    out = Path(stamp.out)
    if stamp.environment != environment_key() or not out.is_dir():
        return None, None
    try:
        if output_stats(out) != stamp.outputs:
            return None, None
    except OSError:
        return None, None
    return stamp, input_digests(root, [out, cache_dir])


__all__ = ["Stamp", "cache_folder", "command_key", "environment_key", "fresh", "input_digests",
           "output_stats", "save"]  # fmt: skip
