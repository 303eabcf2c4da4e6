"""Config → the ordered list of chapter sources. Knows nothing of Markdown."""

from __future__ import annotations

from pathlib import Path

from .config.load import Project
from .config.schema import NavItem, Part
from .diagnostics import Diagnostics
from .errors import Location
from .model import PartInfo, Role, Source, roman_numeral

SOURCE_SUFFIXES = (".md", ".qmd")


def discover(project: Project, diagnostics: Diagnostics) -> tuple[list[Source], list[PartInfo]]:
    """Every source the config lists, in reading order (front matter, the chapters or each
    volume's chapters and appendices, shared appendices, back matter), plus the parts;
    missing files are errors."""
    config = project.config
    sources: list[Source] = []
    parts: list[PartInfo] = []
    seen: set[str] = set()

    def add(item: NavItem, role: Role, part: int | None = None, volume: int | None = None) -> None:
        if not item.file:
            return
        rel = item.file.lstrip("./") if item.file.startswith("./") else item.file
        path = project.root / rel
        where = Location(project.display(project.config_path))
        if path.suffix not in SOURCE_SUFFIXES:
            diagnostics.error(
                f"'{rel}' is not a .md or .qmd file; list chapter sources only", where
            )
            return
        if not path.is_file():
            diagnostics.error(f"chapter file '{rel}' not found; fix the path in the config", where)
            return
        if rel in seen:
            diagnostics.warning(f"'{rel}' is listed twice in the config; keeping the first", where)
            return
        seen.add(rel)
        sources.append(Source(path, rel, role, part, item.title, project.display(path), volume))

    def add_outline(entries: list[NavItem | Part], volume: int | None, first_part: int) -> None:
        """Chapters and parts; parts are numbered from ``first_part`` (where numbering restarts)."""
        # Parts of different volumes may share a title; their ids must differ.
        prefix = f"{config.volumes[volume].id}-" if volume is not None else ""
        for entry in entries:
            if isinstance(entry, Part):
                parts.append(PartInfo(entry.part, entry.id or prefix + _slug(entry.part),
                                      roman_numeral(len(parts) - first_part + 1), entry.file,
                                      volume))  # fmt: skip
                if entry.file and (project.root / entry.file).is_file():
                    add(NavItem(file=entry.file), "front", len(parts) - 1, volume)
                for item in entry.chapters:
                    add(item, "chapter", len(parts) - 1, volume)
            else:
                add(entry, "chapter", None, volume)

    for item in config.front_matter:
        add(item, "front")
    add_outline(config.chapters, None, 0)
    first_part = 0
    for v, volume in enumerate(config.volumes):
        first_part = len(parts) if volume.numbering == "restart" else first_part
        add_outline(volume.chapters, v, first_part)
        for item in volume.appendices:
            add(item, "appendix", None, v)
    for item in config.appendices:
        add(item, "appendix")
    for item in config.back_matter:
        add(item, "back")
    for rel in config.extra_pages:
        add(NavItem(file=rel), "extra")
    return sources, parts


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


__all__ = ["SOURCE_SUFFIXES", "Path", "discover"]
