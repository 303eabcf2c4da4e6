"""The MicroPython mock modules of a board, read from the mocks' ``boards.json`` manifest.

The same files go to the node simulation at build time and, as
``static/labs/boards/<board>.json``, to the reader's browser, so both run the snippet
against identical mocks (see ``labs/micropython/README.md`` for the manifest and the
frame-budget protocol).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "boards.json"


class BoardError(ValueError):
    """The manifest or a mock file is missing or malformed; the message says which."""


@dataclass(frozen=True)
class BoardMocks:
    """A board's mock files, as the interpreter's file system should hold them."""

    board: str
    files: dict[str, str]
    """Path inside the interpreter (``lib/sensor.py``) → source."""
    budget_module: str
    """The module whose ``budget`` attribute sets the frame budget."""
    sources: tuple[Path, ...]
    """The files read (dependencies of the chapters that use the board)."""

    def prelude(self, budget: int) -> str:
        """MicroPython code run before a snippet: import the budget module (always: it puts
        the mocks ahead of the interpreter's frozen modules) and set the frame budget."""
        if not self.budget_module:
            return ""
        name = self.budget_module
        return f"import {name}\n" + (f"{name}.budget = {int(budget)}\n" if budget > 0 else "")

    def browser_json(self) -> bytes:
        """``static/labs/boards/<board>.json`` for the in-browser Run (``lib/`` paths)."""
        files = {name.removeprefix("lib/"): text for name, text in sorted(self.files.items())}
        data = {"files": files, "budget_module": self.budget_module}
        return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


def load_board(mocks: Path, board: str) -> BoardMocks:
    """The mocks of ``board`` listed in ``mocks/boards.json``."""
    manifest_path = mocks / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BoardError(f"no {MANIFEST} in the MicroPython mocks folder {mocks}") from exc
    except ValueError as exc:
        raise BoardError(f"{manifest_path} is not valid JSON: {exc}") from exc
    boards = manifest.get("boards", manifest)
    entry = boards.get(board) if isinstance(boards, dict) else None
    if not isinstance(entry, dict):
        known = ", ".join(sorted(boards)) if isinstance(boards, dict) else "none"
        raise BoardError(f"board '{board}' is not in {manifest_path} (boards there: {known})")
    names = entry.get("files") or entry.get("modules") or []
    files: dict[str, str] = {}
    sources = [manifest_path]
    for name in names:
        path = (mocks / name).resolve()
        if not path.is_file():
            raise BoardError(f"mock file '{name}' of board '{board}' not found in {mocks}")
        files[f"lib/{path.name}"] = path.read_text(encoding="utf-8")
        sources.append(path)
    budget = str(entry.get("budget_module", manifest.get("budget_module", "")))
    return BoardMocks(board, files, budget, tuple(sources))
