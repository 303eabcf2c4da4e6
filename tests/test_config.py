"""Config loading: book.yml validation (every error at once, with lines) and Quarto translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.config import load_project
from mlsysgen.errors import ConfigError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnostics show paths relative to the current folder, as a user running the CLI sees."""
    monkeypatch.chdir(tmp_path)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_book_yml_loads_typed_values(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# A\n")
    write(
        tmp_path,
        "book.yml",
        'title: T\nchapters:\n  - part: "P"\n    chapters: [a.md]\nhtml:\n  toc-depth: 2\n',
    )
    config = load_project(tmp_path).config
    assert config.title == "T"
    assert config.chapters[0].part == "P"
    assert config.chapters[0].chapters[0].file == "a.md"
    assert config.html.toc_depth == 2
    assert config.pdf.toc_depth == 3


def test_every_config_error_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "book.yml",
        "title: T\ncolour: red\nhtml:\n  toc-depth: deep\n  number-sections: yes please\n",
    )
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    assert str(err.value) == (
        "invalid configuration (3 problems):\n"
        "book.yml:2: colour: unknown option; valid options are: appendices, authors, back-matter, "
        "bibliography, callout-labels, chapters, combined, crossref, csl, date, description, "
        "diagrams, epub, extra-pages, formats, front-matter, html, labs, language, metadata, "
        "output-dir, output-name, pdf, plugins, site, site-url, subtitle, title, volumes\n"
        "book.yml:4: html.toc-depth: expected a whole number, got 'deep'\n"
        "book.yml:5: html.number-sections: expected true or false, got 'yes please'"
    )


def test_literal_option_lists_choices(tmp_path: Path) -> None:
    write(tmp_path, "book.yml", "html:\n  reference-location: side\n")
    with pytest.raises(
        ConfigError,
        match=r"book.yml:2: html.reference-location: expected one of 'margin', 'document', 'section', 'block', got 'side'",
    ):
        load_project(tmp_path)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "book.yml", "title: T\nchapters:\n  - a.md\n - b.md\n")
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    assert str(err.value).startswith("book.yml:4: invalid YAML: ")
    assert str(err.value).endswith("; check indentation and quoting on this line")


def test_missing_config_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    assert str(err.value) == (
        f"{tmp_path.resolve()}: no book.yml or _quarto.yml here; pass the book's folder, "
        "or create one with 'python -m mlsysgen new DIR'"
    )


def test_quarto_symlink_as_text_and_book_type(tmp_path: Path) -> None:
    write(tmp_path, "_quarto.yml", "config/_real.yml\n")
    write(
        tmp_path,
        "config/_real.yml",
        (
            "project:\n  type: book\n  output-dir: _out\n"
            "book:\n  title: Q\n  chapters:\n    - index.qmd\n    - part: Basics\n      chapters: [a.qmd]\n"
            "  appendices: [z.qmd]\n"
            "format:\n  html:\n    number-sections: true\n    toc-depth: 2\n    theme: cosmo\n"
            "crossref:\n  fig-prefix: Fig.\nfilters: [x.lua]\n"
        ),
    )
    project = load_project(tmp_path)
    config = project.config
    assert config.title == "Q"
    assert [c.file for c in config.chapters if hasattr(c, "file") and c.file] == ["index.qmd"]
    assert config.chapters[1].part == "Basics"
    assert config.appendices[0].file == "z.qmd"
    assert config.html.number_sections is True
    assert config.crossref.fig_prefix == "Fig."
    assert config.output_dir == "_out"
    assert project.notes == [
        "config/_real.yml: ignored Quarto options with no effect here: filters"
    ]


def test_quarto_website_sidebar(tmp_path: Path) -> None:
    for name in ("index.qmd", "a.qmd", "b.qmd", "extra.qmd"):
        write(tmp_path, name, "# X\n")
    write(
        tmp_path,
        "_quarto.yml",
        (
            "project:\n  type: website\n"
            "website:\n  title: W\n  sidebar:\n    contents:\n"
            "      - text: Home\n        href: index.qmd\n"
            "      - section: Part One\n        id: one\n        contents:\n          - a.qmd\n          - href: b.qmd\n"
            "      - text: '---'\n"
            "      - text: Site\n        href: https://example.org\n"
        ),
    )
    config = load_project(tmp_path).config
    assert config.front_matter[0].file == "index.qmd"
    assert config.front_matter[0].title == "Home"
    part = config.chapters[0]
    assert (part.part, part.id, [c.file for c in part.chapters]) == (
        "Part One",
        "one",
        ["a.qmd", "b.qmd"],
    )
    assert config.chapters[1].url == "https://example.org"
    assert config.extra_pages == ["extra.qmd"]


def test_quarto_link_to_missing_file(tmp_path: Path) -> None:
    write(tmp_path, "_quarto.yml", "config/none.yml\n")
    with pytest.raises(
        ConfigError, match=r"_quarto.yml:1: names 'config/none.yml', which does not exist"
    ):
        load_project(tmp_path)
