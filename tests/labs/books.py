"""Small lab books written inline: a chapter, a stand-in TinyTorch package, board mocks.

The stand-in packages keep these tests independent of the project's real ``labs/``
(which has its own tests, and which the sample-book test exercises).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from mlsysgen.build import BuildOptions, BuildResult, build
from mlsysgen.errors import BuildFailed
from mlsysgen.render.chapter import render_chapter

from ..helpers import write_book

TINYTORCH = {
    "labs/tinytorch/tinytorch/__init__.py": '__version__ = "9.9.9"\n',
    "labs/tinytorch/tinytorch/core/__init__.py": "",
    "labs/tinytorch/tinytorch/core/tensor.py": (
        "import numpy as np\n\n\n"
        "class Tensor:\n"
        "    def __init__(self, data):\n"
        "        self.data = np.asarray(data)\n\n"
        "    def memory_footprint(self):\n"
        "        return self.data.nbytes\n"
    ),
}
# A board in the mocks' manifest format (labs/micropython/README.md): a frame budget
# module and a camera whose snapshot() counts frames against it.
MOCKS = {
    "labs/micropython/boards.json": json.dumps(
        {
            "nicla-vision": {"files": ["_sim.py", "sensor.py"], "budget_module": "_sim"},
            "pico": {"files": ["_sim.py", "machine.py"], "budget_module": "_sim"},
        }
    ),
    "labs/micropython/_sim.py": (
        "budget = 0\nframes = 0\n\n\ndef tick():\n    global frames\n    frames += 1\n"
        "    if budget and frames > budget:\n"
        "        print('[sim] frame budget exhausted')\n        raise SystemExit\n"
    ),
    "labs/micropython/machine.py": "class Pin:\n    OUT = 1\n\n    def __init__(self, n, mode=0):\n        self.n = n\n",
    "labs/micropython/sensor.py": (
        "import _sim\n\n\ndef reset():\n    pass\n\n\ndef snapshot():\n    _sim.tick()\n"
        "    return _sim.frames\n"
    ),
}
PLUGIN = {"plugins": ["mlsysgen.plugins.labs"]}


def lab_book(
    root: Path,
    chapter: str,
    files: dict[str, str] | None = None,
    labs: dict[str, Any] | None = None,
) -> Path:
    """A book whose one chapter ``ch.md`` is ``chapter``, with the plugin enabled."""
    config: dict[str, Any] = dict(PLUGIN)
    if labs:
        config["labs"] = labs
    return write_book(root, {"ch.md": chapter, **TINYTORCH, **MOCKS, **(files or {})}, config)


def run_build(root: Path, **options: Any) -> tuple[BuildResult, list[str], str]:
    """Build (no output written unless ``write=True``); return the result, the
    diagnostics as text with the book folder stripped, and the progress stream."""
    stream = io.StringIO()
    options.setdefault("write", False)
    options.setdefault("formats", ["html"])
    try:
        result = build(root, BuildOptions(stream=stream, **options))
    except BuildFailed as exc:
        result = exc.result  # type: ignore[assignment]
    messages = [str(d).replace(f"{root}/", "") for d in result.diagnostics.items]
    return result, messages, stream.getvalue()


def lab_summary(stream: str) -> str:
    """The build's "labs: …" line."""
    return next((line for line in stream.splitlines() if line.startswith("labs: ")), "")


def rendered(result: BuildResult, fmt: str = "html") -> str:
    """The first chapter's body as the renderer writes it for ``fmt``."""
    book, ctx = result.books[fmt], result.contexts[fmt]
    return render_chapter(book.chapters[0], book, ctx).body
