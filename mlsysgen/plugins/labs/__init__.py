"""Runnable labs: ``{.tinytorch}`` and ``{.micropython}`` snippets verified at build.

A book enables the plugin with ``plugins: [mlsysgen.plugins.labs]``; its options are
the ``labs:`` section of the config (:class:`~mlsysgen.config.schema.LabsOptions`).

- ``labs`` (chapter pass, priority 60): read lab fences and golden blocks, run or look up
  every lab, report failures at ``chapter:line``, turn fences into ``lab`` tokens;
- ``labs_book`` (book pass, priority 95): unique ids, the browser's files, a summary;
- the ``lab`` render rule, and the static files of the in-browser Run.

Modules: spec, regions (syntax); settings, verify, cache, results (verification);
executor, forkserver, child (TinyTorch); mpy, simulate, boards, node/simulate.mjs
(MicroPython); expect (judging); render; assets. CONTRACT.md describes the markup the
in-browser Run (static/labs/*.js) builds on. Nothing heavy is imported until a book
with labs is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def register(registry: Any) -> None:
    """Add the lab passes, the render rule and the static files."""
    from . import runtime
    from .assets import finish_labs
    from .render import render_lab
    from .transform import run_labs

    registry.add_transform("labs", 60, run_labs, "chapter")
    # A chapter's labs ran with these: another numpy or Node.js present means running again.
    registry.add_run_key(lambda: (runtime.tinytorch_runtime(), runtime.micropython_runtime(True),
                                  runtime.node_path() is not None))  # fmt: skip
    registry.add_transform("labs_book", 95, finish_labs, "book")
    registry.add_render_rule("lab", render_lab)
    registry.add_theme_assets(
        Path(__file__).parent / "static", styles=["labs/labs.css"], scripts=["labs/labs.js"]
    )
