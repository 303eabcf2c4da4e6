"""Self-check quizzes: golden HTML per question type, every diagnostic word for word,
dependencies, the print/EPUB markup, and the sample book's own quizzes.

Each folder in fixtures/quizzes/ is a one-chapter book (``chapter.md`` + its quiz JSON);
``expected.html`` is the chapter body and ``messages.txt`` the build's diagnostics.
``make snapshots`` (MLSYSGEN_SNAPSHOTS=overwrite) rewrites both; review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlsysgen.build import BuildOptions, build
from mlsysgen.errors import BuildFailed
from mlsysgen.linkcheck import check_site
from mlsysgen.render.chapter import render_chapter

from .helpers import SNAPSHOTS, normalise, write_book

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "chapter.md").is_file())
GOLDEN = {"expected.html", "expected-pdf.html", "messages.txt"}


def build_chapter(
    root: Path, files: dict[str, str], fmt: str = "html"
) -> tuple[str, list[str], Any]:
    """Build a one-chapter book; (body HTML, diagnostics without the root, build result)."""
    write_book(root, files, {"chapters": ["chapter.md"]})
    try:
        result = build(root, BuildOptions(formats=[fmt], write=False, cache=False))
    except BuildFailed as exc:
        result = exc.result
    book, ctx = result.books[fmt], result.contexts[fmt]
    body = render_chapter(book.chapters[0], book, ctx).body
    prefix = str(root.resolve()) + "/"
    messages = [str(d).replace(prefix, "") for d in result.diagnostics.items]
    return normalise(body), messages, result


def fixture_files(case: str) -> dict[str, str]:
    folder = FIXTURES / case
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name not in GOLDEN}


def check_golden(path: Path, got: str) -> None:
    if SNAPSHOTS and (not path.exists() or path.read_text(encoding="utf-8") != got):
        path.write_text(got, encoding="utf-8")
        return
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_golden_html(tmp_path: Path, case: str) -> None:
    body, messages, _ = build_chapter(tmp_path / "book", fixture_files(case))
    check_golden(FIXTURES / case / "expected.html", body + "\n")
    check_golden(FIXTURES / case / "messages.txt", "".join(m + "\n" for m in messages))


def test_every_question_type_has_a_golden_case() -> None:
    types = set()
    for case in CASES:
        for name in (FIXTURES / case).glob("*.json"):
            for section in json.loads(name.read_text())["sections"]:
                for q in section["quiz_data"].get("questions", []):
                    types.add(q["question_type"])
    assert types >= {"MCQ", "TF", "SHORT", "FILL", "ORDER", "CALC"}


def test_print_and_epub_have_no_interactive_hooks(tmp_path: Path) -> None:
    """PDF and EPUB get the questions and the links, without quiz.js's data attributes."""
    pdf, _, _ = build_chapter(tmp_path / "pdf", fixture_files("mcq"), "pdf")
    epub, _, _ = build_chapter(tmp_path / "epub", fixture_files("mcq"), "epub")
    check_golden(FIXTURES / "mcq" / "expected-pdf.html", pdf + "\n")
    assert epub == pdf
    assert "data-quiz" not in pdf and "<button" not in pdf and "<script" not in pdf
    assert '<a href="#quiz-answer-sec-locality-1">See answer</a>' in pdf


def test_quiz_file_is_a_dependency_of_its_chapter(tmp_path: Path) -> None:
    _, _, result = build_chapter(tmp_path / "book", fixture_files("tf"))
    deps = result.contexts["html"].dependencies["chapter.md"]
    assert (tmp_path / "book" / "tf.json").resolve() in deps


def test_answers_heading_is_listed_and_indexed(tmp_path: Path) -> None:
    _, _, result = build_chapter(tmp_path / "book", fixture_files("placement"))
    chapter = result.books["html"].chapters[0]
    assert [(h.id, h.unnumbered) for h in chapter.headings] == [
        ("sec-first", False),
        ("sec-detail", False),
        ("sec-second", False),
        ("placement-self-check-answers", True),
    ]


# ---- diagnostics, word for word -------------------------------------------------------------
CHAPTER = """---
title: Quiz
quiz: {name}
---

## Topic {{#sec-topic}}

Text.
"""


def question(**fields: Any) -> dict[str, Any]:
    return {"question_type": "SHORT", "question": "Why?", "answer": "Because.", **fields}


def quiz_json(*questions: dict[str, Any], section_id: str = "#sec-topic") -> str:
    section = {
        "section_id": section_id,
        "quiz_data": {"quiz_needed": True, "questions": list(questions)},
    }
    return json.dumps({"sections": [section]}, indent=2)


def diagnose(tmp_path: Path, quiz: str | None, name: str = "q.json") -> list[str]:
    files = {"chapter.md": CHAPTER.format(name=name)}
    if quiz is not None:
        files[name] = quiz
    _, messages, _ = build_chapter(tmp_path / "book", files)
    return messages


def test_missing_file_warns(tmp_path: Path) -> None:
    assert diagnose(tmp_path, None) == [
        "chapter.md:3: warning: quiz file 'q.json' not found; fix the 'quiz:' entry of the "
        "front matter (a path relative to this chapter) or add the file"
    ]


def test_malformed_json_is_an_error_at_its_line(tmp_path: Path) -> None:
    assert diagnose(tmp_path, '{"sections": [\n  {"section_id": "#sec-topic",}\n]}') == [
        "chapter.md:3: error: quiz file q.json:2:31: invalid JSON: Expecting property name "
        "enclosed in double quotes; fix the JSON syntax there"
    ]


def test_no_sections_list_is_an_error(tmp_path: Path) -> None:
    assert diagnose(tmp_path, '{"questions": []}') == [
        "chapter.md:3: error: quiz file 'q.json' has no \"sections\" list; it must be a JSON "
        'object of the form {"sections": [{"section_id": "#sec-…", "quiz_data": {…}}]}'
    ]


def test_stale_section_warns_with_entry_and_line(tmp_path: Path) -> None:
    assert diagnose(tmp_path, quiz_json(question(), section_id="#sec-gone")) == [
        "chapter.md:3: warning: quiz file q.json:4, sections[0] ('#sec-gone'): no H2 section "
        "of this chapter has the id 'sec-gone'; fix the section_id or remove the entry"
    ]


def test_unknown_question_type_warns_and_shows_the_question(tmp_path: Path) -> None:
    messages = diagnose(tmp_path, quiz_json(question(question_type="ESSAY")))
    assert messages == [
        "chapter.md:3: warning: quiz file q.json:4, sections[0] ('#sec-topic'), questions[0]: "
        'unknown question_type "ESSAY"; use one of MCQ, TF, SHORT, FILL, ORDER, CALC '
        "(shown as a short-answer question)"
    ]


def test_missing_section_id_is_an_error(tmp_path: Path) -> None:
    data = json.dumps({"sections": [{"quiz_data": {"questions": [question()]}}]})
    assert diagnose(tmp_path, data) == [
        'chapter.md:3: error: quiz file q.json, sections[0]: no "section_id" string; give the '
        'id of the H2 section the questions follow ("#sec-…")'
    ]


def test_missing_quiz_data_and_questions_are_errors(tmp_path: Path) -> None:
    data = json.dumps(
        {"sections": [{"section_id": "#sec-topic"}, {"section_id": "#sec-b", "quiz_data": {}}]}
    )
    assert diagnose(tmp_path, data) == [
        "chapter.md:3: error: quiz file q.json:1, sections[0] ('#sec-topic'): no \"quiz_data\" "
        'object; add one with "questions"',
        "chapter.md:3: error: quiz file q.json:1, sections[1] ('#sec-b'): \"quiz_data\" has no "
        '"questions" list; add the questions or set "quiz_needed": false',
        "chapter.md:3: warning: quiz file q.json:1, sections[1] ('#sec-b'): no H2 section of "
        "this chapter has the id 'sec-b'; fix the section_id or remove the entry",
    ]


def test_bad_questions_are_errors_and_skipped(tmp_path: Path) -> None:
    messages = diagnose(tmp_path, quiz_json("not an object", question(answer=" "), question()))
    assert messages == [
        "chapter.md:3: error: quiz file q.json:4, sections[0] ('#sec-topic'), questions[0]: a "
        "question must be a JSON object; fix the entry",
        "chapter.md:3: error: quiz file q.json:4, sections[0] ('#sec-topic'), questions[1]: no "
        '"answer" text; add it (this question is skipped)',
    ]


def test_mcq_without_choices_is_an_error(tmp_path: Path) -> None:
    assert diagnose(tmp_path, quiz_json(question(question_type="MCQ"))) == [
        "chapter.md:3: error: quiz file q.json:4, sections[0] ('#sec-topic'), questions[0]: an "
        'MCQ question needs a "choices" list of strings; add the choices or change '
        '"question_type" (shown without choices)'
    ]


def test_mcq_answer_must_name_a_choice(tmp_path: Path) -> None:
    mcq = question(question_type="MCQ", choices=["x", "y"], answer="The correct answer is D.")
    assert diagnose(tmp_path, quiz_json(mcq)) == [
        "chapter.md:3: warning: quiz file q.json:4, sections[0] ('#sec-topic'), questions[0]: "
        'the answer does not start with "The correct answer is X." naming one of the choices '
        "A–B; start it that way so readers get instant feedback (shown without it)"
    ]


def test_tf_answer_must_start_with_true_or_false(tmp_path: Path) -> None:
    assert diagnose(tmp_path, quiz_json(question(question_type="TF", answer="Yes."))) == [
        "chapter.md:3: warning: quiz file q.json:4, sections[0] ('#sec-topic'), questions[0]: a "
        'TF answer must start with "True" or "False"; start it that way so readers get instant '
        "feedback (shown without it)"
    ]


def test_repeated_section_id_warns(tmp_path: Path) -> None:
    section = {"section_id": "#sec-topic", "quiz_data": {"questions": [question()]}}
    data = json.dumps({"sections": [section, section]}, indent=1)
    assert diagnose(tmp_path, data) == [
        "chapter.md:3: warning: quiz file q.json:16, sections[1] ('#sec-topic'): section_id "
        "repeats sections[0]; merge the two entries (this one is skipped)"
    ]


def test_quiz_key_must_be_a_file_name(tmp_path: Path) -> None:
    root = tmp_path / "book"
    text = CHAPTER.replace("quiz: {name}", "quiz: [a.json, b.json]")
    _, messages, _ = build_chapter(root, {"chapter.md": text})
    assert messages == [
        "chapter.md:3: error: front matter 'quiz' must name a JSON file (a string), not "
        "['a.json', 'b.json']; write quiz: <chapter>_quizzes.json"
    ]


def test_problems_never_stop_the_other_sections(tmp_path: Path) -> None:
    """An unusable entry is reported; the good ones still get their box."""
    data = json.dumps(
        {
            "sections": [
                {"section_id": 7},
                {"section_id": "#sec-topic", "quiz_data": {"questions": [question()]}},
            ]
        }
    )
    files = {"chapter.md": CHAPTER.format(name="q.json"), "q.json": data}
    body, messages, _ = build_chapter(tmp_path / "book", files)
    assert len(messages) == 1 and 'sections[0]: no "section_id" string' in messages[0]
    assert body.count('class="quiz-item quiz-short"') == 1


# ---- the sample book ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("quiz-sample") / "site"
    result = build(ROOT / "content", BuildOptions(formats=["html"], out=out, cache=False))
    return out, result


SAMPLE_CHAPTERS = [
    "foundations/introduction.html",
    "foundations/hardware.html",
    "foundations/data.html",
    "systems/training.html",
    "systems/efficiency.html",
    "systems/deployment.html",
]


def test_sample_book_has_quizzes_for_every_chapter(sample_site) -> None:  # type: ignore[no-untyped-def]
    out, result = sample_site
    assert not [str(d) for d in result.diagnostics.items if "quiz" in d.message]
    types: set[str] = set()
    total = 0
    for page in SAMPLE_CHAPTERS:
        html = (out / page).read_text(encoding="utf-8")
        boxes = html.count('class="callout callout-quiz-question quiz"')
        assert boxes >= 1, page
        assert html.count('class="callout callout-quiz-answer quiz-answers"') == boxes, page
        assert html.count(">Self-Check Answers <a") == 1, page
        items = re.findall(
            r'<li class="quiz-item quiz-\w+" id="[^"]+" data-quiz-type="(\w+)"', html
        )
        assert len(items) == html.count('<li class="quiz-answer '), page
        types.update(items)
        total += len(items)
    assert types == {"MCQ", "TF", "SHORT", "FILL", "ORDER", "CALC"}
    assert total == 35  # 36 written, one hidden
    assert "Draft question kept for a later edition" not in (out / SAMPLE_CHAPTERS[-1]).read_text()


def test_sample_book_quiz_links_resolve(sample_site) -> None:  # type: ignore[no-untyped-def]
    out, _ = sample_site
    assert [str(b) for b in check_site(out)] == []
    assert (out / "static" / "quiz.js").is_file()
    page = (out / "foundations" / "introduction.html").read_text(encoding="utf-8")
    assert '<script src="../static/quiz.js" defer></script>' in page
