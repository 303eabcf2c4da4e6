"""The lab cache: what re-runs a lab (code, options, the labs package, the runtime) and
what does not (prose, position, golden text); the --labs modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.plugins.labs import runtime
from mlsysgen.plugins.labs.cache import LabCache, lab_keys
from mlsysgen.plugins.labs.results import Figure, LabError, Outcome

from .books import lab_book, lab_summary, rendered, run_build

pytest.importorskip("numpy", reason="TinyTorch labs need numpy: pip install 'mlsysgen[labs]'")

RUNTIME = {"python": "3.11", "numpy": "2.4.6", "matplotlib": "3.11.2"}
LAB = {"code": "print(1)\n", "setup": "", "options": {"kind": "tinytorch", "timeout": 30.0}}


def test_keys_are_stable_and_change_with_each_input() -> None:
    keys = lab_keys(RUNTIME, "tree", [], LAB)
    assert keys == lab_keys(dict(reversed(list(RUNTIME.items()))), "tree", [], dict(LAB))
    assert len(keys.full) == 64 and keys.full != keys.source
    changed = [
        lab_keys({**RUNTIME, "numpy": "2.5.0"}, "tree", [], LAB),
        lab_keys(RUNTIME, "tree2", [], LAB),
        lab_keys(RUNTIME, "tree", [LAB], LAB),
        lab_keys(RUNTIME, "tree", [], {**LAB, "code": "print(2)\n"}),
        lab_keys(RUNTIME, "tree", [], {**LAB, "options": {"kind": "tinytorch", "timeout": 5.0}}),
    ]
    assert len({k.full for k in changed} | {keys.full}) == 6
    # The runtime-free key (for --labs=frozen) ignores only the runtime.
    assert changed[0].source == keys.source
    assert len({k.source for k in changed[1:]} | {keys.source}) == 5


def test_store_and_load_round_trip(tmp_path: Path) -> None:
    cache = LabCache(tmp_path)
    keys = lab_keys(RUNTIME, "t", [], LAB)
    outcome = Outcome(
        "error",
        "partial\n",
        LabError("ValueError: x", 2, "code"),
        [Figure("<svg/>", b"\x89PNG")],
        {"numpy": "2.4.6"},
    )
    cache.store(keys, outcome)
    assert sorted(p.name for p in (tmp_path / "labs").iterdir()) == sorted(
        [f"{keys.full}.json", f"{keys.full}-1.svg", f"{keys.full}-1.png", "source"]
    )
    assert cache.load(keys) == outcome
    other = lab_keys({**RUNTIME, "numpy": "9"}, "t", [], LAB)
    assert cache.load(other) is None
    assert cache.load(other, frozen=True) == outcome
    (tmp_path / "labs" / f"{keys.full}.json").write_text("{broken")
    assert cache.load(keys) is None
    assert LabCache(None).load(keys) is None


CHAPTER = """\
# Labs

Some prose.

```{.tinytorch #a}
from tinytorch.core.tensor import Tensor
print(Tensor([1.0, 2.0]).memory_footprint())
```

```{.output for=a}
16
```

```{.tinytorch #b session=s}
x = 5
```

```{.tinytorch #c session=s}
print(x * 2)
```

```{.tinytorch #d}
print("d")
```
"""


def test_prose_edits_do_not_rerun_and_code_edits_rerun_only_their_chain(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER)
    _, messages, stream = run_build(root)
    assert messages == []
    assert lab_summary(stream) == "labs: 4 run, 0 from the cache, 0 not run, 0 failed"
    _, _, stream = run_build(root)
    assert lab_summary(stream) == "labs: 0 run, 4 from the cache, 0 not run, 0 failed"
    # Prose before the labs moves them down: their keys do not see line numbers.
    chapter = root / "ch.md"
    chapter.write_text(CHAPTER.replace("Some prose.", "Some prose.\n\nA new paragraph.\n\nMore."))
    result, messages, stream = run_build(root)
    assert lab_summary(stream) == "labs: 0 run, 4 from the cache, 0 not run, 0 failed"
    assert messages == []
    # Editing the last lab of a session re-runs the session; its first lab is cached.
    chapter.write_text(CHAPTER.replace("print(x * 2)", "print(x * 3)"))
    result, _, stream = run_build(root)
    assert lab_summary(stream) == "labs: 2 run, 2 from the cache, 0 not run, 0 failed"
    assert '<pre class="lab-stdout">15\n</pre>' in rendered(result)
    # An option that changes the run is part of the key.
    chapter.write_text(CHAPTER.replace("#d}", "#d timeout=7}"))
    _, _, stream = run_build(root)
    assert lab_summary(stream) == "labs: 1 run, 3 from the cache, 0 not run, 0 failed"


def test_editing_the_labs_package_reruns_tinytorch_labs(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER)
    run_build(root)
    tensor = root / "labs/tinytorch/tinytorch/core/tensor.py"
    tensor.write_text(tensor.read_text().replace("self.data.nbytes", "self.data.nbytes * 2"))
    _, messages, stream = run_build(root, keep_going=True)
    assert lab_summary(stream) == "labs: 4 run, 0 from the cache, 0 not run, 1 failed"
    assert messages[0].startswith("ch.md:5: error: lab[a]: output differs from its {.output} block")


def test_a_new_runtime_reruns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = lab_book(tmp_path, CHAPTER)
    run_build(root)
    monkeypatch.setattr(runtime, "tinytorch_runtime", lambda: {**RUNTIME, "numpy": "0.0-other"})
    _, _, stream = run_build(root)
    assert lab_summary(stream) == "labs: 4 run, 0 from the cache, 0 not run, 0 failed"


def test_the_chapter_declares_the_files_its_labs_read(tmp_path: Path) -> None:
    root = lab_book(
        tmp_path, CHAPTER + '\n```{.tinytorch file="x.py"}\n```\n', {"labs/x.py": "print(3)\n"}
    )
    result, _, _ = run_build(root)
    deps = {p.relative_to(root).as_posix() for p in result.contexts["html"].dependencies["ch.md"]}
    assert deps == {
        "labs/x.py",
        "labs/tinytorch/tinytorch/__init__.py",
        "labs/tinytorch/tinytorch/core/__init__.py",
        "labs/tinytorch/tinytorch/core/tensor.py",
    }


def test_modes(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER)
    _, messages, stream = run_build(root, labs="frozen")
    assert messages[0] == (
        "ch.md:5: error: lab[a]: no cached result (--labs=frozen never runs labs); build once "
        "with --labs=cache and keep the .mlsysgen/cache/labs folder"
    )
    assert len(messages) == 4
    assert lab_summary(stream) == "labs: 0 run, 0 from the cache, 4 not run, 4 failed"
    run_build(root)
    _, messages, stream = run_build(root, labs="frozen")
    assert (messages, lab_summary(stream)) == (
        [],
        "labs: 0 run, 4 from the cache, 0 not run, 0 failed",
    )
    _, _, stream = run_build(root, labs="force")
    assert lab_summary(stream) == "labs: 4 run, 0 from the cache, 0 not run, 0 failed"
    result, messages, stream = run_build(root, labs="off")
    assert (messages, lab_summary(stream)) == (
        [],
        "labs: 0 run, 0 from the cache, 4 not run, 0 failed",
    )
    html = rendered(result)
    assert 'data-status="off"' in html and "16\n</pre>" not in html
    assert "Not run in this build (--labs=off)" in html


def test_frozen_uses_results_made_on_another_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = lab_book(tmp_path, CHAPTER)
    run_build(root)
    monkeypatch.setattr(runtime, "tinytorch_runtime", lambda: {"python": "3.11", "numpy": ""})
    _, messages, stream = run_build(root, labs="frozen")
    assert (messages, lab_summary(stream)) == (
        [],
        "labs: 0 run, 4 from the cache, 0 not run, 0 failed",
    )


def test_no_cache_folder_still_runs_each_lab_once_per_build(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER)
    _, messages, stream = run_build(root, cache=False, formats=["html", "epub"])
    assert messages == []
    assert lab_summary(stream) == "labs: 4 run, 0 from the cache, 0 not run, 0 failed"
    assert not (root / ".mlsysgen").exists()
