"""Collect warnings and errors with their locations, report them together, fail once."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Literal, TextIO

from .errors import Location

Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where, how bad, and what to do about it."""

    severity: Severity
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity}: {self.message}"


@dataclass
class Diagnostics:
    """The build's problem list. Stages add to it; the build fails once at the end.

    ``strict`` turns every warning into an error, as ``--strict`` asks.
    """

    strict: bool = False
    stream: TextIO | None = None
    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def warning(self, message: str, location: Location | None = None) -> None:
        self._add("error" if self.strict else "warning", message, location)

    def error(self, message: str, location: Location | None = None) -> None:
        self._add("error", message, location)

    def extend(self, other: Diagnostics) -> None:
        self.extend_items(other.items)

    def extend_items(self, items: list[Diagnostic]) -> None:
        """Add problems found earlier (e.g. kept with a cached result), as they were."""
        for item in items:
            self._add(item.severity, item.message, item.location)

    def _add(self, severity: Severity, message: str, location: Location | None) -> None:
        item = Diagnostic(severity, message, location)
        if item in self._seen:
            return
        self._seen.add(item)
        self.items.append(item)
        if self.stream is not None:
            print(item, file=self.stream)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def report(self, stream: TextIO = sys.stderr) -> None:
        """Print every diagnostic in source order (used when nothing was streamed)."""
        for item in sorted(self.items, key=_sort_key):
            print(item, file=stream)


def _sort_key(d: Diagnostic) -> tuple[str, int, str]:
    loc = d.location
    return (loc.path if loc else "", (loc.line or 0) if loc else 0, d.message)
