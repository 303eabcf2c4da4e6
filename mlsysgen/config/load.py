"""Find a project, read its config (book.yml or _quarto.yml) and validate it at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import CONFIG_NAMES
from ..errors import ConfigError
from .schema import BookConfig
from .validate import Problems, build
from .volume_checks import settle_volumes
from .yamlio import YamlDoc, load_yaml_file


@dataclass
class Project:
    """A book project on disk: its root folder and validated configuration."""

    root: Path
    config: BookConfig
    config_path: Path
    kind: str
    """``book`` (book.yml) or ``quarto`` (_quarto.yml)."""
    notes: list[str] = field(default_factory=list)
    """Informational messages from loading (e.g. ignored Quarto keys)."""

    def display(self, path: Path) -> str:
        """A path as shown in diagnostics: relative to the current folder when possible."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def find_config(root: Path) -> Path:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    raise ConfigError(
        f"{root}: no book.yml or _quarto.yml here; "
        "pass the book's folder, or create one with 'python -m mlsysgen new DIR'"
    )


def load_project(root: Path) -> Project:
    """Load and validate the project in ``root``; raise ConfigError listing every problem."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(
            f"{root}: not a folder; pass the folder that holds book.yml or _quarto.yml"
        )
    config_path = find_config(root)
    problems = Problems()
    notes: list[str] = []
    if config_path.name == "_quarto.yml":
        from .quarto import translate_quarto

        doc, notes = translate_quarto(root, config_path, problems)
        kind = "quarto"
    else:
        doc = load_yaml_file(config_path, _display(config_path))
        kind = "book"
    config = build(BookConfig, doc.data, doc, (), problems)
    if config is not None:
        settle_volumes(config, doc, problems)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise ConfigError(f"invalid configuration ({count}):\n" + "\n".join(problems))
    _apply_defaults(config)
    return Project(root, config, config_path, kind, notes)


def _apply_defaults(config: BookConfig) -> None:
    if config.site_url and not config.site.url:
        config.site.url = config.site_url
    if config.site.url and not config.site.url.endswith("/"):
        config.site.url += "/"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


__all__ = ["CONFIG_NAMES", "Project", "YamlDoc", "find_config", "load_project"]
