"""Run MicroPython labs on the vendored WebAssembly interpreter in node (``simulate=N``).

One node process per chain (a lab, or a session's labs in order), with the board's mock
modules in ``/lib`` and the frame budget set before each snippet: the same files and
budget the browser's Run uses, so build output and browser output agree. An endless
loop without a budget blocks node, so the chain's time limit kills it.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from . import runtime
from .boards import BoardError, load_board
from .executor import Collector, Unit
from .results import LabError, Outcome
from .settings import Settings
from .spec import Lab

HEAP = 4 * 2**20


def run_chain(labs: list[Lab], settings: Settings) -> list[Outcome]:
    """Outcomes of simulating ``labs`` (one interpreter, in order)."""
    node = runtime.node_path()
    assert node is not None
    try:
        mocks = load_board(settings.mocks, labs[0].board)
    except BoardError as exc:
        return [Outcome("crash", error=LabError(str(exc))) for _ in labs]
    budget = max(lab.simulate for lab in labs)
    snippets = [
        {
            "code": lab.setup + lab.code if lab.setup else lab.code,
            "prelude": mocks.prelude(lab.simulate or budget),
            "expect_error": lab.expect_error,
            "timeout": lab.timeout,
        }
        for lab in labs
    ]
    request = {
        "files": mocks.files,
        "snippets": snippets,
        "limits": settings.limits,
        "heapsize": HEAP,
    }
    unit = Unit("sim", snippets, settings.limits)
    events = _node(
        [node, str(runtime.NODE_RUNNER), str(runtime.WASM_DIR / "micropython.mjs")],
        request,
        sum(lab.timeout for lab in labs),
    )
    collector = Collector(unit)
    for event in events:
        if collector.feed(event):
            break
    outcomes = collector.result()
    for lab, outcome in zip(labs, outcomes, strict=True):
        if outcome.error is not None and lab.setup and outcome.error.line is not None:
            _split_setup(lab, outcome.error)
    return outcomes


def _node(args: list[str], request: dict[str, Any], seconds: float) -> list[dict[str, Any]]:
    proc = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    timed_out = False
    try:
        out, err = proc.communicate(json.dumps(request).encode(), timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    events = [json.loads(line) for line in out.splitlines() if line.startswith(b"{")]
    if timed_out:
        events.append({"event": "timeout", "index": -1, "seconds": seconds})
    elif not events or events[-1].get("event") not in ("end", "crash"):
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        events.append({"event": "crash", "index": -1, "detail": f"node failed: {detail[0]}"})
    return events


def _split_setup(lab: Lab, error: LabError) -> None:
    """A line of setup + code as a line of one of them."""
    assert error.line is not None
    setup_lines = lab.setup.count("\n")
    if error.line <= setup_lines:
        error.file = "setup"
    else:
        error.line -= setup_lines
        error.file = "code"
