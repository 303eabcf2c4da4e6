"""Incremental builds: a session redoes only what an edit touched, and what it keeps is
exactly what a clean build would make."""

from __future__ import annotations

import json
from pathlib import Path

from mlsysgen.build import BuildOptions, Session, build

from .helpers import write_book

A = """# Alpha {#sec-alpha}

As @fig-two shows.[^n]

[^n]: A note that cites @fig-two too.

[Broken](#nowhere)
"""

B = """# Beta {#sec-beta}

::: {#fig-one}
![One](one.png)

One.
:::

::: {#fig-two}
![Two](one.png)

Two.
:::
"""

C = "# Gamma {#sec-gamma}\n\nNothing cited here.\n"

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _book(tmp_path: Path) -> Path:
    root = write_book(tmp_path / "book", {"a.md": A, "b.md": B, "c.md": C})
    (root / "one.png").write_bytes(PNG)
    return root


def test_a_second_build_renders_nothing_and_reports_the_same_problems(tmp_path: Path) -> None:
    session = Session(_book(tmp_path), BuildOptions(formats=["html"], out=tmp_path / "out"))
    first = session.build()
    second = session.build()
    assert (first.rendered, second.rendered) == (3, 0)
    assert [str(d) for d in second.diagnostics.items] == [str(d) for d in first.diagnostics.items]
    assert any("link to '#nowhere'" in str(d) for d in second.diagnostics.items)


def test_renumbering_a_figure_rerenders_the_chapter_that_cites_it(tmp_path: Path) -> None:
    root = _book(tmp_path)
    out = tmp_path / "out"
    session = Session(root, BuildOptions(formats=["html"], out=out))
    session.build()
    assert "Figure&nbsp;2" in (out / "a.html").read_text()
    (root / "b.md").write_text(B.replace("::: {#fig-one}", "::: {.note}"), encoding="utf-8")
    result = session.build()
    assert result.rendered == 2  # b (edited) and a (its reference changed); not c
    assert "Figure&nbsp;1" in (out / "a.html").read_text()


def test_unchanged_images_are_linked_from_the_previous_output(tmp_path: Path) -> None:
    root = _book(tmp_path)
    out = tmp_path / "out"
    session = Session(root, BuildOptions(formats=["html"], out=out))
    session.build()
    before = (out / "one.png").stat().st_ino
    (root / "c.md").write_text(C + "\nMore.\n", encoding="utf-8")
    session.build()
    assert (out / "one.png").stat().st_ino == before
    (root / "one.png").write_bytes(PNG + b"\0")
    session.build()
    assert (out / "one.png").read_bytes() == PNG + b"\0"


def test_each_edit_leaves_the_same_site_as_a_clean_build(tmp_path: Path) -> None:
    root = _book(tmp_path)
    out = tmp_path / "out"
    session = Session(root, BuildOptions(formats=["html"], out=out))
    session.build()
    edits = [("a.md", A + "\nSee @sec-gamma.\n"), ("c.md", C.replace("Gamma", "Gamma Prime")),
             ("b.md", B + "\n## Extra {#sec-extra}\n"), ("a.md", A + "\nSee @sec-extra.\n")]  # fmt: skip
    for n, (name, text) in enumerate(edits):
        (root / name).write_text(text, encoding="utf-8")
        session.build()
        clean = tmp_path / f"clean{n}"
        build(root, BuildOptions(formats=["html"], out=clean, cache=False))
        for page in ("a.html", "b.html", "c.html", "search.json"):
            assert (out / page).read_bytes() == (clean / page).read_bytes(), (n, page)


def test_a_changed_dependency_rerenders_its_chapter(tmp_path: Path) -> None:
    """A quiz JSON is a declared dependency: editing it alone re-renders the chapter."""
    quiz = {"sections": [{"section_id": "#sec-part", "quiz_data": {"quiz_needed": True, "questions": [
        {"question_type": "SHORT", "question": "Why?", "answer": "Because of the first reason."}]}}]}
    text = "---\nquiz: q.json\n---\n\n# Quizzed {#sec-quizzed}\n\n## Part {#sec-part}\n\nText.\n"
    root = write_book(tmp_path / "book", {"a.md": text, "q.json": json.dumps(quiz)})
    out = tmp_path / "out"
    session = Session(root, BuildOptions(formats=["html"], out=out))
    session.build()
    assert "first reason" in (out / "a.html").read_text()
    quiz["sections"][0]["quiz_data"]["questions"][0]["answer"] = "Because of the second reason."
    (root / "q.json").write_text(json.dumps(quiz), encoding="utf-8")
    assert session.build().rendered == 1
    assert "second reason" in (out / "a.html").read_text()


def test_an_edited_bibliography_changes_the_citations_and_its_warnings(tmp_path: Path) -> None:
    """Without edits the citations pass replays its last result; a .bib edit must not be
    hidden by that."""
    bib = "@book{knuth84, author = {Donald Knuth}, title = {The TeXbook}, year = {1984}}\n"
    text = "# Cited {#sec-cited}\n\nAs shown [@knuth84; @missing].\n"
    root = write_book(tmp_path / "book", {"a.md": text, "refs.bib": bib},
                      {"bibliography": ["refs.bib"]})  # fmt: skip
    out = tmp_path / "out"
    session = Session(root, BuildOptions(formats=["html"], out=out))
    first = session.build()
    again = session.build()
    unknown = "unknown citation key 'missing'"
    assert [str(d) for d in again.diagnostics.items] == [str(d) for d in first.diagnostics.items]
    assert any(unknown in str(d) for d in again.diagnostics.items)
    assert "Knuth 1984" in (out / "a.html").read_text()
    (root / "refs.bib").write_text(bib.replace("1984", "1986") + bib.replace("knuth84", "missing"),
                                   encoding="utf-8")  # fmt: skip
    edited = session.build()
    assert "Knuth 1986" in (out / "a.html").read_text()
    assert not any(unknown in str(d) for d in edited.diagnostics.items)
