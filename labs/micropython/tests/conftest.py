"""The ``run`` fixture: a program on a board's mocks, once on CPython and once on the real
MicroPython WebAssembly interpreter (skipped, with the reason, when node or the vendored
wasm port is missing)."""

from __future__ import annotations

import pytest
from mpsim import VENDORED_WASM, run_cpython, run_wasm, wasm_module


@pytest.fixture(params=["cpython", "wasm"])
def run(request):
    if request.param == "wasm" and wasm_module() is None:
        pytest.skip(
            f"no MicroPython WebAssembly port to run on: needs `node` and {VENDORED_WASM} "
            "(or MICROPYTHON_WASM_MJS pointing at micropython.mjs)"
        )
    return run_cpython if request.param == "cpython" else run_wasm
