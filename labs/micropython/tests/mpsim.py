"""Run a MicroPython program against a board's mocks, the way the lab runners do.

Two interpreters: the real MicroPython WebAssembly port in node (when node and the
vendored ``micropython.mjs`` are there), and CPython, which stands in for it so the mocks'
behaviour is tested everywhere. Both follow labs/micropython/README.md: the board's files
from boards.json go to ``lib/``, the prelude ``import _sim`` (plus ``_sim.budget = N``)
runs, then the program; SystemExit is a normal end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MOCKS = Path(__file__).resolve().parents[1]
REPO = MOCKS.parents[1]
NODE_RUNNER = Path(__file__).with_name("run_wasm.mjs")
VENDORED_WASM = REPO / "mlsysgen/plugins/labs/static/labs/micropython/micropython.mjs"

# CPython has a built-in time module that no time.py can shadow: load the mock by hand,
# with CPython's time (plus the MicroPython extras) standing in for the built-in utime.
CPYTHON_BOOT = """
import importlib.util, sys, time as host_time, types
lib, prelude, code = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
utime = types.ModuleType("utime")
utime.__dict__.update({k: getattr(host_time, k) for k in dir(host_time) if k[0] != "_"})
utime.sleep_ms = lambda ms: host_time.sleep(ms / 1e3)
utime.sleep_us = lambda us: host_time.sleep(us / 1e6)
utime.ticks_ms = lambda: int(host_time.monotonic() * 1000) & ((1 << 30) - 1)
utime.ticks_diff = lambda end, start: ((end - start + (1 << 29)) & ((1 << 30) - 1)) - (1 << 29)
sys.modules["utime"] = utime
sys.path.insert(0, lib)
spec = importlib.util.spec_from_file_location("time", lib + "/time.py")
mock_time = importlib.util.module_from_spec(spec)
sys.modules["time"] = mock_time
spec.loader.exec_module(mock_time)
try:
    exec(compile(prelude, "<prelude>", "exec"), {"__name__": "__prelude__"})
    exec(compile(code, "<stdin>", "exec"), {"__name__": "__main__"})
except SystemExit:
    pass
"""


@dataclass
class Run:
    stdout: str
    stderr: str
    ok: bool


def manifest() -> dict:
    return json.loads((MOCKS / "boards.json").read_text(encoding="utf-8"))


def board_files(board: str) -> dict[str, str]:
    """``lib/<name>.py`` -> source, for every file the manifest lists for ``board``."""
    entry = manifest()["boards"][board]
    return {f"lib/{Path(f).name}": (MOCKS / f).read_text(encoding="utf-8") for f in entry["files"]}


def prelude(budget: int | None) -> str:
    module = manifest()["budget_module"]
    text = f"import {module}\n"
    return text + (f"{module}.budget = {budget}\n" if budget is not None else "")


def wasm_module() -> Path | None:
    """The MicroPython WebAssembly port to test on: $MICROPYTHON_WASM_MJS, else the copy
    the labs plugin vendors; None when it or node is missing."""
    path = Path(os.environ.get("MICROPYTHON_WASM_MJS", VENDORED_WASM))
    return path if path.is_file() and shutil.which("node") else None


def run_cpython(board: str, code: str, budget: int | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="mpsim-") as tmp:
        root = Path(tmp)
        for name, source in board_files(board).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(source, encoding="utf-8")
        (root / "prelude.py").write_text(prelude(budget), encoding="utf-8")
        (root / "code.py").write_text(code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", CPYTHON_BOOT, str(root / "lib"), str(root / "prelude.py"),
             str(root / "code.py")],
            cwd=root, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    return Run(done.stdout, done.stderr, done.returncode == 0)


def run_wasm(board: str, code: str, budget: int | None = None) -> Run:
    module = wasm_module()
    assert module is not None
    request = {"files": board_files(board), "prelude": prelude(budget), "code": code}
    done = subprocess.run(
        ["node", str(NODE_RUNNER), str(module)], input=json.dumps(request),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return Run(done.stdout, done.stderr, done.returncode == 0)
