"""One lab unit in a forked child of the fork server (see :mod:`.forkserver`).

The child isolates itself (its own process group, stdin from /dev/null, fds 1/2 to
/dev/null, a fresh temporary folder, ``RLIMIT_AS``/``RLIMIT_CPU``/``RLIMIT_FSIZE``, fixed
seeds), runs each snippet's hidden setup and then its code in one namespace, compiled
with blank lines in front so that line numbers in errors are lines of the chapter (or
the lab file), and reports ``start``/``done`` events (stdout capped with a "[truncated]"
marker, the error and its line, figures as deterministic SVG and PNG) on a pipe.

Only the standard library is imported at module level: this runs outside the build.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from typing import Any

FSIZE_LIMIT = 64 * 2**20
"""Largest file a snippet may write (bytes)."""
SVG_SALT = "mlsysgen-lab"


class Capture(io.TextIOBase):
    """A stdout that keeps the first ``max_chars`` characters and ``max_lines`` lines."""

    def __init__(self, max_chars: int, max_lines: int) -> None:
        self.parts: list[str] = []
        self.room = max_chars
        self.lines_left = max_lines
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.truncated or not text:
            return len(text)
        keep = text[: self.room]
        newlines = keep.count("\n")
        if newlines >= self.lines_left:
            cut = -1
            for _ in range(self.lines_left):
                cut = keep.index("\n", cut + 1)
            keep = keep[: cut + 1]
            self.truncated = True
        elif len(keep) < len(text):
            self.truncated = True
        self.parts.append(keep)
        self.room -= len(keep)
        self.lines_left -= keep.count("\n")
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self.parts)
        if self.truncated:
            text += ("" if text.endswith("\n") or not text else "\n") + "[truncated]\n"
        return text


def compile_at(code: str, filename: str, first_line: int) -> Any:
    """Compile ``code`` so its first line is line ``first_line`` of ``filename``."""
    return compile("\n" * (first_line - 1) + code, filename, "exec")


Spans = list[tuple[str, int, int]]
"""(file name, first line, last line) of the code a snippet compiles."""


def spans_of(snippet: dict[str, Any]) -> Spans:
    spans = [(snippet["file"], snippet["line"], snippet["line"] + snippet["code"].count("\n"))]
    if snippet.get("setup"):
        first = snippet["setup_line"]
        spans.append((snippet["setup_file"], first, first + snippet["setup"].count("\n")))
    return spans


def locate(
    places: list[tuple[str, int]], spans: Spans, known: Spans
) -> tuple[int | None, str | None]:
    """The innermost of ``places`` (file, line; outermost first) inside the running
    snippet (``spans``); failing that, the innermost in any lab code of the unit
    (``known``: a function an earlier block of the session defined)."""
    for group in (spans, known):
        for file, line in reversed(places):
            if any(f == file and lo <= line <= hi for f, lo, hi in group):
                return line, file
    return None, None


def describe(exc: BaseException, spans: Spans, known: Spans) -> dict[str, Any]:
    """The error text ("ValueError: …") and the innermost line of the lab's own code."""
    places = [(f.f_code.co_filename, n) for f, n in traceback.walk_tb(exc.__traceback__)]
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        places.append((exc.filename, exc.lineno))
    line, file = locate(places, spans, known)
    if isinstance(exc, SyntaxError):
        text = f"{type(exc).__name__}: {exc.msg}"
    else:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"text": text, "line": line, "file": file}


def collect_figures(dpi: int) -> list[dict[str, str]]:
    """Every open matplotlib figure as SVG text and base64 PNG, then close them all.
    Fixed hash salt and no date or software stamp make the bytes reproducible."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = SVG_SALT
    out = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
        out.append({"svg": svg.getvalue(), "png": base64.b64encode(png.getvalue()).decode()})
    plt.close("all")
    return out


@dataclass
class ChildState:
    """What the child's SIGUSR1 handler needs to say where a slow snippet was."""

    out: int
    index: int = -1
    spans: Spans = field(default_factory=list)
    """The running snippet's code."""
    known: Spans = field(default_factory=list)
    """The code of every snippet of the unit."""


def send(fd: int, event: dict[str, Any]) -> None:
    data = (json.dumps(event) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def run_unit(request: dict[str, Any], out: int) -> None:
    """Run a unit's snippets in one namespace, reporting to ``out``."""
    limits = request["limits"]
    state = ChildState(out)

    def on_timeout(signum: int, frame: Any) -> None:
        places: list[tuple[str, int]] = []
        while frame is not None:
            places.insert(0, (frame.f_code.co_filename, frame.f_lineno))
            frame = frame.f_back
        line, file = locate(places, state.spans, state.known)
        send(out, {"event": "timeout", "index": state.index, "line": line, "file": file})
        os._exit(3)

    if hasattr(signal, "SIGUSR1"):  # absent on Windows, where the client kills on timeout
        signal.signal(signal.SIGUSR1, on_timeout)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    reset_state()
    state.known = [span for snippet in request["snippets"] for span in spans_of(snippet)]
    for index, snippet in enumerate(request["snippets"]):
        state.index = index
        state.spans = spans_of(snippet)
        send(out, {"event": "start", "index": index})
        result = run_snippet(snippet, namespace, limits, state)
        send(out, {"event": "done", "index": index, **result})
        if result["error"] is not None and not snippet.get("expect_error"):
            break


def run_snippet(
    snippet: dict[str, Any], namespace: dict[str, Any], limits: dict[str, int], state: ChildState
) -> dict[str, Any]:
    capture = Capture(limits["output_chars"], limits["output_lines"])
    error = None
    try:
        if snippet.get("setup"):
            # Only what the shown code prints is output; the setup's prints are not.
            sys.stdout = io.StringIO()
            exec(
                compile_at(snippet["setup"], snippet["setup_file"], snippet["setup_line"]),
                namespace,
            )
        sys.stdout = capture
        exec(compile_at(snippet["code"], snippet["file"], snippet["line"]), namespace)
    except SystemExit:
        pass  # a snippet may end itself with sys.exit(); that is not an error
    except BaseException as exc:
        error = describe(exc, state.spans, state.known)
    finally:
        sys.stdout = sys.__stdout__
    figures = collect_figures(limits["png_dpi"])
    return {"stdout": capture.getvalue(), "error": error, "figures": figures}


def reset_state() -> None:
    """Seeds and matplotlib state as a fresh interpreter would have them."""
    import random

    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def isolate(limits: dict[str, int], seconds: float) -> str:
    """Limits, stdio and a fresh working folder for a child; returns the folder."""
    try:
        import resource

        memory = limits["memory_mb"] * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # no resource module (Windows), or a hard limit already lower
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    folder = tempfile.mkdtemp(prefix="mlsysgen-lab-")
    os.chdir(folder)
    return folder


def child_main(request: dict[str, Any], out: int) -> None:
    """The forked child: isolate, run, clean up, and exit without returning."""
    status = 0
    folder = ""
    try:
        os.setpgid(0, 0)
        seconds = sum(s["timeout"] for s in request["snippets"])
        folder = isolate(request["limits"], seconds)
        run_unit(request, out)
        send(out, {"event": "end"})
    except BaseException as exc:  # report, never fall back into the server's loop
        send(out, {"event": "crash", "detail": f"{type(exc).__name__}: {exc}"})
        status = 1
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(status)
