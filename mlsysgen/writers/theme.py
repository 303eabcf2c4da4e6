"""The theme: Jinja2 templates and static assets, where a book's own file of the same
name wins over the default (like mkdocs ``custom_dir`` and Sphinx ``templates_path``)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import jinja2

from ..fingerprint import digest_text

_PACKAGE = Path(__file__).resolve().parents[1]
_ENVIRONMENTS: dict[tuple[tuple[str, ...], str, str], jinja2.Environment] = {}


def _fingerprint(folders: tuple[str, ...]) -> str:
    parts = []
    for folder in folders:
        parts += [(p.name, p.read_bytes()) for p in sorted(Path(folder).rglob("*.html"))]
    return digest_text(parts)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_theme_dir(kind: str) -> Path:
    """``templates`` or ``static`` of the default theme: in the wheel, or the source checkout."""
    packaged = _PACKAGE / "_theme" / kind
    return packaged if packaged.is_dir() else _PACKAGE.parent / kind


class Theme:
    """Template lookup and asset copying for one project."""

    def __init__(self, project_root: Path, extra_static: Sequence[Path] = (),
                 cache_dir: Path | None = None) -> None:  # fmt: skip
        """``cache_dir`` (the build cache) keeps the compiled templates for the next
        process, keyed by each template's source (Jinja's bytecode cache)."""
        self.template_dirs = [project_root / "templates", default_theme_dir("templates")]
        self.static_dirs = [default_theme_dir("static"), *extra_static, project_root / "static"]
        folders = tuple(str(d) for d in self.template_dirs if d.is_dir())
        self._fingerprint = _fingerprint(folders)
        # Compiling the templates takes longer than a preview rebuild's pages: a long-running
        # process keeps the environment for as long as the templates hash the same (and
        # the compiled ones go to this project's cache, not to the first one built).
        key = (folders, self._fingerprint, str(cache_dir))
        if key not in _ENVIRONMENTS:
            _ENVIRONMENTS.clear()
            _ENVIRONMENTS[key] = jinja2.Environment(
                loader=jinja2.FileSystemLoader(folders),
                autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"], default=True),
                undefined=jinja2.ChainableUndefined,
                trim_blocks=False,
                auto_reload=False,  # the content hash above decides, not file times
                bytecode_cache=(jinja2.FileSystemBytecodeCache(str(_made(cache_dir / "templates")))
                                if cache_dir is not None else None),
            )  # fmt: skip
        self.env = _ENVIRONMENTS[key]

    def fingerprint(self) -> str:
        """A hash of every template, so pages made with other templates are not reused."""
        return self._fingerprint

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
