"""Read a chapter's self-check quiz file (the real book's ``*_quizzes.json`` schema) into
plain data, reporting every problem instead of raising.

Schema (quarto-compat.md §3.1): ``{"sections": [{"section_id": "#sec-…", "quiz_data":
{"quiz_needed": true, "questions": [{"question_type": "MCQ", "question": "…",
"choices": ["…"], "answer": "The correct answer is B. …", "hidden": false}]}}]}``.
Other keys (metadata, rationale, learning objectives, bookkeeping) are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTION_TYPES = ("MCQ", "TF", "SHORT", "FILL", "ORDER", "CALC")
_MCQ_ANSWER = re.compile(r"\W*the correct answer is:?\s*\(?([a-z])\b", re.IGNORECASE)
_TF_ANSWER = re.compile(r"\W*(true|false)\b", re.IGNORECASE)

Report = Callable[[str, str], None]
"""(severity ``warning`` | ``error``, message) → None."""


@dataclass
class Question:
    """One visible question, as the transform renders it."""

    type: str
    """One of :data:`QUESTION_TYPES`; an unknown type is shown as ``SHORT``."""
    text: str
    answer: str
    choices: list[str] = field(default_factory=list)
    correct: int | bool | None = None
    """MCQ: index of the right choice; TF: the right truth value; None: no instant check."""


@dataclass
class QuizSection:
    """The questions that follow the H2 section ``section_id`` (without ``#``)."""

    section_id: str
    questions: list[Question]
    where: str
    """How messages name the entry: ``file.json:12, sections[3] ('#sec-x')``."""


def load_quiz_file(path: Path, display: str, report: Report) -> list[QuizSection] | None:
    """The sections of the quiz file at ``path`` (``display`` is its name in messages);
    None when the file cannot be used at all."""
    if not path.is_file():
        report(
            "warning",
            f"quiz file '{display}' not found; fix the 'quiz:' entry of the front matter "
            "(a path relative to this chapter) or add the file",
        )
        return None
    try:
        raw = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
        data = json.loads(raw)
    except (OSError, UnicodeDecodeError) as exc:
        report("error", f"cannot read quiz file '{display}': {exc}; save it as UTF-8 JSON")
        return None
    except json.JSONDecodeError as exc:
        report(
            "error",
            f"quiz file {display}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}; "
            "fix the JSON syntax there",
        )
        return None
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, list):
        report(
            "error",
            f"quiz file '{display}' has no \"sections\" list; it must be a JSON object "
            'of the form {"sections": [{"section_id": "#sec-…", "quiz_data": {…}}]}',
        )
        return None
    return _sections(sections, raw, display, report)


def _sections(items: list[Any], raw: str, display: str, report: Report) -> list[QuizSection]:
    out: list[QuizSection] = []
    seen: dict[str, str] = {}
    spelled: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"{display}, sections[{i}]"
        sid = item.get("section_id") if isinstance(item, dict) else None
        if not isinstance(sid, str) or not sid.strip("# "):
            report(
                "error",
                f'quiz file {where}: no "section_id" string; give the id of the H2 '
                'section the questions follow ("#sec-…")',
            )
            continue
        spelled[sid] = spelled.get(sid, 0) + 1
        line = _line_of(raw, sid, spelled[sid])
        sid = sid.strip().lstrip("#")
        where = f"{display}:{line}, sections[{i}] ('#{sid}')"
        if sid in seen:
            report(
                "warning",
                f"quiz file {where}: section_id repeats {seen[sid]}; merge the two entries "
                "(this one is skipped)",
            )
            continue
        seen[sid] = f"sections[{i}]"
        questions = _questions(item.get("quiz_data"), where, report)
        out.append(QuizSection(sid, questions, where))
    return out


def _questions(quiz_data: Any, where: str, report: Report) -> list[Question]:
    if not isinstance(quiz_data, dict):
        report("error", f'quiz file {where}: no "quiz_data" object; add one with "questions"')
        return []
    items = quiz_data.get("questions")
    if items is None and quiz_data.get("quiz_needed") is False:
        return []  # the generator decided this section needs no quiz
    if not isinstance(items, list):
        report(
            "error",
            f'quiz file {where}: "quiz_data" has no "questions" list; add the questions '
            'or set "quiz_needed": false',
        )
        return []
    out = []
    for j, item in enumerate(items):
        question = _question(item, f"{where}, questions[{j}]", report)
        if question is not None:
            out.append(question)
    return out


def _question(item: Any, where: str, report: Report) -> Question | None:
    if not isinstance(item, dict):
        report("error", f"quiz file {where}: a question must be a JSON object; fix the entry")
        return None
    if item.get("hidden") is True:
        return None
    text, answer = item.get("question"), item.get("answer")
    for key, value in (("question", text), ("answer", answer)):
        if not isinstance(value, str) or not value.strip():
            report(
                "error", f'quiz file {where}: no "{key}" text; add it (this question is skipped)'
            )
            return None
    kind = item.get("question_type")
    if kind not in QUESTION_TYPES:
        report(
            "warning",
            f"quiz file {where}: unknown question_type {json.dumps(kind)}; use one of "
            f"{', '.join(QUESTION_TYPES)} (shown as a short-answer question)",
        )
        return Question("SHORT", text, answer)
    if kind == "MCQ":
        return _mcq(item, text, answer, where, report)
    if kind == "TF":
        return _true_false(text, answer, where, report)
    return Question(kind, text, answer)


def _mcq(item: dict[str, Any], text: str, answer: str, where: str, report: Report) -> Question:
    choices = item.get("choices")
    if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
        report(
            "error",
            f'quiz file {where}: an MCQ question needs a "choices" list of strings; add the '
            'choices or change "question_type" (shown without choices)',
        )
        return Question("SHORT", text, answer)
    m = _MCQ_ANSWER.match(answer)
    correct = ord(m.group(1).lower()) - ord("a") if m else -1
    if not 0 <= correct < len(choices):
        last = chr(ord("A") + len(choices) - 1)
        report(
            "warning",
            f'quiz file {where}: the answer does not start with "The correct answer is X." '
            f"naming one of the choices A–{last}; start it that way so readers get instant "
            "feedback (shown without it)",
        )
        return Question("MCQ", text, answer, list(choices))
    return Question("MCQ", text, answer, list(choices), correct)


def _true_false(text: str, answer: str, where: str, report: Report) -> Question:
    m = _TF_ANSWER.match(answer)
    if m is None:
        report(
            "warning",
            f'quiz file {where}: a TF answer must start with "True" or "False"; start it '
            "that way so readers get instant feedback (shown without it)",
        )
        return Question("TF", text, answer)
    return Question("TF", text, answer, correct=m.group(1).lower() == "true")


def _line_of(raw: str, section_id: str, nth: int) -> int:
    """The 1-based line of the ``nth`` ``"section_id": "<section_id>"`` in the JSON text (1
    if not found: the json module keeps no positions, and an escaped spelling would not
    match)."""
    pattern = r'"section_id"\s*:\s*' + re.escape(json.dumps(section_id, ensure_ascii=False))
    matches = list(re.finditer(pattern, raw))
    if len(matches) < nth:
        return 1
    return raw.count("\n", 0, matches[nth - 1].start()) + 1
