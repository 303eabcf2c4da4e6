"""Compile one TeX document to SVG: TeX → PDF in a scratch folder, then PDF → SVG.

Each call runs its own subprocesses in its own folder, so calls may run in parallel
threads. Failures are returned, not raised, so one bad diagram does not stop the rest.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .document import TexDocument
from .engines import Toolchain
from .texlog import LOG_ENVIRONMENT, TexError, first_error


@dataclass(frozen=True)
class Failure:
    """Why a diagram has no SVG."""

    kind: str
    """``tex`` (TeX reported an error), ``timeout`` or ``convert`` (no SVG from the PDF)."""
    error: TexError | None = None
    detail: str = ""
    """For ``convert``: what the converter said."""


def compile_svg(document: TexDocument, tools: Toolchain, timeout: float) -> str | Failure:
    """The raw SVG the document draws, or why there is none."""
    with tempfile.TemporaryDirectory(prefix="mlsysgen-tikz-") as scratch:
        folder = Path(scratch)
        (folder / "diagram.tex").write_text(document.text, encoding="utf-8")
        env = {**os.environ, **LOG_ENVIRONMENT}
        command = [tools.engine.path, "-interaction=nonstopmode", "-halt-on-error",
                   "-file-line-error", "-no-shell-escape", "diagram.tex"]  # fmt: skip
        try:
            done = _run(command, folder, env, timeout)
        except subprocess.TimeoutExpired:
            return Failure("timeout")
        pdf = folder / "diagram.pdf"
        if done.returncode != 0 or not pdf.is_file():
            log = folder / "diagram.log"
            text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
            error = first_error(text) or TexError(_last_line(done.stdout) or "no PDF was made")
            return Failure("tex", error)
        return _convert(tools, folder, pdf, timeout)


def _convert(tools: Toolchain, folder: Path, pdf: Path, timeout: float) -> str | Failure:
    svg = folder / "diagram.svg"
    if tools.converter.name == "dvisvgm":
        # --no-fonts: glyphs as paths, so the SVG needs no font files wherever it is shown.
        command = [tools.converter.path, "--pdf", "--no-fonts", "--exact-bbox", "-o", str(svg),
                   str(pdf)]  # fmt: skip
    else:
        command = [tools.converter.path, "-svg", str(pdf), str(svg)]
    try:
        done = _run(command, folder, dict(os.environ), timeout)
    except subprocess.TimeoutExpired:
        return Failure("convert", detail=f"{tools.converter.name} did not finish in {timeout:g} s")
    if done.returncode != 0 or not svg.is_file():
        said = (
            _last_line(done.stderr) or _last_line(done.stdout) or f"exit status {done.returncode}"
        )
        return Failure("convert", detail=said)
    return svg.read_text(encoding="utf-8", errors="replace")


def _run(
    command: list[str], folder: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, errors="replace",
        stdin=subprocess.DEVNULL, timeout=timeout, check=False,
    )  # fmt: skip


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


__all__ = ["Failure", "compile_svg"]
