"""``status``: what the next ``build`` would redo, and why.

It compares the project with the stamp of the last build of the same command (see
:mod:`mlsysgen.stamp`): files whose content hash changed, were added or removed, output
files that are missing or were modified, tools or libraries that changed; and it counts
parse-cache entries that no current chapter uses any more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .config.load import Project, load_project
from .diagnostics import Diagnostics
from .discover import discover
from .errors import MlsysgenError
from .parse.chapters import cache_digest
from .parse.markdown import parser_fingerprint
from .registry import core_registry
from .stamp import (
    Stamp,
    cache_folder,
    command_key,
    environment_key,
    input_digests,
    output_stats,
    stamp_path,
)


@dataclass
class Status:
    """The differences between the project now and its last build."""

    stamp: Stamp | None
    changed: dict[str, list[str]] = field(default_factory=dict)
    """Kind of input (chapter, config, …) → files changed, added (+) or removed (−)."""
    output: list[str] = field(default_factory=list)
    environment: bool = False
    stale_cache: int = 0
    cache_entries: int = 0

    @property
    def up_to_date(self) -> bool:
        return self.stamp is not None and not (self.changed or self.output or self.environment)


def project_status(root: Path, options: dict[str, object]) -> Status:
    """Status of ``root`` for the build command with ``options`` (as the CLI passes them)."""
    root = root.resolve()
    project = load_project(root)
    cache_dir = cache_folder(root)
    chapters = _chapter_files(project)
    status = Status(_load_stamp(cache_dir, command_key(root, **options)))
    status.stale_cache, status.cache_entries = _parse_cache(cache_dir, project, chapters)
    if status.stamp is None:
        return status
    out = Path(status.stamp.out)
    now = input_digests(root, [out, cache_dir])
    before = status.stamp.inputs
    for name in sorted(now.keys() | before.keys()):
        if now.get(name) == before.get(name):
            continue
        mark = "+" if name not in before else "-" if name not in now else ""
        status.changed.setdefault(_kind(name, chapters, project.config_path.name), []).append(
            mark + name
        )
    written = status.stamp.outputs
    current = output_stats(out) if out.is_dir() else {}
    status.output = [n for n in sorted(written.keys() | current.keys())
                     if written.get(n) != current.get(n)]  # fmt: skip
    status.environment = status.stamp.environment != environment_key()
    return status


_WHY = {
    "chapter": "re-parse and re-render these chapters, and the pages whose references into them changed",
    "config": "redo everything (the configuration changed)",
    "bibliography": "format citations again and re-render chapters whose citations changed",
    "theme": "re-render every page (a template or static file changed)",
    "mlsysgen": "redo everything (mlsysgen itself changed)",
    "labs": "run the labs whose code or package changed",
    "other": "copy these files again if pages use them",
}


def report(status: Status) -> list[str]:
    if status.stamp is None:
        lines = ["no recorded build for this command: the next build does everything"]
    elif status.up_to_date:
        lines = [f"up to date: {status.stamp.out} ({status.stamp.summary})"]
    else:
        lines = [f"last build: {status.stamp.out} ({status.stamp.summary}); the next build will:"]
        for kind, files in status.changed.items():
            lines.append(f"  {_WHY[kind]}:")
            lines += [f"    {name}" for name in files]
        if status.output:
            lines.append("  rewrite output files that are missing or were modified:")
            lines += [f"    {name}" for name in status.output]
        if status.environment:
            lines.append("  rebuild: tools or libraries changed (TeX, node, Python packages)")
    lines.append(
        f"parse cache: {status.cache_entries} entr{'y' if status.cache_entries == 1 else 'ies'}, "
        f"{status.stale_cache} not used by any "
        "current chapter (python -m mlsysgen clean removes the cache)"
    )
    return lines


def _load_stamp(cache_dir: Path, key: str) -> Stamp | None:
    try:
        return Stamp(**json.loads(stamp_path(cache_dir, key).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _chapter_files(project: Project) -> set[str]:
    """The chapter sources the build reads, as discovery finds them (volumes included)."""
    sources, _ = discover(project, Diagnostics())
    return {source.rel for source in sources}


def _kind(name: str, chapters: set[str], config_name: str) -> str:
    if name in chapters:
        return "chapter"
    if name.startswith("mlsysgen/") or name.startswith("/"):
        return "theme" if "/templates/" in name or "/static/" in name else "mlsysgen"
    if name.endswith((".yml", ".yaml")) or name == config_name:
        return "config"
    if name.endswith((".bib", ".csl")):
        return "bibliography"
    if name.startswith(("templates/", "static/")):
        return "theme"
    if name.startswith("labs/"):
        return "labs"
    return "other"


def _parse_cache(cache_dir: Path, project: Project, chapters: set[str]) -> tuple[int, int]:
    """(stale, total) parse-cache entries: stale ones no current chapter text, with the
    current parser and version, would look up."""
    folder = cache_dir / "parse"
    if not folder.is_dir():
        return 0, 0
    entries = {p.stem for p in folder.glob("*/*.pickle")}
    registry = core_registry()
    for name in project.config.plugins:
        registry.load_plugin(name)
    key = parser_fingerprint(registry.xref_kinds, registry.syntax)
    live = set()
    for rel in chapters:
        try:
            raw = (project.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        live.add(cache_digest(raw, key))
    return len(entries - live), len(entries)


def status_lines(root: Path, options: dict[str, object]) -> list[str]:
    try:
        return report(project_status(root, options))
    except MlsysgenError as exc:
        return [f"error: {exc}"]


__all__ = ["Status", "project_status", "report", "status_lines"]
