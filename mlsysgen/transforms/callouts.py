"""Callouts (``.callout-note|tip|important|warning|caution`` and custom ``.callout-*``)
and margin content (``.column-margin``, ``.aside``).

A callout's title comes from ``title=`` (inline Markdown) or a leading heading (which
is then removed); ``collapse="true|false"`` makes it a ``<details>``; ``icon=false``
hides the icon. Custom classes take their label from ``callout-labels`` in the config
("Definition"), shown before the title as the real book's numbered-blocks filter does.
"""

from __future__ import annotations

from markdown_it.token import Token

from ..model import Book, Chapter
from .base import BuildContext
from .tokens import block_end, classes, make

STANDARD = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
            "caution": "Caution"}  # fmt: skip
MARGIN_CLASSES = {"column-margin", "aside", "margin"}
MARKER_CLASSES = {"quiz-end"}


def build_callouts(book: Book, ctx: BuildContext) -> None:
    labels = book.project.config.callout_labels
    for chapter in book.chapters:
        chapter.tokens = _walk(chapter.tokens, chapter, ctx, labels)


def _walk(
    tokens: list[Token], chapter: Chapter, ctx: BuildContext, labels: dict[str, str]
) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "div_open":
            out.append(token)
            i += 1
            continue
        end = block_end(tokens, i)
        inner = _walk(tokens[i + 1 : end], chapter, ctx, labels)
        names = classes(token)
        kind = next((c[len("callout-") :] for c in names if c.startswith("callout-")), None)
        if kind is None and "callout" in names:
            kind = "note"
        if kind is not None:
            out.extend(_callout(token, inner, tokens[end], kind, chapter, ctx, labels))
        elif MARGIN_CLASSES & set(names):
            out.extend(_retag(token, inner, tokens[end], "margin", "aside"))
        elif MARKER_CLASSES & set(names) and not inner:
            pass  # an empty marker div (the real book's quiz-end) renders as nothing
        else:
            out.extend([token, *inner, tokens[end]])
        i = end + 1
    return out


def _callout(
    div: Token,
    inner: list[Token],
    close: Token,
    kind: str,
    chapter: Chapter,
    ctx: BuildContext,
    labels: dict[str, str],
) -> list[Token]:
    title: Token | None = None
    if div.attrGet("title") is not None:
        title = ctx.parse_inline(str(div.attrGet("title")), chapter.env)[0]
        for child in title.children or []:
            child.map = list(div.map) if div.map else None
    elif inner and inner[0].type == "heading_open":
        title = inner[1]
        inner = inner[3:]
    label = labels.get(f"callout-{kind}") or STANDARD.get(kind) or kind.replace("-", " ").title()
    collapse = div.attrGet("collapse")
    opener = make("callout_open", "div", 1, div, id=str(div.attrGet("id") or ""))
    opener.meta.update(
        kind=kind,
        label=label,
        custom=kind not in STANDARD,
        title=title,
        collapse=None if collapse is None else str(collapse).lower() == "true",
        icon=str(div.attrGet("icon") or "true").lower() != "false",
        appearance=str(div.attrGet("appearance") or "default"),
    )
    closer = make("callout_close", "div", -1, close)
    closer.meta = opener.meta
    return [opener, *inner, closer]


def _retag(open_: Token, inner: list[Token], close: Token, name: str, tag: str) -> list[Token]:
    opener = make(f"{name}_open", tag, 1, open_)
    opener.attrs = dict(open_.attrs)
    return [opener, *inner, make(f"{name}_close", tag, -1, close)]
