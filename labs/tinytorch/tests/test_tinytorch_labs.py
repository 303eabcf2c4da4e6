"""The example lab files: well-formed regions, and each region runs and prints what the
book's lab chapter relies on, both as a whole script and the way the lab plugin runs a
region (the file's lines before it as hidden setup, then the region alone)."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

TINYTORCH_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(TINYTORCH_ROOT.glob("*.py"))
START = re.compile(r"^\s*# region (\S+)\s*$")
END = re.compile(r"^\s*# endregion\s*$")


def regions(text: str) -> dict[str, tuple[int, int]]:
    """Region name -> (first line, end line) of its body, 0-based, end exclusive."""
    found: dict[str, tuple[int, int]] = {}
    open_name, open_at = None, 0
    for n, line in enumerate(text.splitlines()):
        if m := START.match(line):
            assert open_name is None, f"line {n + 1}: region {m[1]} inside region {open_name}"
            assert m[1] not in found, f"line {n + 1}: region {m[1]} defined twice"
            open_name, open_at = m[1], n + 1
        elif END.match(line):
            assert open_name is not None, f"line {n + 1}: endregion without region"
            found[open_name] = (open_at, n)
            open_name = None
    assert open_name is None, f"region {open_name} is never closed"
    return found


def run_region(path, name: str) -> str:
    """stdout of region ``name``, run after the file's lines before it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first, end = regions("".join(lines))[name]
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile("".join(lines[: first - 1]), str(path), "exec"), namespace)
    padded = "\n" * first + "".join(lines[first:end])  # tracebacks keep the file's lines
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(padded, str(path), "exec"), namespace)
    return out.getvalue()


def test_there_are_examples_for_each_systems_topic():
    assert {p.stem for p in EXAMPLES} >= {"optim_memory", "quantize_error", "prune_sparsity"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_as_a_script_and_prints_the_same_twice(path, tmp_path):
    def run():
        return subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, check=False,
                              env={"PYTHONPATH": str(TINYTORCH_ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip

    first, second = run(), run()
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_regions_are_well_formed(path):
    assert regions(path.read_text(encoding="utf-8"))


def test_optimizer_memory_regions():
    path = TINYTORCH_ROOT / "optim_memory.py"
    assert run_region(path, "model") == "parameters: 203,530 values, 0.78 MiB as float32\n"
    assert "= 1x the parameters" in run_region(path, "sgd")
    adam = run_region(path, "adam").splitlines()
    assert adam[0] == "Adam state before its first step: 0 bytes"
    assert adam[1] == "Adam state after one step: 1.55 MiB = 2x the parameters"
    assert adam[2].endswith("= 4x the weights")
    assert " 7B parameters: 28 GB of weights, 112 GB to train" in run_region(path, "scale")


def test_quantization_regions():
    path = TINYTORCH_ROOT / "quantize_error.py"
    assert "(4x smaller)" in run_region(path, "quantize")
    largest = run_region(path, "error").splitlines()[0]
    error, half_step = (float(v) for v in re.findall(r"\d+\.\d+", largest))
    assert error <= half_step
    assert "same predicted class" in run_region(path, "model")


def test_pruning_regions():
    path = TINYTORCH_ROOT / "prune_sparsity.py"
    assert "(first weight matrix: 90.0%; biases are kept)" in run_region(path, "prune")
    assert "64 of 128 hidden units left" in run_region(path, "structured")
