"""The fork-server executor: output, exceptions, timeouts, output cap, limits, figures."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import pytest

from mlsysgen.plugins.labs.child import Capture
from mlsysgen.plugins.labs.executor import ProcessPerUnit, Unit, executor
from mlsysgen.plugins.labs.results import Outcome

pytest.importorskip("numpy", reason="TinyTorch labs need numpy: pip install 'mlsysgen[labs]'")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork server needs fork()")

LIMITS = {"memory_mb": 2048, "output_chars": 65536, "output_lines": 200, "png_dpi": 72}
CHAPTER = "book/ch.md"


def snippet(code: str, line: int = 10, timeout: float = 20, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "file": CHAPTER,
        "line": line,
        "setup": "",
        "setup_file": "",
        "setup_line": 1,
        "timeout": timeout,
        "expect_error": False,
        **extra,
    }


def run(
    *snippets: dict[str, Any],
    limits: dict[str, int] | None = None,
    figures: bool = False,
    tmp: Path | None = None,
) -> list[Outcome]:
    out: list[Outcome] = []
    runner = executor([tmp or Path(__file__).parent], 2)
    runner.run(
        [Unit("u", list(snippets), limits or LIMITS, figures)],
        lambda unit, results: out.extend(results) or True,
    )
    return out


def test_output_of_a_snippet() -> None:
    [outcome] = run(snippet("import numpy as np\nprint(np.arange(4).sum())\nprint('ok')\n"))
    assert (outcome.status, outcome.stdout, outcome.error) == ("ok", "6\nok\n", None)


def test_exception_names_the_chapter_line() -> None:
    [outcome] = run(snippet("x = 1\ny = 2\nz = x / (y - 2)\n", line=40))
    assert outcome.status == "error"
    assert outcome.error is not None
    assert (outcome.error.text, outcome.error.line, outcome.error.file) == (
        "ZeroDivisionError: division by zero",
        42,
        CHAPTER,
    )


def test_exception_inside_a_function_points_at_the_snippet_frame() -> None:
    code = "import numpy as np\n\ndef f(a):\n    return np.linalg.inv(a)\n\nf(np.zeros((2, 2)))\n"
    [outcome] = run(snippet(code, line=100))
    assert outcome.error is not None
    assert outcome.error.text == "numpy.linalg.LinAlgError: Singular matrix"
    assert outcome.error.line == 103  # `return np.linalg.inv(a)`, the innermost lab line


def test_syntax_error_line() -> None:
    [outcome] = run(snippet("a = 1\nb = = 2\n", line=7))
    assert outcome.error is not None
    assert (outcome.error.text, outcome.error.line) == ("SyntaxError: invalid syntax", 8)


def test_timeout_reports_the_running_line_and_frees_the_worker() -> None:
    started = time.monotonic()
    code = "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(0.001)\n"
    [outcome] = run(snippet(code, line=20, timeout=0.5))
    assert time.monotonic() - started < 5
    assert outcome.status == "timeout"
    assert outcome.error is not None
    assert outcome.error.text == "timed out after 0.5 s"
    assert outcome.error.line in (22, 23, 24)


def test_a_child_stuck_outside_python_is_killed() -> None:
    # time.sleep in C with SIGUSR1 ignored: only the SIGKILL a second later ends it.
    code = "import signal, time\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\ntime.sleep(60)\n"
    started = time.monotonic()
    [outcome] = run(snippet(code, timeout=0.5))
    assert time.monotonic() - started < 5
    assert outcome.status == "timeout"
    assert outcome.error is not None
    assert (outcome.error.text, outcome.error.line) == ("timed out after 0.5 s", None)


def test_stdout_is_capped_with_a_marker() -> None:
    limits = {**LIMITS, "output_lines": 3}
    [outcome] = run(snippet("for i in range(10):\n    print(i)\n"), limits=limits)
    assert outcome.stdout == "0\n1\n2\n[truncated]\n"
    limits = {**LIMITS, "output_chars": 5}
    [outcome] = run(snippet("print('abcdefghij')\n"), limits=limits)
    assert outcome.stdout == "abcde\n[truncated]\n"


def test_capture_counts_lines_across_writes() -> None:
    capture = Capture(100, 2)
    for part in ("a", "b\nc", "\nd\n", "e\n"):
        capture.write(part)
    assert capture.getvalue() == "ab\nc\n[truncated]\n"


def test_memory_limit() -> None:
    limits = {**LIMITS, "memory_mb": 512}
    [outcome] = run(
        snippet("import numpy as np\nx = np.ones(2**28)\nprint(x.sum())\n"), limits=limits
    )
    assert outcome.status == "error"
    assert outcome.error is not None and "Unable to allocate" in outcome.error.text


def test_isolation_fresh_folder_no_stdin_fixed_seeds() -> None:
    code = (
        "import os, random, sys\nimport numpy as np\nprint(os.listdir('.'))\n"
        "print(sys.stdin.read() == '')\nprint(random.random(), np.random.rand())\n"
        "open('made.txt', 'w').write('x')\n"
    )
    first, second = run(snippet(code)), run(snippet(code))
    assert first[0].stdout == second[0].stdout
    assert first[0].stdout.startswith("[]\nTrue\n0.8444218515250481 0.5488135039273248\n")


def test_session_shares_a_namespace_and_stops_at_an_unexpected_error() -> None:
    outcomes = run(
        snippet("a = 20\n"),
        snippet("print(a + 1)\n"),
        snippet("raise KeyError('x')\n", expect_error=True),
        snippet("print(a + 2)\nb = undefined\n"),
        snippet("print('never')\n"),
    )
    assert [o.status for o in outcomes] == ["ok", "ok", "error", "error", "skipped"]
    assert outcomes[1].stdout == "21\n" and outcomes[3].stdout == "22\n"
    assert outcomes[2].error is not None and outcomes[2].error.text == "KeyError: 'x'"
    assert outcomes[4].note == "not run: an earlier lab of its session failed"


def test_setup_runs_first_but_only_the_code_prints() -> None:
    [outcome] = run(
        snippet(
            "print(W * 2)\n",
            line=5,
            setup="W = 21\nprint('setup')\n",
            setup_file="labs/x.py",
            setup_line=1,
        )
    )
    assert outcome.stdout == "42\n"
    [outcome] = run(
        snippet("print(1)\n", line=5, setup="W = 1\nW.nope\n", setup_file="labs/x.py", setup_line=1)
    )
    assert outcome.error is not None
    assert (outcome.error.line, outcome.error.file) == (2, "labs/x.py")


PLOT = (
    "import matplotlib.pyplot as plt\nimport numpy as np\n"
    "plt.plot(np.random.rand(20))\nplt.title('noise')\nprint('drawn')\n"
)


def test_figures_are_svg_and_png_with_identical_bytes_every_run() -> None:
    pytest.importorskip("matplotlib")
    first = run(snippet(PLOT), figures=True)[0]
    second = run(snippet(PLOT), figures=True)[0]
    assert first.stdout == "drawn\n" and len(first.figures) == 1
    figure = first.figures[0]
    assert figure.svg.lstrip().startswith("<?xml") and "<svg" in figure.svg
    assert "<dc:date>" not in figure.svg
    assert figure.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (
        hashlib.sha256(figure.svg.encode()).digest()
        == hashlib.sha256(second.figures[0].svg.encode()).digest()
    )
    assert figure.png == second.figures[0].png


def test_fallback_without_fork_gives_the_same_results() -> None:
    runner = ProcessPerUnit([Path(__file__).parent], 1)
    out: list[Outcome] = []
    units = [
        Unit("a", [snippet("print(6 * 7)\n"), snippet("1 / 0\n", line=3)], LIMITS),
        Unit("b", [snippet("while True:\n    pass\n", timeout=0.5)], LIMITS),
    ]
    runner.run(units, lambda unit, results: out.extend(results) or True)
    assert [o.status for o in out] == ["ok", "error", "timeout"]
    assert out[0].stdout == "42\n"
    assert out[1].error is not None and out[1].error.line == 3


def test_fork_server_cost_per_snippet() -> None:
    """Measured, not asserted tightly: the machine is shared. Prints ms per snippet."""
    runner = executor([Path(__file__).parent], 2)
    units = [Unit(f"n{i}", [snippet(f"print({i})\n")], LIMITS) for i in range(20)]
    started = time.perf_counter()
    runner.run(units, lambda unit, results: True)
    per_snippet = (time.perf_counter() - started) / len(units) * 1000
    print(f"fork server: {per_snippet:.1f} ms per snippet")
    assert per_snippet < 500
