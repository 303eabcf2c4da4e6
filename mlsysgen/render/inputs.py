"""What a chapter's rendered fragments depend on, as one hash.

The renderer reads a chapter's own tokens plus a few book-wide values: the index entries
its cross-references, captions and equations use, its citations' formatted text and
reference entries, and the config. An incremental build re-renders a chapter only when
this key changes, so an edit elsewhere that renumbers a figure it cites re-renders it,
and an edit that changes nothing it shows does not.
"""

from __future__ import annotations

from typing import Any

from ..fingerprint import digest_text
from ..model import Book, Chapter, Label
from ..transforms.base import BuildContext
from ..transforms.walk import final_inline_children


def render_key(chapter: Chapter, book: Book, ctx: BuildContext, chapter_key: str) -> str:
    """``chapter_key`` identifies the chapter's tokens after its chapter-scope passes."""
    used: set[str] = set()
    cites: list[Any] = []
    drawn = _diagram_states(chapter)
    for token in final_inline_children(chapter):
        if token.type == "xref":
            used.add(token.meta["id"])
        elif token.type == "cite":
            cites.append((token.meta.get("html"), sorted(token.meta.get("unknown", ()))))
    labels = [_label(book.index.get(i), book) for i in sorted(used)]
    own = _own_labels(book, ctx).get(chapter.rel, [])
    headings = [(h.id, h.number) for h in chapter.headings]
    refs = chapter.env.get("references", {})
    whole_bibliography = ctx.data.get("bibliography", {}) if _has_refs_div(chapter) else {}
    return digest_text(chapter_key, ctx.format, chapter.number, headings, labels, own, cites,
                       sorted(refs.items()), sorted(whole_bibliography.items()), drawn)  # fmt: skip


def _label(label: Label | None, book: Book) -> object:
    if label is None:
        return None
    target = book.chapter(label.chapter)
    role = target.source.role if target else ""
    return (label.id, label.kind, label.href, label.number, label.title_text, label.level, role)


def _diagram_states(chapter: Chapter) -> list[object]:
    """Diagrams are drawn by a book-scope pass: a block can go from placeholder to drawing
    (TeX installed, a cache filled) while the chapter's source stays the same."""
    return [t.meta.get("diagram_stamp") for t in chapter.tokens
            if t.type == "fence" and ("placeholder" in t.meta or "diagram_stamp" in t.meta)]  # fmt: skip


def _own_labels(book: Book, ctx: BuildContext) -> dict[str, list[tuple[str, str]]]:
    """Each chapter's labels and numbers, grouped once per build."""
    grouped = ctx.data.get("labels_by_chapter")
    if grouped is None:
        grouped = ctx.data["labels_by_chapter"] = {}
        for label in book.index.labels.values():
            grouped.setdefault(label.chapter, []).append((label.id, label.number))
        for items in grouped.values():
            items.sort()
    return grouped


def _has_refs_div(chapter: Chapter) -> bool:
    if "refs_div" not in chapter.walks:
        chapter.walks["refs_div"] = any(
            t.attrGet("id") == "refs" for t in chapter.tokens if t.nesting == 1
        )
    return chapter.walks["refs_div"]
