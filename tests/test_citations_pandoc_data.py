"""Differential test: our CSL items against ``pandoc -f bibtex -t csljson``.

tests/fixtures/bib/tricky.bib holds invented entries covering the corners (accents,
protected case, unknown commands, name particles, dates, macros). Pandoc is the
reference; two known, deliberate differences are normalised before comparing:

* case-protected spans: pandoc keeps them internally (its citation processor honours
  them) but its CSL-JSON writer drops the ``<span class="nocase">`` markup; we keep it;
* non-numeric years: pandoc's writer turns ``{"literal": "forthcoming"}`` into
  ``{"date-parts": []}``; we keep the literal its citation processor would show.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mlsysgen.citations.bibtex import load_bibtex, parse_edtf

TRICKY = Path(__file__).parent / "fixtures" / "bib" / "tricky.bib"
FIELDS = (
    "type",
    "title",
    "author",
    "editor",
    "issued",
    "container-title",
    "page",
    "volume",
    "issue",
    "publisher",
    "DOI",
    "URL",
)
_NOCASE = re.compile(r'<span class="nocase">((?:(?!<span class="nocase">).)*?)</span>', re.S)


def _pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError:
        pytest.skip("pypandoc is not installed (pip install pypandoc-binary) — no reference")
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        pytest.skip("pypandoc found no pandoc binary (pip install pypandoc-binary)")


def pandoc_items(path: Path) -> dict[str, dict[str, Any]]:
    """Pandoc's CSL-JSON for a .bib file, by citation key."""
    result = subprocess.run(
        [_pandoc_path(), "-f", "bibtex", "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {item["id"]: item for item in json.loads(result.stdout)}


def strip_nocase(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _NOCASE.sub(r"\1", text)
    return text


def as_pandoc_writes(item: dict[str, Any]) -> dict[str, Any]:
    """Our item with the two deliberate differences undone (see the module docstring)."""
    out: dict[str, Any] = {}
    for name, value in item.items():
        if isinstance(value, str):
            value = strip_nocase(value)
        elif isinstance(value, dict) and "literal" in value:
            value = parse_edtf(value["literal"]) or {"date-parts": []}
        out[name] = value
    return out


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    expected = pandoc_items(TRICKY)
    bib = load_bibtex(TRICKY, "tricky.bib")
    assert bib.problems == []
    return expected, {key: as_pandoc_writes(item) for key, item in bib.entries.items()}


def test_same_keys(both: tuple[dict, dict]) -> None:
    expected, ours = both
    assert sorted(ours) == sorted(expected)


@pytest.mark.parametrize("field", FIELDS)
def test_field_matches_pandoc(both: tuple[dict, dict], field: str) -> None:
    expected, ours = both
    diffs = [
        (key, item.get(field), ours.get(key, {}).get(field))
        for key, item in expected.items()
        if item.get(field) != ours.get(key, {}).get(field)
    ]
    assert diffs == [], f"{field}: (key, pandoc, ours) = {diffs}"


def test_whole_items_match_pandoc(both: tuple[dict, dict]) -> None:
    expected, ours = both
    diffs = {key: (item, ours.get(key)) for key, item in expected.items() if item != ours.get(key)}
    assert diffs == {}


def test_normalisation_is_exercised() -> None:
    """The fixture really contains both deliberate differences, so they stay tested."""
    entries = load_bibtex(TRICKY, "tricky.bib").entries
    assert '<span class="nocase">iPhone</span>' in entries["braces2022"]["title"]
    assert entries["forthcoming2025"]["issued"] == {"literal": "forthcoming"}
