"""The theme: Jinja2 templates and static assets, where a book's own file of the same
name wins over the default (like mkdocs ``custom_dir`` and Sphinx ``templates_path``)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import jinja2

from ..fingerprint import digest_text

_PACKAGE = Path(__file__).resolve().parents[1]


def default_theme_dir(kind: str) -> Path:
    """``templates`` or ``static`` of the default theme: in the wheel, or the source checkout."""
    packaged = _PACKAGE / "_theme" / kind
    return packaged if packaged.is_dir() else _PACKAGE.parent / kind


class Theme:
    """Template lookup and asset copying for one project."""

    def __init__(self, project_root: Path, extra_static: Sequence[Path] = ()) -> None:
        self.template_dirs = [project_root / "templates", default_theme_dir("templates")]
        self.static_dirs = [default_theme_dir("static"), *extra_static, project_root / "static"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.template_dirs if d.is_dir()]),
            autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"], default=True),
            undefined=jinja2.ChainableUndefined,
            trim_blocks=False,
        )

    def fingerprint(self) -> str:
        """A hash of every template, so pages made with other templates are not reused."""
        parts = []
        for folder in self.template_dirs:
            if folder.is_dir():
                parts += [(p.name, p.read_bytes()) for p in sorted(folder.rglob("*.html"))]
        return digest_text(parts)

    def render(self, name: str, **context: object) -> str:
        return self.env.get_template(name).render(**context)

    def copy_static(self, out: Path) -> None:
        """Copy default assets, then the project's own over them."""
        target = out / "static"
        for folder in self.static_dirs:
            if folder.is_dir():
                shutil.copytree(
                    folder,
                    target,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"),
                )
