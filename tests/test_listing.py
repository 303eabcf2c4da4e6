"""``list``: the outline with numbers, files and counts, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.__main__ import main

from .helpers import write_book

CONFIG = """\
title: T
front-matter: [index.md]
chapters:
  - part: "Basics"
    chapters: [a.md, b.md]
  - c.md
appendices: [app.md]
"""
FILES = {
    "book.yml": CONFIG,
    "index.md": "# Preface\n\nWelcome to the book.\n",
    # Title, three words, a captioned figure, code (not counted), a table with a caption.
    "a.md": "# Alpha\n\nOne two three.\n\n![A cat](cat.png){#fig-cat}\n\n"
    "```python\nx = 1 + 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Numbers {#tbl-n}\n",
    # One figure made of two sub-figures; inline math is not a word.
    "b.md": "# Beta\n\n::: {#fig-pair layout-ncol=2}\n![Left](l.png){#fig-left}\n\n"
    "![Right](r.png){#fig-right}\n\nTwo panels.\n:::\n\nMath $x^2$ is not a word.\n",
    "c.md": "# Gamma\n\nText here.\n",
    "app.md": "# Extra\n\nMore.\n",
}
EXPECTED = """\
No.  Chapter            File      Words  Figures  Tables
     Preface            index.md      5        0       0
Part I: Basics
1    Alpha              a.md         11        1       1
2    Beta               b.md         10        1       0
Chapters outside the parts
3    Gamma              c.md          3        0       0
Appendices
A    Extra              app.md        2        0       0
     Total: 5 chapters               31        2       1
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_lists_parts_chapters_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", FILES)
    assert main(["list", "b"]) == 0
    out, err = capsys.readouterr()
    assert out == EXPECTED
    assert err == ""  # warnings (here: missing images) belong to the build, not the outline


def test_thousands_are_grouped_and_columns_stay_aligned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = " ".join(["word"] * 1500)
    write_book(tmp_path / "b", {"long.md": f"# Long chapter\n\n{words}\n", "s.md": "# S\n\nHi.\n"})
    assert main(["list", "b"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "No.  Chapter            File     Words  Figures  Tables",
        "1    Long chapter       long.md  1,502        0       0",
        "2    S                  s.md         2        0       0",
        "     Total: 2 chapters           1,504        0       0",
    ]


def test_a_missing_chapter_is_reported_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", {"book.yml": "title: T\nchapters: [a.md, gone.md]\n",
                                "a.md": "# A\n\nText.\n"})  # fmt: skip
    assert main(["list", "b"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[1] == "1    A                  a.md      2        0       0"
    assert (
        err == "b/book.yml: error: chapter file 'gone.md' not found; fix the path in the config\n"
    )


def test_volumes_head_their_parts_and_shared_pages_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = """\
title: T
front-matter: [index.md]
volumes:
  - title: Small
    chapters:
      - part: Basics
        chapters: [a.md]
  - title: Large
    chapters: [b.md]
appendices: [app.md]
"""
    files = {"book.yml": config, "index.md": "# Preface\n\nHi.\n", "a.md": "# Alpha\n\nOne.\n",
             "b.md": "# Beta\n\nTwo.\n", "app.md": "# Extra\n\nMore.\n"}  # fmt: skip
    write_book(tmp_path / "b", files)
    assert main(["list", "b"]) == 0
    assert (
        capsys.readouterr().out
        == """\
No.  Chapter            File      Words  Figures  Tables
     Preface            index.md      2        0       0
Volume I: Small
Part I: Basics
1    Alpha              a.md          2        0       0
Volume II: Large
1    Beta               b.md          2        0       0
Every volume
Appendices
A    Extra              app.md        2        0       0
     Total: 4 chapters                8        0       0
"""
    )


def test_the_real_book(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", str(corpus)]) == 0
    lines = capsys.readouterr().out.splitlines()
    numbered = [line.split()[0] for line in lines[1:-1] if line[:1].isdigit()]
    assert numbered == [str(n) for n in range(1, 22)]
    assert "Part I: Systems Foundations" in lines
    assert lines[-1].split()[:3] == ["Total:", "40", "chapters"]
