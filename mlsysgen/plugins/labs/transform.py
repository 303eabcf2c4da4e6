"""The lab pass (chapter scope): lab fences → verified ``lab`` tokens.

Steps for one chapter: 1. read every ``{.tinytorch}``/``{.micropython}`` fence into a
:class:`~.spec.Lab` and every ``{.output for=ID}`` block into its lab's golden output
(a ``python`` fence that imports a board module gets a warning);  2. declare the files
the labs read;  3. verify the labs (:mod:`.verify`);  4. report what failed;  5. turn
each lab fence into a ``lab`` token carrying the lab and its outcome (rendered by
:mod:`.render`) and drop the golden blocks, whose text the lab's output now shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from ...model import Book, Chapter
from ...transforms.base import BuildContext
from .boards import BoardError, load_board
from .expect import problems
from .results import Outcome
from .settings import Settings, build_state, settings_for
from .spec import Golden, Lab, LabSyntaxError, Origin, golden_target, lab_kind, read_lab
from .verify import NODE_MISSING, verify

_BOARD_IMPORT = re.compile(r"^\s*(?:import\s+([\w., ]+)|from\s+(\w+)\s+import\b)", re.MULTILINE)
_BOARD_MODULES = ("sensor", "pyb", "machine")


@dataclass
class Found:
    """A chapter's labs (with the index of their fence token) and golden blocks."""

    labs: list[tuple[int, Lab]] = field(default_factory=list)
    goldens: list[int] = field(default_factory=list)


def run_labs(book: Book, ctx: BuildContext) -> None:
    """The ``labs`` transform."""
    for chapter in book.chapters:
        found = _read(chapter, ctx, book)
        if found.labs:
            _verify(chapter, found, settings_for(book, ctx), ctx)
        if found.goldens:
            drop = set(found.goldens)
            chapter.tokens = [t for i, t in enumerate(chapter.tokens) if i not in drop]


# ---- 1. read ---------------------------------------------------------------------------------
def _read(chapter: Chapter, ctx: BuildContext, book: Book) -> Found:
    found = Found()
    goldens: list[tuple[int, str, Token]] = []
    slug = _slug(chapter.rel)
    count = 0  # every lab fence, so an id does not shift when an earlier lab is invalid
    for i, token in enumerate(chapter.tokens):
        if token.type != "fence" or "raw" in token.meta:
            continue
        attrs = token.meta.get("attrs")
        if lab_kind(attrs):
            count += 1
            lab = _lab(chapter, token, f"{slug}-lab-{count}", ctx, book, found)
            if lab is not None:
                found.labs.append((i, lab))
        elif (target := golden_target(attrs)) is not None:
            goldens.append((i, target, token))
        elif token.meta.get("lang", "").lower() in ("python", "py", "python3"):
            _lint(chapter, token, ctx)
    labs = {lab.id: lab for _, lab in found.labs}
    for i, target, token in goldens:
        _attach_golden(chapter, token, target, labs, ctx)
        found.goldens.append(i)
    return found


def _lab(
    chapter: Chapter, token: Token, default_id: str, ctx: BuildContext, book: Book, found: Found
) -> Lab | None:
    attrs = token.meta["attrs"]
    where = chapter.where(token)
    first = (token.map[0] + 2) if token.map else 1
    settings = settings_for(book, ctx)
    try:
        lab = read_lab(
            attrs,
            token.content,
            default_id,
            where,
            Origin(where.path, first),
            settings.folder,
            settings.options.timeout,
        )
    except LabSyntaxError as exc:
        ctx.diagnostics.error(f"lab[{attrs.id or default_id}]: {exc}", where)
        token.meta["lang"] = "python"  # shown as plain code
        return None
    for message in lab.warnings:
        ctx.diagnostics.warning(f"lab[{lab.id}]: {message}", where)
    if "stubs" in lab.checks:
        ctx.diagnostics.warning(
            f'lab[{lab.id}]: check="stubs" (type-checking against MicroPython stubs) is not '
            "supported yet; the lab is only compiled",
            where,
        )
    clash = next((other for _, other in found.labs if other.id == lab.id), None)
    if clash is not None:
        ctx.diagnostics.error(
            f"lab[{lab.id}]: this id is already used by the lab at "
            f"{clash.location}; give each lab its own #id",
            where,
        )
        token.meta["lang"] = "python"
        return None
    return lab


def _attach_golden(
    chapter: Chapter, token: Token, target: str, labs: dict[str, Lab], ctx: BuildContext
) -> None:
    where = chapter.where(token)
    lab = labs.get(target)
    if not target:
        ctx.diagnostics.error("an {.output} block needs for=ID naming the lab it belongs to", where)
    elif lab is None:
        ctx.diagnostics.error(
            f"{{.output for={target}}}: no lab with id '{target}' in this chapter; check for=",
            where,
        )
    elif lab.golden is not None:
        ctx.diagnostics.error(
            f"lab[{target}]: a second {{.output}} block (the first is at "
            f"{lab.golden.location}); keep one",
            where,
        )
    else:
        lab.golden = Golden(token.content, where)
        if lab.output == "illustrative":
            ctx.diagnostics.warning(
                f'lab[{target}]: output="illustrative" is never compared, '
                "so its {.output} block is ignored; remove one of them",
                where,
            )


def _lint(chapter: Chapter, token: Token, ctx: BuildContext) -> None:
    """A plain ``python`` block importing a board module is MicroPython in disguise."""
    for m in _BOARD_IMPORT.finditer(token.content):
        names = [n.strip().split(" ")[0] for n in (m[1] or m[2]).split(",")]
        module = next((n.split(".")[0] for n in names if n.split(".")[0] in _BOARD_MODULES), "")
        if module:
            ctx.diagnostics.warning(
                f"this python block imports '{module}', a MicroPython board module; mark it "
                "{.micropython} so the build compiles it with mpy-cross",
                chapter.where(token),
            )
            return


def _slug(rel: str) -> str:
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "chapter"


# ---- 2.–5. verify, report, replace -----------------------------------------------------------
def _verify(chapter: Chapter, found: Found, settings: Settings, ctx: BuildContext) -> None:
    labs = [lab for _, lab in found.labs]
    _declare_dependencies(chapter, labs, settings, ctx)
    state = build_state(ctx)
    first = next((lab for lab in labs if lab.kind == "tinytorch"), None)
    if first and not (settings.tinytorch / "tinytorch").is_dir() and "package" not in state.flags:
        state.flags.add("package")
        ctx.diagnostics.warning(
            f"lab[{first.id}]: no tinytorch/ package in {settings.tinytorch}, so TinyTorch "
            "imports will fail; point labs: tinytorch in the config at the folder holding it",
            first.location,
        )
    outcomes = verify(labs, settings, lambda lab, outcome: bool(problems(lab, outcome)))
    for index, lab in found.labs:
        outcome = outcomes[lab.id]
        for problem in problems(lab, outcome):
            ctx.diagnostics.error(problem.message, problem.location)
        if outcome.note == NODE_MISSING and "node" not in state.flags:
            state.flags.add("node")
            ctx.diagnostics.warning(
                f"lab[{lab.id}]: node (Node.js) was not found, so simulate= labs are compiled "
                "but not run; install Node.js to simulate them",
                lab.location,
            )
        if outcome.figures and not lab.fig_alt:
            ctx.diagnostics.warning(
                f'lab[{lab.id}]: its figure has no text alternative; describe it with fig-alt="…"',
                lab.location,
            )
        token = chapter.tokens[index]
        token.type = "lab"
        token.meta["lab"] = lab
        token.meta["outcome"] = outcome
        token.meta["lab_build"] = state.build_id


def _declare_dependencies(
    chapter: Chapter, labs: list[Lab], settings: Settings, ctx: BuildContext
) -> None:
    """Every file the chapter's labs read, so incremental builds notice their edits."""
    for lab in labs:
        if lab.file is not None:
            ctx.add_dependency(chapter.rel, lab.file)
    if any(lab.kind == "tinytorch" for lab in labs):
        for path in settings.tinytorch_tree.files:
            ctx.add_dependency(chapter.rel, path)
    for board in sorted({lab.board for lab in labs if lab.kind == "micropython" and lab.simulate}):
        try:
            for path in load_board(settings.mocks, board).sources:
                ctx.add_dependency(chapter.rel, path)
        except BoardError:
            pass  # reported when the lab is simulated
