"""Run TinyTorch lab units in the fork server (see :mod:`.forkserver`), from the build.

The build process itself never forks: it starts one server process per Python and lab
path set, keeps it for later builds in the same process (the preview server, the tests),
and closes it at exit. Where ``fork`` is missing, each unit runs in a process of its own.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .results import Figure, LabError, Outcome, figure_from_event

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]
"""The folder holding the ``mlsysgen`` package, so ``-m`` finds it when not installed."""
_SERVER = "mlsysgen.plugins.labs.forkserver"


@dataclass
class Unit:
    """Labs run together in one child: a lab, or a session's labs in page order."""

    id: str
    snippets: list[dict[str, Any]]
    """Per lab: code, file, line, setup, setup_file, setup_line, timeout, expect_error."""
    limits: dict[str, int]
    figures: bool = False
    """Some snippet may draw with matplotlib (the server preloads it once)."""

    def request(self) -> str:
        return (
            json.dumps(
                {
                    "unit": self.id,
                    "snippets": self.snippets,
                    "limits": self.limits,
                    "figures": self.figures,
                }
            )
            + "\n"
        )


OnDone = Callable[[Unit, list[Outcome]], bool]
"""Called when a unit finishes; returning False stops starting new units."""


class LabRuntimeError(RuntimeError):
    """The lab runtime itself is unusable (numpy missing, server died); message says why."""


@dataclass
class Collector:
    """Turns one unit's events into one outcome per snippet."""

    unit: Unit
    outcomes: list[Outcome | None] = field(default_factory=list)
    started: int = -1

    def __post_init__(self) -> None:
        self.outcomes = [None] * len(self.unit.snippets)

    def feed(self, event: dict[str, Any]) -> bool:
        """Take one event; True when the unit is finished."""
        kind = event["event"]
        index = event.get("index", -1)
        if kind == "start":
            self.started = index
        elif kind == "done":
            error = event.get("error")
            self.outcomes[index] = Outcome(
                "error" if error else "ok",
                event.get("stdout", ""),
                LabError(**error) if error else None,
                [figure_from_event(f) for f in event.get("figures", [])],
            )
        elif kind == "timeout":
            seconds = event.get("seconds") or self.unit.snippets[self._at(index)]["timeout"]
            self.outcomes[self._at(index)] = Outcome(
                "timeout",
                error=LabError(
                    f"timed out after {seconds:g} s", event.get("line"), event.get("file")
                ),
            )
        elif kind == "crash":
            detail = event.get("detail", "")
            self.outcomes[self._at(index)] = Outcome(
                "crash", error=LabError(f"the process running it died ({detail})")
            )
        return kind in ("end", "timeout", "crash")

    def _at(self, index: int) -> int:
        if index is not None and index >= 0:
            return int(index)
        return max(self.started, 0)

    def result(self) -> list[Outcome]:
        return [
            o
            if o is not None
            else Outcome("skipped", note="not run: an earlier lab of its session failed")
            for o in self.outcomes
        ]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    # Same hash order and one BLAS thread in every run: outputs must not depend on the machine.
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


class ForkServer:
    """A running fork server and the units in flight in it."""

    def __init__(self, paths: list[Path], jobs: int, python: str = sys.executable) -> None:
        self.lock = threading.Lock()
        args = [python, "-m", _SERVER, "--jobs", str(jobs)]
        for path in paths:
            args += ["--path", str(path)]
        self.jobs = jobs
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
            cwd=tempfile.gettempdir(),
        )
        self.info = self._event()
        self.numpy = str(self.info.get("numpy", ""))

    def _event(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
            raise LabRuntimeError(f"the lab runner stopped unexpectedly: {err.strip()[-400:]}")
        return dict(json.loads(line))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, units: list[Unit], on_done: OnDone) -> None:
        """Run ``units``, at most ``jobs`` at a time, reporting each as it finishes."""
        with self.lock:
            stdin: IO[bytes] = self.proc.stdin  # type: ignore[assignment]
            pending = list(reversed(units))
            flying: dict[str, Collector] = {}
            go_on = True
            while flying or (pending and go_on):
                while pending and go_on and len(flying) < self.jobs:
                    unit = pending.pop()
                    flying[unit.id] = Collector(unit)
                    stdin.write(unit.request().encode())
                    stdin.flush()
                event = self._event()
                collector = flying.get(event.get("unit", ""))
                if collector is not None and collector.feed(event):
                    del flying[collector.unit.id]
                    go_on = on_done(collector.unit, collector.result()) and go_on

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class ProcessPerUnit:
    """The fallback without ``fork``: one fresh interpreter per unit (slower, same results)."""

    def __init__(self, paths: list[Path], jobs: int, python: str = sys.executable) -> None:
        self.args = [python, "-m", _SERVER, "--once"]
        for path in paths:
            self.args += ["--path", str(path)]
        self.numpy = _numpy_version(python)

    def run(self, units: list[Unit], on_done: OnDone) -> None:
        for unit in units:
            if not on_done(unit, self._run(unit)):
                return

    def _run(self, unit: Unit) -> list[Outcome]:
        collector = Collector(unit)
        seconds = sum(float(s["timeout"]) for s in unit.snippets)
        proc = subprocess.Popen(
            self.args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_environment(),
            cwd=tempfile.gettempdir(),
        )
        timed_out = False
        try:
            out, _ = proc.communicate(unit.request().encode(), timeout=seconds + 2)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            timed_out = True
        events = [json.loads(line) for line in out.splitlines() if line.strip()]
        if not events or events[-1]["event"] not in ("end", "crash", "timeout"):
            # Killed by us, or by its CPU limit (SIGXCPU): both mean it ran out of time.
            cpu = proc.returncode == -getattr(signal, "SIGXCPU", -1)
            kind = "timeout" if timed_out or cpu else "crash"
            events.append({"event": kind, "index": -1, "detail": f"exit status {proc.returncode}"})
        for event in events:
            if collector.feed(event):
                break
        return collector.result()

    def close(self) -> None:
        pass


def _numpy_version(python: str) -> str:
    code = "import numpy; print(numpy.__version__)"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


Executor = ForkServer | ProcessPerUnit
_RUNNING: dict[tuple[str, ...], ForkServer] = {}
_RUNNING_LOCK = threading.Lock()


def executor(paths: list[Path], jobs: int) -> Executor:
    """A fork server for these lab paths (started once per process), or the fallback."""
    if not hasattr(os, "fork"):
        return ProcessPerUnit(paths, jobs)
    key = (sys.executable, str(jobs), *map(str, paths))
    with _RUNNING_LOCK:
        server = _RUNNING.get(key)
        if server is None or not server.alive():
            server = _RUNNING[key] = ForkServer(paths, jobs)
        return server


@atexit.register
def shutdown() -> None:
    """Stop every fork server this process started."""
    with _RUNNING_LOCK:
        for server in _RUNNING.values():
            server.close()
        _RUNNING.clear()


__all__ = ["Executor", "Figure", "LabRuntimeError", "Unit", "executor", "shutdown"]
