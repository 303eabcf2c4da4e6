"""The command line: exit statuses, summaries, atomic output, and bad input end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.__main__ import main

from .helpers import write_book


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_new_then_build_writes_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "starter")[0] == 0
    code, err = run(capsys, "build", "starter")
    assert code == 0, err
    assert err.splitlines()[-1].startswith(
        f"built {tmp_path.resolve() / 'starter' / '_site'}: 2 pages, 0 warnings, 0 errors, "
    )
    page = (tmp_path / "starter/_site/chapters/first.html").read_text()
    assert '<a class="xref" href="#fig-box">Figure&nbsp;1.1</a>' in page
    assert (tmp_path / "starter/_site/search.json").is_file()
    assert (tmp_path / "starter/_site/404.html").is_file()
    assert (tmp_path / "starter/_site/chapters/box.svg").is_file()


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["build", "--to", "docx"])
    assert exc.value.code == 2


def test_no_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            capsys,
        )[0]
        == 2
    )


def test_warning_is_not_fatal_but_strict_makes_it_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", {"ch.md": "# C\n\nSee @fig-nowhere.\n"})
    code, err = run(capsys, "build", "b")
    assert code == 0
    assert (
        "b/ch.md:3: warning: unresolved reference @fig-nowhere; check the id, or define it with {#fig-nowhere}"
        in err
    )
    code, err = run(capsys, "build", "b", "--strict")
    assert code == 1
    assert "b/ch.md:3: error: unresolved reference @fig-nowhere" in err
    assert "build failed: 1 pages" not in err
    assert err.splitlines()[-1].startswith("build failed: 0 pages, 0 warnings, 1 error, ")


def test_failed_build_keeps_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(tmp_path / "b", {"ch.md": "# C\n\nGood.\n"})
    assert run(capsys, "build", "b")[0] == 0
    page = root / "_site" / "ch.html"
    before = page.read_text()
    (root / "ch.md").write_text("# C\n\n![A](x.png){#fig-a}\n\n![B](x.png){#fig-a}\n")
    code, err = run(capsys, "build", "b")
    assert code == 1
    assert (
        "b/ch.md:5: error: duplicate id 'fig-a': also defined at b/ch.md:3; ids must be unique across the book, rename one"
        in err
    )
    assert page.read_text() == before
    assert not [p for p in tmp_path.glob("b/._site*")], "staging folders must be cleaned up"


def test_all_problems_reported_before_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(
        tmp_path / "b",
        {
            "a.md": "# A\n\n::: {.open}\nnever closed\n",
            "b.md": "---\ntitle: [unclosed\n---\n# B\n",
            "c.md": "# C\n\n![missing](nope.png)\n",
        },
    )
    code, err = run(capsys, "build", "b")
    assert code == 1
    assert (
        "b/a.md:3: error: fenced div opened here is never closed; add a ':::' line where it ends"
        in err
    )
    assert (
        "b/b.md:2: error: invalid YAML: expected ',' or ']', but got '<stream end>'; "
        "check indentation and quoting on this line"
    ) in err
    assert (
        "b/c.md:3: warning: image 'nope.png' not found; check the path (relative to this file)"
        in err
    )
    assert "Traceback" not in err


def test_missing_chapter_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", {"a.md": "# A\n"}, {"chapters": ["a.md", "gone.md"]})
    code, err = run(capsys, "build", "b")
    assert code == 1
    assert "b/book.yml: error: chapter file 'gone.md' not found; fix the path in the config" in err


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_book(tmp_path / "b", {"a.md": "# A\n"})
    code, err = run(capsys, "check", "b")
    assert code == 0
    assert err.splitlines()[-1].startswith("checked: 0 pages, 0 warnings, 0 errors, ")
    assert not (root / "_site").exists()


def test_clean_removes_output_and_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_book(tmp_path / "b", {"a.md": "# A\n"})
    run(capsys, "build", "b")
    assert (root / ".mlsysgen").is_dir()
    assert run(capsys, "clean", "b")[0] == 0
    assert not (root / "_site").exists() and not (root / ".mlsysgen").exists()


def test_new_refuses_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, err = run(capsys, "new", "full")
    assert code == 1
    assert "error: full is not empty; choose a new folder for the starter book" in err


def test_broken_grid_table_is_reported_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(
        tmp_path / "b",
        {
            "ch.md": "# C\n\n+-----+-----+\n| a   | b   |\n+=====+=====+\n| 1  | 2    |\n+-----+-----+\n"
        },
    )
    code, err = run(capsys, "build", "b")
    assert code == 1
    assert "b/ch.md:6: error: malformed grid table: " in err
    assert "Traceback" not in err


def test_book_templates_and_static_override_the_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(
        tmp_path / "b",
        {
            "ch.md": "# C\n",
            "templates/page.html": "<html><body>CUSTOM {{ page.title }}</body></html>",
            "static/mlsysgen.css": "/* mine */",
        },
    )
    assert run(capsys, "build", "b")[0] == 0
    assert (root / "_site" / "ch.html").read_text() == "<html><body>CUSTOM C</body></html>"
    assert (root / "_site" / "static" / "mlsysgen.css").read_text() == "/* mine */"
    assert (root / "_site" / "static" / "mlsysgen.js").is_file()


def test_read_only_project_caches_outside_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_book(tmp_path / "b", {"ch.md": "# C\n"})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root.chmod(0o555)
    try:
        assert run(capsys, "build", "b", "--out", str(tmp_path / "site"))[0] == 0
    finally:
        root.chmod(0o755)
    assert not (root / ".mlsysgen").exists()
    assert list((tmp_path / "xdg" / "mlsysgen").glob("*/parse"))
