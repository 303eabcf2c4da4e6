"""Lab fences → :class:`Lab` specs: the syntax of ``{.tinytorch}`` / ``{.micropython}``
blocks and ``{.output for=ID}`` golden blocks, checked attribute by attribute.

The info string is read once, by the core's fence-info rule (``token.meta["attrs"]``);
this module only interprets the attributes. Problems are :class:`LabSyntaxError` with the
message to show; the transform adds the location.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import Location
from ...parse.attrs import Attrs
from .regions import RegionError, read_region

KINDS = ("tinytorch", "micropython")
RUN_MODES = ("both", "build", "browser", "none")
OUTPUT_MODES = ("show", "hide", "collapse", "illustrative")
CHECKS = ("compile", "stubs")
BOARDS = ("nicla-vision", "pico", "xiao-esp32s3")
_COMMON = ("file", "region", "session", "expect", "timeout", "run", "output", "fig-alt")
_MICROPYTHON = ("board", "check", "simulate")
_ID = re.compile(r"^[A-Za-z][\w.:-]*$")
_BOARD = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class LabSyntaxError(ValueError):
    """An attribute or file reference of a lab block is wrong; the message says what to do."""


@dataclass(frozen=True)
class Origin:
    """Where the first line of a piece of lab code comes from, for error locations."""

    display: str
    """The file as diagnostics show it (the chapter, or the lab file)."""
    first_line: int
    """1-based line of the code's first line in that file."""

    def at(self, line: int) -> Location:
        """Location of the code's ``line`` (1-based, counted in the same file)."""
        return Location(self.display, line)


@dataclass
class Golden:
    """An ``{.output for=ID}`` block: the output the author expects."""

    text: str
    location: Location


@dataclass
class Lab:
    """One lab snippet, its options, and where each part of its code comes from."""

    id: str
    kind: str
    code: str
    location: Location
    """The fence's opening line."""
    origin: Origin
    """Where ``code`` starts (the line after the fence, or the region in a lab file)."""
    setup: str = ""
    """Hidden code run before ``code`` (a lab file's lines before the region)."""
    setup_origin: Origin | None = None
    file: Path | None = None
    session: str = ""
    expect_error: bool = False
    timeout: float = 30.0
    run: str = "both"
    output: str = "show"
    fig_alt: str = ""
    board: str = ""
    checks: tuple[str, ...] = ("compile",)
    simulate: int = 0
    golden: Golden | None = None
    warnings: list[str] = field(default_factory=list)
    """Problems worth a warning (unknown attributes), already phrased."""

    @property
    def runs_at_build(self) -> bool:
        return self.run in ("both", "build")

    def options(self) -> dict[str, object]:
        """The options that change what running the lab produces (part of its cache key)."""
        return {
            "kind": self.kind,
            "expect_error": self.expect_error,
            "timeout": self.timeout,
            "board": self.board,
            "simulate": self.simulate,
            "checks": list(self.checks),
        }


def lab_kind(attrs: Attrs | None) -> str:
    """``tinytorch`` or ``micropython`` when a fence is a lab (its first class), else ""."""
    if attrs is None or not attrs.classes:
        return ""
    return attrs.classes[0] if attrs.classes[0] in KINDS else ""


def golden_target(attrs: Attrs | None) -> str | None:
    """The lab id an ``{.output for=ID}`` block is for; None when it is no such block."""
    if attrs is None or not attrs.classes or attrs.classes[0] != "output":
        return None
    return attrs.kv.get("for", "")


@dataclass(frozen=True)
class LabFolder:
    """Where ``file=`` paths are resolved, and how to show them in messages."""

    root: Path
    """The project root (``file=`` paths are relative to it, or to ``folder``)."""
    folder: Path
    """The configured ``labs.folder``, absolute; files must lie inside it."""
    display: str
    """``labs.folder`` as written in the config."""
    show: Callable[[Path], str]
    """A path as diagnostics show it (the project's ``display``)."""


def read_lab(
    attrs: Attrs,
    body: str,
    default_id: str,
    fence: Location,
    origin: Origin,
    labs: LabFolder,
    default_timeout: float,
) -> Lab:
    """The lab a fence declares. Raises LabSyntaxError naming the attribute at fault."""
    kind = lab_kind(attrs)
    ident = attrs.id or default_id
    if not _ID.match(ident):
        raise LabSyntaxError(f"'{ident}' is not a valid lab id; use letters, digits and - _ . :")
    kv = attrs.kv
    lab = Lab(ident, kind, body, fence, origin, timeout=default_timeout)
    lab.warnings = _unknown_keys(kv, kind)
    lab.session = kv.get("session", "")
    lab.expect_error = _expect(kv.get("expect", ""))
    lab.timeout = _timeout(kv.get("timeout"), default_timeout)
    lab.run = _choice("run", kv.get("run", "both"), RUN_MODES)
    lab.output = _choice("output", kv.get("output", "show"), OUTPUT_MODES)
    lab.fig_alt = kv.get("fig-alt", "")
    if kind == "micropython":
        lab.board = _board(kv.get("board", "nicla-vision"))
        lab.checks = _checks(kv.get("check", "compile"))
        lab.simulate = _simulate(kv.get("simulate"))
    if "file" in kv:
        _load_file(lab, kv["file"], kv.get("region", ""), body, labs)
    elif "region" in kv:
        raise LabSyntaxError("region= needs file=; name the lab file the region is in")
    return lab


def _unknown_keys(kv: dict[str, str], kind: str) -> list[str]:
    known = _COMMON + (_MICROPYTHON if kind == "micropython" else ())
    out = []
    for key in kv:
        if key in known:
            continue
        if key in _MICROPYTHON:
            out.append(f"{key}= applies to MicroPython labs only; it is ignored here")
        else:
            out.append(f"unknown lab attribute '{key}' is ignored (known: {', '.join(known)})")
    return out


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise LabSyntaxError(f'{key}="{value}" is not one of {", ".join(allowed)}')
    return value


def _board(value: str) -> str:
    """Any board the mocks' manifest may list; the usual ones are named in the message."""
    if not _BOARD.match(value):
        raise LabSyntaxError(f'board="{value}" is not a board name; use e.g. {", ".join(BOARDS)}')
    return value


def _expect(value: str) -> bool:
    if value not in ("", "error"):
        raise LabSyntaxError(
            f'expect="{value}" is not understood; the only value is expect="error"'
        )
    return value == "error"


def _timeout(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise LabSyntaxError(f'timeout="{value}" must be a number of seconds between 0 and 3600')
    return seconds


def _checks(value: str) -> tuple[str, ...]:
    checks = tuple(c.strip() for c in value.split(",") if c.strip())
    for check in checks:
        _choice("check", check, CHECKS)
    return checks or ("compile",)


def _simulate(value: str | None) -> int:
    if value is None:
        return 0
    if not value.isdigit() or not 0 < int(value) <= 10000:
        raise LabSyntaxError(
            f'simulate="{value}" must be a frame budget: a whole number from 1 to 10000'
        )
    return int(value)


def _load_file(lab: Lab, name: str, region: str, body: str, labs: LabFolder) -> None:
    """Fill the lab's code from ``file=``/``region=``, resolved inside the labs folder."""
    if body.strip():
        raise LabSyntaxError("a lab with file= takes its code from the file; leave the block empty")
    path = (labs.root / name).resolve()
    if not path.is_relative_to(labs.folder):
        path = (labs.folder / name).resolve()
    if not path.is_relative_to(labs.folder):
        raise LabSyntaxError(f"lab file '{name}' is outside the labs folder '{labs.display}'")
    if not path.is_file():
        raise LabSyntaxError(
            f"lab file '{name}' not found (looked in '{labs.display}'); check file="
        )
    display = labs.show(path)
    try:
        part = read_region(path.read_text(encoding="utf-8"), region)
    except RegionError as exc:
        raise LabSyntaxError(f"{exc} in {display}; check region=") from exc
    lab.file = path
    lab.code = part.code
    lab.origin = Origin(display, part.first_line)
    lab.setup = part.setup
    lab.setup_origin = Origin(display, 1)
