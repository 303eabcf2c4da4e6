"""The transform protocol, the per-format build context, and the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from markdown_it import MarkdownIt

from ..config.schema import FormatOptions
from ..diagnostics import Diagnostics

if TYPE_CHECKING:
    from ..model import Book


@dataclass
class BuildContext:
    """What a transform or writer may know about the current build."""

    format: str
    """Output format: ``html``, ``pdf`` or ``epub``."""
    diagnostics: Diagnostics
    md: MarkdownIt
    """The one parser, for inline Markdown inside attribute values and captions."""
    options: FormatOptions
    data: dict[str, Any] = field(default_factory=dict)
    """Per-build state that plugins share (e.g. the bibliography)."""
    dependencies: dict[str, set[Path]] = field(default_factory=dict)
    """Files besides its source that each chapter's output was made from (by chapter
    ``rel``), so incremental builds and the preview server redo it when they change."""

    def add_dependency(self, chapter_rel: str, path: Path) -> None:
        """Declare that chapter ``chapter_rel``'s output depends on the file ``path``
        (a quiz JSON, a lab file, a diagram preamble): call it for every file you read."""
        self.dependencies.setdefault(chapter_rel, set()).add(path)

    def parse_inline(self, text: str, env: dict[str, Any] | None = None) -> list:
        """Parse ``text`` as inline Markdown: a one-element list holding an ``inline`` token."""
        return self.md.parseInline(text, env if env is not None else {})


Scope = Literal["chapter", "book"]


class Transform(Protocol):
    """A pass over the book. Lower ``priority`` runs first.

    ``scope`` says what a pass may look at, which is what lets builds be incremental:

    - ``chapter`` passes see one chapter at a time (``book.chapters`` holds just it) and
      depend only on its source, the config and the files they declare with
      :meth:`BuildContext.add_dependency`. Their result is kept and reused until one of
      those changes. Anything a chapter pass produces belongs on the chapter (its tokens,
      ``chapter.env``), not in ``ctx.data``, which is fresh for every build.
    - ``book`` passes see every chapter and run on every build, over chapters that
      earlier builds may already have passed through: they must give the same result when
      run again (set values, never restructure tokens). In a chapter-scoped build the
      chapters it does not render come as outlines (``chapter.outline``; what they keep
      is listed in :mod:`.outline`), which a book pass indexes and checks like the
      others but draws and renders nothing for.
    """

    name: str
    priority: int
    scope: Scope

    def run(self, book: Book, ctx: BuildContext) -> None: ...


@dataclass
class FunctionTransform:
    """A transform made from a plain function ``fn(book, ctx)``."""

    name: str
    priority: int
    fn: Callable[[Book, BuildContext], None]
    scope: Scope = "chapter"

    def run(self, book: Book, ctx: BuildContext) -> None:
        self.fn(book, ctx)


def run_transforms(transforms: list[Transform], book: Book, ctx: BuildContext) -> None:
    for transform in sorted(transforms, key=lambda t: t.priority):
        transform.run(book, ctx)
