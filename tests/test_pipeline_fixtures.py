"""Golden tests: Markdown through the whole pipeline (parse → transforms → renderer).

Each file in fixtures/pipeline/ repeats: a title line, ``.``, Markdown, ``.``, the
expected HTML fragment, ``.``, the expected diagnostics (often none), ``.``.
``make snapshots`` rewrites the expected parts; review the diff before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import SNAPSHOTS, normalise, render_fragment

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"


def read_cases(path: Path) -> list[tuple[str, int, str, str, str]]:
    """Parse a fixture file into (title, line, input, expected html, expected messages)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    i = 0
    while i + 1 < len(lines):
        if not lines[i].strip() or lines[i + 1] != ".":
            i += 1
            continue
        title, start = lines[i], i + 1
        sections: list[list[str]] = [[], [], []]
        i += 2
        for section in sections:
            while i < len(lines) and lines[i] != ".":
                section.append(lines[i])
                i += 1
            i += 1
        source, html, messages = ("\n".join(s) for s in sections)
        cases.append((title, start, source + "\n", html, messages))
    return cases


def write_cases(path: Path, cases: list[tuple[str, str, str, str]]) -> None:
    out = []
    for title, source, html, messages in cases:
        out += [title, ".", source.rstrip("\n"), ".", html, ".", messages, ".", ""]
    path.write_text("\n".join(out), encoding="utf-8")


CASES = [
    pytest.param(path, title, source, html, messages, id=f"{path.stem}:{line}:{title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for title, line, source, html, messages in read_cases(path)
]


@pytest.mark.parametrize(("path", "title", "source", "expected", "messages"), CASES)
def test_fixture(
    tmp_path: Path, path: Path, title: str, source: str, expected: str, messages: str
) -> None:
    # TikZ blocks stay placeholders whether or not this machine has TeX.
    html, diagnostics = render_fragment(tmp_path, source, config={"diagrams": {"tikz": False}})
    got_html = normalise(html)
    got_messages = "\n".join(diagnostics)
    if SNAPSHOTS and (got_html != expected or got_messages != messages):
        _overwrite(path, title, got_html, got_messages)
        return
    assert got_html == expected
    assert got_messages == messages


def _overwrite(path: Path, title: str, html: str, messages: str) -> None:
    cases = [(t, s, h, m) for t, _, s, h, m in read_cases(path)]
    cases = [(t, s, html, messages) if t == title else (t, s, h, m) for t, s, h, m in cases]
    write_cases(path, cases)
