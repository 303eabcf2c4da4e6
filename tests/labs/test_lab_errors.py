"""Failing labs fail the build at ``chapter:line`` (the failing line inside the snippet),
word for word; ``--keep-going`` collects every failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from .books import lab_book, lab_summary, rendered, run_build

pytest.importorskip("numpy", reason="TinyTorch labs need numpy: pip install 'mlsysgen[labs]'")

CHAPTER = """\
# Failing labs

```{.tinytorch #boom}
x = 1
y = x / 0
```

```{.tinytorch #slow timeout=1}
import time
while True:
    time.sleep(0.01)
```

```{.tinytorch #gold}
print("hello")
print("world")
```

```{.output for=gold}
hello
there
```

```{.tinytorch #calm expect="error"}
print("fine")
```

```{.tinytorch #deep file="steps.py" region="broken"}
```

```{.tinytorch #ok}
print("still fine")
```
"""
STEPS = """\
import numpy as np
W = np.ones(3)
# region broken
v = W.sum()
raise ValueError(f"bad value {v}")
# endregion
"""
EXPECTED = [
    "ch.md:5: error: lab[boom]: ZeroDivisionError: division by zero; fix the code, or add "
    'expect="error" if raising is the point',
    "ch.md:11: error: lab[slow]: timed out after 1 s; make it faster, or allow more time with "
    "timeout=SECONDS",
    "ch.md:14: error: lab[gold]: output differs from its {.output} block at ch.md:19:\n"
    "    @@ -1,2 +1,2 @@\n     hello\n    -there\n    +world\n  update the block, or fix the code",
    'ch.md:24: error: lab[calm]: expect="error" but it ran without raising; make it raise, or '
    'remove expect="error"',
    "labs/steps.py:5: error: lab[deep]: ValueError: bad value 3.0; fix the code, or add "
    'expect="error" if raising is the point (in lab at ch.md:28)',
]


def test_every_failure_with_keep_going(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER, {"labs/steps.py": STEPS})
    result, messages, stream = run_build(root, keep_going=True)
    assert messages == EXPECTED
    assert lab_summary(stream) == "labs: 6 run, 0 from the cache, 0 not run, 5 failed"
    html = rendered(result)
    assert "ZeroDivisionError: division by zero\n</pre>" in html


def test_without_keep_going_the_chapter_stops_at_the_first_failure(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER, {"labs/steps.py": STEPS}, labs={"jobs": 1})
    result, messages, stream = run_build(root)
    assert messages == EXPECTED[:1]
    assert lab_summary(stream) == "labs: 1 run, 0 from the cache, 5 not run, 1 failed"
    html = rendered(result)
    assert "Not run: an earlier lab failed (build with --keep-going to verify every lab)" in html
    # The failure is not cached as a pass: fixing it runs the rest.
    chapter = root / "ch.md"
    fixed = (
        CHAPTER.replace("x / 0", "x / 1")
        .replace("timeout=1}", "}")
        .replace("    time.sleep(0.01)", "    break")
        .replace("there", "world")
        .replace('#calm expect="error"', "#calm")
        .replace('region="broken"', "")
    )
    chapter.write_text(fixed)
    (root / "labs/steps.py").write_text(
        STEPS.replace('raise ValueError(f"bad value {v}")', "print(v)")
    )
    _, messages, stream = run_build(root)
    assert messages == []
    assert lab_summary(stream) == "labs: 6 run, 0 from the cache, 0 not run, 0 failed"


def test_errors_in_functions_defined_by_an_earlier_session_block(tmp_path: Path) -> None:
    chapter = (
        "# S\n\n```{.tinytorch session=s}\ndef f(n):\n    return 10 // n\n```\n\n"
        "```{.tinytorch session=s}\nprint(f(2))\nprint(f(0))\n```\n"
    )
    _, messages, _ = run_build(lab_book(tmp_path, chapter))
    assert messages == [
        "ch.md:10: error: lab[ch-lab-2]: ZeroDivisionError: integer division or modulo by "
        'zero; fix the code, or add expect="error" if raising is the point'
    ]


def test_setup_errors_point_into_the_lab_file(tmp_path: Path) -> None:
    steps = "import numpy as np\nW = np.ones(3)\nW.missing\n# region r\nprint(W)\n# endregion\n"
    root = lab_book(
        tmp_path,
        '# F\n\n```{.tinytorch file="steps.py" region="r"}\n```\n',
        {"labs/steps.py": steps},
    )
    _, messages, _ = run_build(root)
    assert messages == [
        "labs/steps.py:3: error: lab[ch-lab-1]: AttributeError: 'numpy.ndarray' object has no "
        "attribute 'missing'; fix the code, or add expect=\"error\" if raising is the point "
        "(in lab at ch.md:3)"
    ]


def test_a_cached_error_moves_with_its_lab(tmp_path: Path) -> None:
    root = lab_book(tmp_path, "# C\n\n```{.tinytorch}\nx = 1\n1 / 0\n```\n")
    _, messages, _ = run_build(root)
    assert messages[0].startswith("ch.md:5: error: lab[ch-lab-1]: ZeroDivisionError")
    (root / "ch.md").write_text("# C\n\nNew text.\n\nMore.\n\n```{.tinytorch}\nx = 1\n1 / 0\n```\n")
    _, messages, stream = run_build(root)
    assert lab_summary(stream) == "labs: 0 run, 1 from the cache, 0 not run, 1 failed"
    assert messages[0].startswith("ch.md:9: error: lab[ch-lab-1]: ZeroDivisionError")


def test_numpy_missing_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsysgen.plugins.labs import runtime

    real = runtime.package_version
    monkeypatch.setattr(runtime, "package_version", lambda n: "" if n == "numpy" else real(n))
    _, messages, _ = run_build(lab_book(tmp_path, "# N\n\n```{.tinytorch}\nprint(1)\n```\n"))
    assert messages == [
        "ch.md:3: error: lab[ch-lab-1]: cannot verify: numpy is not installed in this Python: "
        "pip install 'mlsysgen[labs]', or build with --labs=frozen to use cached results"
    ]


def test_illustrative_output_is_never_compared(tmp_path: Path) -> None:
    chapter = (
        '# I\n\n```{.tinytorch #t output="illustrative"}\nimport time\n'
        "print(time.perf_counter_ns())\n```\n\n```{.output for=t}\n1\n```\n"
    )
    result, messages, _ = run_build(lab_book(tmp_path, chapter))
    assert messages == [
        'ch.md:8: warning: lab[t]: output="illustrative" is never compared, so its {.output} '
        "block is ignored; remove one of them"
    ]
    assert "Ran at build · illustrative output (it varies from run to run)" in rendered(result)


def test_a_missing_tinytorch_package_is_named(tmp_path: Path) -> None:
    chapter = "# T\n\n```{.tinytorch}\nimport tinytorch\n```\n"
    _, messages, _ = run_build(lab_book(tmp_path, chapter, labs={"tinytorch": "nowhere"}))
    assert messages == [
        "ch.md:3: warning: lab[ch-lab-1]: no tinytorch/ package in nowhere, so "
        "TinyTorch imports will fail; point labs: tinytorch in the config at the folder "
        "holding it",
        "ch.md:4: error: lab[ch-lab-1]: ModuleNotFoundError: No module named 'tinytorch'; fix "
        'the code, or add expect="error" if raising is the point',
    ]
