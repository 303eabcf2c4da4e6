"""The fork server: one preloaded Python process that forks a child per lab unit.

Run as ``python -m mlsysgen.plugins.labs.forkserver --path DIR [--jobs N]`` by
:mod:`.executor`; it imports numpy once, then reads requests (JSON lines on stdin) and
writes events (JSON lines on stdout). A request is one *unit*: a lab, or the labs of a
session in page order, run in one namespace. Each child:

1. gets its own process group, stdin from /dev/null, fds 1/2 to /dev/null (Python-level
   stdout is captured instead), a fresh temporary working folder, fixed seeds;
2. runs under ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` (the unit's time + 1 s) and
   ``RLIMIT_FSIZE``;
3. runs each snippet's hidden setup, then its code, compiled with blank lines in front
   so that line numbers in errors are lines of the chapter (or of the lab file);
4. reports ``start``/``done`` per snippet, with stdout (capped, with a "[truncated]"
   marker), the error and the figures (deterministic SVG and PNG).

(Steps 1–4 are :mod:`.child`; this module forks, watches and forwards.)

The parent enforces each snippet's wall-clock timeout: SIGUSR1 first (the child reports
the line it was running), SIGKILL a second later. This is hygiene, not a sandbox: the
authors of a book are trusted, and nothing stops a snippet from using the network.

``--once`` runs a single request in this process, for systems without ``fork``.

Only the standard library is imported at module level: this runs outside the build.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from .child import child_main, isolate, run_unit, send

KILL_GRACE = 1.0
"""Seconds between asking a timed-out child for its line and killing it."""


# ---- the server: fork, watch, forward ------------------------------------------------------
@dataclass
class Child:
    unit: str
    pid: int
    fd: int
    timeouts: list[float]
    index: int = -1
    started: float = 0.0
    signalled: float = 0.0
    ended: bool = False
    timed_out: bool = False
    buffer: bytes = b""


class Server:
    """Reads requests, keeps up to ``jobs`` children running, forwards their events."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.queue: deque[dict[str, Any]] = deque()
        self.children: dict[int, Child] = {}
        self.inbox = b""
        self.open = True

    def serve(self) -> None:
        while self.open or self.queue or self.children:
            while self.queue and len(self.children) < self.jobs:
                self.fork(self.queue.popleft())
            fds = ([0] if self.open else []) + list(self.children)
            ready, _, _ = select.select(fds, [], [], self.wait())
            for fd in ready:
                if fd == 0:
                    self.read_requests()
                else:
                    self.read_child(self.children[fd])
            self.enforce_deadlines()
            if not self.open:
                break  # the build went away: stop everything

    def read_requests(self) -> None:
        data = os.read(0, 1 << 16)
        if not data:
            self.open = False
            for child in self.children.values():
                _kill(child.pid, signal.SIGKILL)
            return
        self.inbox += data
        *lines, self.inbox = self.inbox.split(b"\n")
        for line in lines:
            if line.strip():
                request = json.loads(line)
                if request.get("figures"):
                    preload_matplotlib()
                self.queue.append(request)

    def fork(self, request: dict[str, Any]) -> None:
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            child_main(request, wfd)
        os.close(wfd)
        with contextlib.suppress(OSError):  # the child does it too: whichever runs first wins
            os.setpgid(pid, pid)
        timeouts = [float(s["timeout"]) for s in request["snippets"]]
        self.children[rfd] = Child(request["unit"], pid, rfd, timeouts)

    def read_child(self, child: Child) -> None:
        data = os.read(child.fd, 1 << 20)
        if data:
            child.buffer += data
            *lines, child.buffer = child.buffer.split(b"\n")
            for line in lines:
                self.on_event(child, json.loads(line))
            return
        os.close(child.fd)
        del self.children[child.fd]
        _, status = os.waitpid(child.pid, 0)
        _kill(child.pid, signal.SIGKILL, group=True)  # anything the snippet left running
        if not child.ended:
            self.on_exit(child, status)

    def on_event(self, child: Child, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "start":
            child.index, child.started = event["index"], time.monotonic()
        elif kind in ("end", "crash", "timeout"):
            child.ended = True
        if kind == "timeout":
            event["seconds"] = child.timeouts[event["index"]]
        self.reply({"unit": child.unit, **event})

    def on_exit(self, child: Child, status: int) -> None:
        """A child that ended without saying so: killed on its deadline, or crashed."""
        cpu = os.WIFSIGNALED(status) and os.WTERMSIG(status) == getattr(signal, "SIGXCPU", -1)
        if child.timed_out or cpu:
            event = {
                "event": "timeout",
                "index": child.index,
                "line": None,
                "seconds": child.timeouts[child.index],
            }
        else:
            event = {"event": "crash", "index": child.index, "detail": _status_text(status)}
        self.reply({"unit": child.unit, **event})

    def enforce_deadlines(self) -> None:
        now = time.monotonic()
        for child in self.children.values():
            if child.index < 0 or child.ended:
                continue
            if child.signalled and now - child.signalled >= KILL_GRACE:
                _kill(child.pid, signal.SIGKILL, group=True)
            elif not child.signalled and now - child.started >= child.timeouts[child.index]:
                child.timed_out = True
                child.signalled = now
                _kill(child.pid, signal.SIGUSR1)

    def wait(self) -> float | None:
        """Seconds until the next deadline (None: wait for input)."""
        waits = []
        for child in self.children.values():
            if child.index < 0 or child.ended:
                continue
            if child.signalled:
                waits.append(child.signalled + KILL_GRACE)
            else:
                waits.append(child.started + child.timeouts[child.index])
        if not waits:
            return None
        return max(0.0, min(waits) - time.monotonic()) + 0.005

    def reply(self, event: dict[str, Any]) -> None:
        send(1, event)


def _kill(pid: int, sig: int, group: bool = False) -> None:
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"killed by signal {sig} ({name})"
    return f"exited with status {os.WEXITSTATUS(status)}"


# ---- start-up ------------------------------------------------------------------------------
def preload_matplotlib() -> None:
    """Import matplotlib with the Agg backend once, so each child forks with it loaded."""
    if "matplotlib.pyplot" in sys.modules:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot
    except ImportError:
        pass  # the snippet's own import will fail with a clear ImportError


def preload(paths: list[str]) -> dict[str, str]:
    """Put the lab packages on sys.path and import numpy; report versions."""
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)  # the server's working folder is no place to import from
    for path in reversed(paths):
        sys.path.insert(0, path)
    info = {"python": ".".join(map(str, sys.version_info[:2])), "numpy": ""}
    import random  # noqa: F401  (each child seeds it; importing it there costs every child)

    with contextlib.suppress(ImportError):
        import resource  # noqa: F401
    try:
        import numpy
        import numpy.random  # numpy 2 loads it lazily: ~40 ms in every child otherwise

        info["numpy"] = numpy.__version__
    except ImportError:
        pass
    return info


def once(request: dict[str, Any]) -> None:
    """Run one request in this process (no fork): the fallback for Windows."""
    out = os.dup(1)
    try:
        folder = isolate(request["limits"], sum(s["timeout"] for s in request["snippets"]))
    except (AttributeError, OSError):
        folder = ""
    run_unit(request, out)
    send(out, {"event": "end"})
    if folder:
        os.chdir(tempfile.gettempdir())
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args(argv)
    info = preload(args.path)
    if args.once:
        request = json.loads(sys.stdin.readline())
        if request.get("figures"):
            preload_matplotlib()
        once({**request, "unit": request.get("unit", "")})
        return 0
    send(1, {"event": "ready", "pid": os.getpid(), **info})
    Server(args.jobs).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
