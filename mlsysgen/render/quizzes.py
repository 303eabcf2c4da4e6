"""Render rules for self-check quiz tokens (see :mod:`mlsysgen.transforms.quizzes`).

Every format gets the same static markup: a callout-styled box of numbered questions,
multiple-choice options labelled a) b) c), and a link from each question to its answer
and back. On the HTML site, ``data-quiz-*`` attributes let ``static/quiz.js`` turn a
question into buttons with instant feedback; without JavaScript, and in PDF and EPUB
(which carry no scripts), the links are the way to the answers.

Rules are plain functions bound to the renderer (``self``) through the registry.
"""

from __future__ import annotations

import html
import string
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it.token import Token

escape = html.escape
Rule = Callable[..., str]


def quiz_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    state = env["r"]
    k = token.meta["box"]
    number = f"{state.chapter.number}.{k}" if state.chapter.number else str(k)
    question = token.meta["kind"] == "question"
    css = "callout-quiz-question quiz" if question else "callout-quiz-answer quiz-answers"
    title = f'<span class="callout-label">Self-Check:</span> {"Question" if question else "Answer"} {number}'
    return (
        f'<div class="callout {css}" id="{escape(str(token.attrGet("id")))}">\n'
        '<div class="callout-header"><span class="callout-icon" aria-hidden="true"></span>'
        f'<span class="callout-title">{title}</span></div><div class="callout-body">\n'
        '<ol class="quiz-list">\n'
    )


def quiz_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return "</ol>\n</div></div>\n"


def quiz_item_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    meta = token.meta
    ident = escape(str(token.attrGet("id")))
    kind = meta["type"].lower()
    if meta["kind"] == "answer":
        return f'<li class="quiz-answer quiz-{kind}" id="{ident}">\n'
    data = ""
    if env["r"].ctx.format == "html":
        data = f' data-quiz-type="{meta["type"]}" data-quiz-answer="{escape(meta["target"])}"'
        correct = meta["correct"]
        if isinstance(correct, bool):
            data += f' data-quiz-correct="{str(correct).lower()}"'
        elif correct is not None:
            data += f' data-quiz-correct="{correct}"'
    return f'<li class="quiz-item quiz-{kind}" id="{ident}"{data}>\n'


def quiz_item_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    meta = tokens[idx].meta
    target = escape(meta["target"])
    if meta["kind"] == "answer":
        link = f'<p class="quiz-back"><a href="#{target}">↩ Back to question</a></p>'
    else:
        link = f'<p class="quiz-see-answer"><a href="#{target}">See answer</a></p>'
    return f"{link}\n</li>\n"


def quiz_prompt_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return '<div class="quiz-prompt">\n'


def quiz_answer_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return '<div class="quiz-answer-text">\n'


def div_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return "</div>\n"


def quiz_choices_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return '<ol class="quiz-choices">\n'


def quiz_choices_close(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict
) -> str:
    return "</ol>\n"


def quiz_choice_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    meta = tokens[idx].meta
    index = meta["index"]
    letter = string.ascii_lowercase[index % 26]
    css = "quiz-choice quiz-choice-correct" if meta["correct"] else "quiz-choice"
    return f'<li class="{css}"><span class="quiz-choice-label">{letter})</span> '


def quiz_choice_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return "</li>\n"


RULES: dict[str, Rule] = {
    "quiz_open": quiz_open,
    "quiz_close": quiz_close,
    "quiz_item_open": quiz_item_open,
    "quiz_item_close": quiz_item_close,
    "quiz_prompt_open": quiz_prompt_open,
    "quiz_prompt_close": div_close,
    "quiz_answer_open": quiz_answer_open,
    "quiz_answer_close": div_close,
    "quiz_choices_open": quiz_choices_open,
    "quiz_choices_close": quiz_choices_close,
    "quiz_choice_open": quiz_choice_open,
    "quiz_choice_close": quiz_choice_close,
}
"""Token type → render rule, registered by :func:`mlsysgen.registry.core_registry`."""
