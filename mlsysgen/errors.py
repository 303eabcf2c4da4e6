"""Exceptions and source locations shared by every stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: the path as the user should see it, and a 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class MlsysgenError(Exception):
    """Base of every error the CLI reports without a traceback (exit status 1)."""


class ConfigError(MlsysgenError):
    """The project configuration is invalid; the message lists every problem."""


class BuildFailed(MlsysgenError):
    """The build collected errors; they have already been reported.

    ``result`` is the build's result (diagnostics, transformed books) for callers that
    inspect a failed build, such as the dev server and the tests.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class SourceError(MlsysgenError):
    """A problem at a known place in a source file."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message

    def __reduce__(self) -> tuple[type[SourceError], tuple[Location, str]]:
        # Parsing runs in worker processes, which send errors back pickled.
        return (type(self), (self.location, self.message))
