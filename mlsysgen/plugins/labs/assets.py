"""The book-wide lab pass: unique ids, the files the browser's Run needs, the summary.

Book scope, so it runs on every build over all chapters (including chapters an earlier
build already passed through); it only reads lab tokens and sets values.

- A lab id used by two labs is an error naming both places.
- HTML only, and only when a lab of that kind exists: ``static/labs/tinytorch.zip`` (the
  TinyTorch package, to unpack into Pyodide) and ``static/labs/boards/<board>.json``
  (a board's mock modules), through ``ctx.data["generated_files"]``.
- One line on the build's stream: how many labs ran, came from the cache, failed.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

from markdown_it.token import Token

from ...errors import Location
from ...model import Book
from ...transforms.base import BuildContext
from .boards import BoardError, load_board
from .expect import problems
from .settings import build_state, settings_for
from .spec import Lab

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def finish_labs(book: Book, ctx: BuildContext) -> None:
    """The ``labs_book`` transform."""
    tokens = [t for c in book.chapters for t in c.tokens if t.type == "lab"]
    labs = [t.meta["lab"] for t in tokens]
    _check_unique(labs, ctx)
    if labs and ctx.format == "html":
        _generate(labs, book, ctx)
    _summary(tokens, ctx)


def _check_unique(labs: list[Lab], ctx: BuildContext) -> None:
    first: dict[str, Location] = {}
    for lab in labs:
        if lab.id in first and first[lab.id] != lab.location:
            ctx.diagnostics.error(
                f"lab[{lab.id}]: this id is already used by the lab at "
                f"{first[lab.id]}; give each lab its own #id",
                lab.location,
            )
        first.setdefault(lab.id, lab.location)


def _generate(labs: list[Lab], book: Book, ctx: BuildContext) -> None:
    settings = settings_for(book, ctx)
    files: dict[str, bytes] = ctx.data.setdefault("generated_files", {})
    if any(lab.kind == "tinytorch" for lab in labs):
        files["static/labs/tinytorch.zip"] = package_zip(
            settings.tinytorch, settings.tinytorch_tree.files
        )
    for board in sorted({lab.board for lab in labs if lab.kind == "micropython"}):
        try:
            mocks = load_board(settings.mocks, board)
        except BoardError as exc:
            where = next(lab.location for lab in labs if lab.board == board)
            ctx.diagnostics.warning(
                f"{exc}; the Run button cannot load the board's mock modules", where
            )
            continue
        files[f"static/labs/boards/{board}.json"] = mocks.browser_json()


def package_zip(folder: Path, files: tuple[Path, ...]) -> bytes:
    """``tinytorch/**.py`` as a zip with fixed dates: the same package gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _summary(tokens: list[Token], ctx: BuildContext) -> None:
    state = build_state(ctx)
    stream = ctx.diagnostics.stream
    if stream is None or not tokens or "summary" in state.flags:
        return
    state.flags.add("summary")
    s: Counter[str] = Counter()
    for token in tokens:
        lab, outcome = token.meta["lab"], token.meta["outcome"]
        if outcome.status in ("off", "skipped", "missing", "unavailable"):
            s["not run"] += 1
        elif outcome.note == "cached" or token.meta.get("lab_build") != state.build_id:
            s["cached"] += 1
        else:
            s["run"] += 1
        s["failed"] += len(problems(lab, outcome))
    print(
        f"labs: {s['run']} run, {s['cached']} from the cache, {s['not run']} not run, "
        f"{s['failed']} failed",
        file=stream,
    )
