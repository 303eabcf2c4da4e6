"""Test helpers: build tiny books inline and render Markdown through the whole pipeline."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from mlsysgen.build import BuildOptions, build
from mlsysgen.errors import BuildFailed
from mlsysgen.render.chapter import render_chapter
from mlsysgen.transforms.base import BuildContext

SNAPSHOTS = os.environ.get("MLSYSGEN_SNAPSHOTS") == "overwrite"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path → text) under ``root`` as they are (a Quarto project, say)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_book(root: Path, files: dict[str, str], config: dict | None = None) -> Path:
    """Write a project: ``files`` maps paths to text; chapters default to every .md file."""
    write_files(root, files)
    if "book.yml" not in files:
        chapters = sorted(n for n in files if n.endswith((".md", ".qmd")))
        data = {"title": "Test Book", "chapters": chapters, **(config or {})}
        (root / "book.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


def render_fragment(
    tmp_path: Path, text: str, fmt: str = "html", config: dict | None = None
) -> tuple[str, list[str]]:
    """Render one chapter's Markdown; returns (body + end notes, diagnostics as text)."""
    root = write_book(tmp_path / "book", {"chapter.md": text}, config)
    try:
        result = build(root, BuildOptions(formats=[fmt], write=False, cache=False))
    except BuildFailed as exc:
        result = exc.result  # errors still leave the transformed book for inspection
    book = result.books[fmt]
    ctx = result.contexts[fmt]
    chapter = book.chapters[0]
    rendered = render_chapter(chapter, book, ctx)
    messages = [_strip_root(str(d), root) for d in result.diagnostics.items]
    return rendered.body + rendered.endnotes, messages


def _strip_root(message: str, root: Path) -> str:
    return message.replace(str(root) + "/", "")


def normalise(html: str) -> str:
    return re.sub(r"\n+", "\n", html.strip())


__all__ = ["SNAPSHOTS", "BuildContext", "normalise", "render_fragment", "write_book"]
