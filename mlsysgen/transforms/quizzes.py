"""Self-check quizzes (the real book's ``inject_quizzes.lua``, in the one pipeline).

A chapter's front-matter ``quiz:`` names a JSON file beside it (:mod:`.quiz_data`). Each
entry's questions become a "Self-Check" box at the end of the H2 section whose id is the
entry's ``section_id`` (before the next H1/H2); their answers go under a "Self-Check
Answers" heading at the chapter end, or where a ``::: {.quiz-end}`` marker stands. Each
question links to its answer and each answer back to its question. Question, choice and
answer texts are Markdown, parsed by the one parser, so math, code, emphasis,
cross-references and citations inside them work as in the chapter.

Two passes: :func:`mark_quiz_end` runs before callouts (which drop empty marker divs)
and turns the marker into a ``quiz_end`` token; :func:`insert_quizzes` runs after headings
(every H2 has its id) and before indexing (so the new heading and ids are indexed), and
removes the markers.

Token shape (rendered by :mod:`mlsysgen.render.quizzes`)::

    quiz_open (div#quiz-question-<sec>, meta kind="question"|"answer", box=k)
      quiz_item_open (li#quiz-question-<sec>-<n>, meta type, correct, target)
        quiz_prompt_open … question blocks … quiz_prompt_close
        quiz_choices_open (quiz_choice_open inline quiz_choice_close)* quiz_choices_close
        quiz_answer_open … answer blocks … quiz_answer_close      (answers only)
      quiz_item_close
    quiz_close

The answer boxes use ``quiz-answer-<sec>`` / ``quiz-answer-<sec>-<n>``. Section ids are
unique in the book, so these ids are too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from ..errors import Location
from ..model import Book, Chapter, Heading
from .base import BuildContext
from .quiz_data import Question, QuizSection, load_quiz_file
from .tokens import has_class

MARKER_CLASS = "quiz-end"
ANSWERS_TITLE = "Self-Check Answers"


def mark_quiz_end(book: Book, ctx: BuildContext) -> None:
    """Turn each empty ``::: {.quiz-end}`` div into one ``quiz_end`` token."""
    for chapter in book.chapters:
        tokens = chapter.tokens
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (token.type == "div_open" and has_class(token, MARKER_CLASS)
                    and i + 1 < len(tokens) and tokens[i + 1].type == "div_close"):  # fmt: skip
                marker = Token("quiz_end", "", 0, map=token.map, block=True)
                out.append(marker)
                i += 2
                continue
            out.append(token)
            i += 1
        chapter.tokens = out


def insert_quizzes(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        stop = _remove_markers(chapter)
        name = chapter.meta.get("quiz")
        if name is not None:
            _ChapterQuizzes(book, chapter, ctx).insert(name, stop)


def _remove_markers(chapter: Chapter) -> int:
    """Drop the ``quiz_end`` tokens; the index (in the new list) where the first one stood,
    or the end of the chapter."""
    kept = [t for t in chapter.tokens if t.type != "quiz_end"]
    first = next((i for i, t in enumerate(chapter.tokens) if t.type == "quiz_end"), None)
    chapter.tokens = kept
    return len(kept) if first is None else first


class _ChapterQuizzes:
    """Places one chapter's quiz boxes and answers."""

    def __init__(self, book: Book, chapter: Chapter, ctx: BuildContext) -> None:
        self.book = book
        self.chapter = chapter
        self.ctx = ctx
        self.line = _front_matter_line(chapter.source.path, "quiz")
        self.location = Location(chapter.source.display, self.line)

    def report(self, severity: str, message: str) -> None:
        if severity == "error":
            self.ctx.diagnostics.error(message, self.location)
        else:
            self.ctx.diagnostics.warning(message, self.location)

    def insert(self, name: Any, stop: int) -> None:
        if not isinstance(name, str) or not name.strip():
            self.report(
                "error",
                f"front matter 'quiz' must name a JSON file (a string), not {name!r}; "
                "write quiz: <chapter>_quizzes.json",
            )
            return
        path = (self.chapter.source.path.parent / name.strip()).resolve()
        self.ctx.add_dependency(self.chapter.rel, path)
        sections = load_quiz_file(path, self.book.project.display(path), self.report)
        if not sections:
            return
        tokens = self.chapter.tokens
        ends = _h2_section_ends(tokens, stop)
        placed = []
        for section in sections:
            if section.section_id not in ends:
                self.report(
                    "warning",
                    f"quiz file {section.where}: no H2 section of this chapter has the id "
                    f"'{section.section_id}'; fix the section_id or remove the entry",
                )
            elif section.questions:
                placed.append(section)
        if not placed:
            return
        placed.sort(key=lambda s: ends[s.section_id])
        inserts: dict[int, list[Token]] = {}
        answers: list[Token] = []
        for k, section in enumerate(placed, 1):
            inserts.setdefault(ends[section.section_id], []).extend(
                self._box(section, k, "question")
            )
            answers.extend(self._box(section, k, "answer"))
        inserts.setdefault(stop, []).extend(self._answers_heading(stop) + answers)
        out: list[Token] = []
        for i, token in enumerate(tokens):
            out.extend(inserts.get(i, ()))
            out.append(token)
        out.extend(inserts.get(len(tokens), ()))
        self.chapter.tokens = out

    # ---- tokens ------------------------------------------------------------------------
    def _token(self, type_: str, tag: str, nesting: int, **attrs: str) -> Token:
        token = Token(type_, tag, nesting, map=[self.line - 1, self.line], block=True)
        for key, value in attrs.items():
            token.attrSet(key.rstrip("_"), value)
        return token

    def _pair(
        self, name: str, tag: str, inner: list[Token], ident: str = "", **meta: Any
    ) -> list[Token]:
        """``<name>_open``, ``inner``, ``<name>_close``; the closer shares the opener's meta."""
        opener = self._token(f"{name}_open", tag, 1, **({"id": ident} if ident else {}))
        opener.meta.update(meta)
        closer = self._token(f"{name}_close", tag, -1)
        closer.meta = opener.meta
        return [opener, *inner, closer]

    def _box(self, section: QuizSection, k: int, kind: str) -> list[Token]:
        sec = section.section_id
        own = "quiz-question" if kind == "question" else "quiz-answer"
        items: list[Token] = []
        for n, question in enumerate(section.questions, 1):
            items.extend(self._item(question, sec, n, kind, section.where))
        return self._pair("quiz", "div", items, f"{own}-{sec}", kind=kind, box=k)

    def _item(self, q: Question, sec: str, n: int, kind: str, where: str) -> list[Token]:
        own, other = "quiz-question", "quiz-answer"
        if kind == "answer":
            own, other = other, own
        parts = self._pair("quiz_prompt", "div", self._blocks(q.text, where))
        if q.choices:
            parts += self._choices(q, kind)
        if kind == "answer":
            parts += self._pair("quiz_answer", "div", self._blocks(q.answer, where))
        ident, target = f"{own}-{sec}-{n}", f"{other}-{sec}-{n}"
        return self._pair(
            "quiz_item",
            "li",
            parts,
            ident,
            kind=kind,
            type=q.type,
            correct=q.correct,
            target=target,
        )

    def _choices(self, q: Question, kind: str) -> list[Token]:
        inner: list[Token] = []
        for index, text in enumerate(q.choices):
            inline = self.ctx.parse_inline(text, {})[0]
            self._relocate([inline])
            correct = kind == "answer" and index == q.correct
            inner += self._pair("quiz_choice", "li", [inline], index=index, correct=correct)
        return self._pair("quiz_choices", "ol", inner)

    def _blocks(self, text: str, where: str) -> list[Token]:
        """``text`` parsed as Markdown blocks, located at the chapter's ``quiz:`` line."""
        env: dict[str, Any] = {}
        tokens = self.ctx.md.parse(text, env)
        for _line, severity, message in env.get("problems", []):
            self.report(severity, f"quiz file {where}: {message}")
        self._relocate(tokens)
        return tokens

    def _relocate(self, tokens: list[Token]) -> None:
        """Give parsed tokens the ``quiz:`` line, so any later diagnostic points there."""
        for token in tokens:
            token.map = [self.line - 1, self.line]
            for child in token.children or []:
                child.map = [self.line - 1, self.line]

    def _answers_heading(self, stop: int) -> list[Token]:
        chapter = self.chapter
        hid = _unique(f"{chapter.id}-self-check-answers", chapter.tokens)
        inline = self.ctx.parse_inline(ANSWERS_TITLE, {})[0]
        self._relocate([inline])
        opener = self._token("heading_open", "h2", 1, id=hid, class_="unnumbered")
        opener.markup = "##"
        closer = self._token("heading_close", "h2", -1)
        closer.markup = "##"
        # Headings are listed in token order; the title H1 is not among the tokens.
        before = sum(1 for t in chapter.tokens[:stop] if t.type == "heading_open")
        heading = Heading(hid, 2, inline, ANSWERS_TITLE, unnumbered=True, line=self.line - 1)
        chapter.headings.insert(before, heading)
        return [opener, inline, closer]


def _h2_section_ends(tokens: list[Token], stop: int) -> dict[str, int]:
    """Id of each top-level H2 before ``stop`` → the index where its section ends (the next
    top-level H1/H2, or ``stop``)."""
    ends: dict[str, int] = {}
    current = ""
    depth = 0
    for i, token in enumerate(tokens[:stop]):
        if depth == 0 and token.type == "heading_open" and token.tag in ("h1", "h2"):
            if current:
                ends.setdefault(current, i)
            current = str(token.attrGet("id") or "") if token.tag == "h2" else ""
        depth += token.nesting
    if current:
        ends.setdefault(current, stop)
    return ends


def _unique(base: str, tokens: list[Token]) -> str:
    used = {str(t.attrGet("id")) for t in tokens if t.attrGet("id")}
    candidate, n = base, 1
    while candidate in used:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _front_matter_line(path: Path, key: str) -> int:
    """1-based line of ``key:`` in the file's YAML front matter (1 when not found)."""
    try:
        lines = path.read_text(encoding="utf-8").lstrip("\ufeff").split("\n")
    except (OSError, UnicodeDecodeError):
        return 1
    if not lines or lines[0].strip() != "---":
        return 1
    pattern = re.compile(rf"{re.escape(key)}\s*:")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        if pattern.match(line):
            return number
    return 1
