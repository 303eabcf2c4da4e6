"""End-to-end differential test: our BibTeX reader + CSL processor against pandoc.

``tests/test_citations_pandoc_data.py`` checks the reader (BibTeX → CSL-JSON) and
``tests/test_citations_pandoc.py`` the formatter (CSL-JSON → HTML), each against pandoc
in isolation. Here both run together, as in a build: pandoc reads a ``.bib`` file
itself (``pandoc --citeproc --bibliography=X.bib`` on a Markdown document with
``nocite: "@*"``, default Chicago author-date style) and we run ``load_bibtex`` →
``CitationProcessor(items).bibliography(keys)`` on the same file. Each
``div.csl-entry#ref-KEY`` is compared with our entry after the markup normalisation of
``test_citations_pandoc.py`` (its ``canon``: ``em``→``i``, bare spans dropped,
whitespace collapsed).

The book resolves a key in the citing chapter's own ``.bib`` first, so the corpus is
compared per chapter, each chapter with only its own ``.bib`` (a key defined
differently in two chapters is compared once per chapter, with that chapter's copy).

One difference is deliberate: where a ``doi``/``url`` field holds TeX escapes
(``10.1007/3-540-49430-8\\_2``) or words after the address ("… arXiv-issued DOI via
DataCite"), pandoc prints the text and links it verbatim, a broken link; we print the
same text but link the repaired address. Such entries are reported apart.

Measured with pandoc 3.9 (run with ``-s`` to see every differing entry): all 1,028
corpus entries identical apart from 30 repaired links (97.1 % strictly identical);
the invented fixtures identical apart from the links and the ``KNOWN`` differences.
"""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mlsysgen.citations.bibtex import load_bibtex
from mlsysgen.citations.csl import CitationProcessor

from .conftest import CORPUS
from .test_citations_pandoc import _PandocHTML, canon
from .test_citations_pandoc import pandoc as pandoc  # the shared fixture

BIB_DIR = Path(__file__).parent / "fixtures" / "bib"
FIXTURE_BIBS = [BIB_DIR / "end_to_end.bib", BIB_DIR / "tricky.bib", BIB_DIR / "styles.bib"]
CHAPTERS = CORPUS / "contents" / "core"
FLOOR = 0.95  # strictly identical entries, the requirement
UNEXPLAINED_FLOOR = 0.99  # identical apart from repaired links; measured 100 %

# Fixture entries whose links we repair (see the module docstring).
REPAIRED_LINKS = {
    ("end_to_end.bib", "doiescape2017"),
    ("end_to_end.bib", "urlescape2020"),
    ("end_to_end.bib", "doijunk2021"),
    ("tricky.bib", "Unicode-Kéy/2015"),
}
# Fixture entries that still differ, and why. None of these occurs in the real book.
KNOWN = {
    ("end_to_end.bib", "bracedparticle2001"): (
        "{van Gogh}, Vincent: our items reproduce pandoc's CSL-JSON, whose round trip "
        "splits off the particle (van Gogh → Gogh, Vincent van); pandoc reading the .bib "
        "keeps the braced family name. test_citations_pandoc_data pins the round trip."
    ),
    ("end_to_end.bib", "givencomma2005"): (
        "Doe, {Jane, Jr.}: the same round trip turns the comma in a given name into a "
        "suffix (Jane Doe Jr.); pandoc reading the .bib prints 'Jane, Jr. Doe'."
    ),
    ("tricky.bib", "markup2017"): (
        '\\textsc: pandoc\'s HTML writes <span class="smallcaps">, ours '
        'style="font-variant:small-caps"; the shared canon only recognises the latter. '
        "Both are small caps."
    ),
    ("tricky.bib", "web2024"): (
        "\\url{} in howpublished: pandoc links it; text in CSL-JSON carries no links, "
        "so ours is plain text."
    ),
    ("styles.bib", "webpage2024"): "\\url{} in howpublished, as tricky.bib web2024.",
}

_HREF = re.compile(r'<a href="([^"]*)">')
_TEX_ESCAPE = re.compile(r"\\([_%&#$])")


@dataclass
class Result:
    total: int = 0
    repaired: list[tuple[str, str, str, str]] = field(default_factory=list)
    other: list[tuple[str, str, str, str]] = field(default_factory=list)  # (bib, key, ours, ref)
    seconds: float = 0.0

    @property
    def identical(self) -> int:
        return self.total - len(self.repaired) - len(self.other)

    def keys(self, diffs: list[tuple[str, str, str, str]]) -> set[tuple[str, str]]:
        return {(bib, key) for bib, key, _, _ in diffs}


def pandoc_entries(pandoc: str, bib: Path) -> dict[str, str]:
    """Entry HTML by key from ``pandoc --citeproc`` reading the .bib file itself."""
    doc = '---\nnocite: "@*"\n---\n'
    out = subprocess.run(
        [pandoc, "-f", "markdown", "-t", "html", "--citeproc", f"--bibliography={bib}"],
        input=doc,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    parser = _PandocHTML()
    parser.feed(out)
    parser.close()
    return parser.entries


def our_entries(bib: Path) -> dict[str, str]:
    """Entry HTML by key from our reader and processor, as a build formats them."""
    items = load_bibtex(bib, bib.name).entries
    proc = CitationProcessor(items)
    # ``nocite: "@*"`` cites every key in sorted order, which settles disambiguation
    # ties (two identical entries: which one is 2019a); a build registers citation order.
    proc.register(sorted(items))
    return dict(proc.bibliography(list(items)))


def repair_links(entry: str) -> str:
    """Pandoc's entry with each href repaired as we link it (escapes and junk dropped)."""

    def fix(m: re.Match[str]) -> str:
        href = m.group(1)
        words = href.split()
        fixed = _TEX_ESCAPE.sub(r"\1", words[0]) if words else ""
        return f'<a href="{href if fixed == href.strip() else fixed}">'

    return _HREF.sub(fix, entry)


def compare(pandoc: str, bibs: list[Path]) -> Result:
    """Every entry of every file, pandoc's against ours."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:  # pandoc runs in separate processes
        refs = list(pool.map(lambda bib: pandoc_entries(pandoc, bib), bibs))
    result = Result()
    for bib, ref in zip(bibs, refs, strict=True):
        ours = our_entries(bib)
        for key in sorted(set(ref) | set(ours)):
            result.total += 1
            a, b = canon(ours.get(key, "")), canon(ref.get(key, ""))
            if a == b:
                continue
            diff = (bib.name, key, a, b)
            (result.repaired if a == repair_links(b) else result.other).append(diff)
    result.seconds = time.perf_counter() - start
    return result


def report(name: str, r: Result) -> str:
    lines = [
        f"{name}: {r.identical}/{r.total} entries identical ({r.identical / max(r.total, 1):.1%}); "
        f"{len(r.repaired)} differ only by a repaired link, {len(r.other)} otherwise; "
        f"{r.seconds:.1f} s"
    ]
    for title, diffs in (("repaired link", r.repaired), ("different", r.other)):
        for bib, key, ours, ref in diffs:
            lines += [f"  [{title}] {bib} {key}", f"    ours:   {ours}", f"    pandoc: {ref}"]
    return "\n".join(lines)


def test_fixtures_end_to_end(pandoc: str) -> None:
    r = compare(pandoc, FIXTURE_BIBS)
    text = report("fixtures end-to-end", r)
    print("\n" + text)
    assert r.total >= 100
    assert r.keys(r.other) == set(KNOWN), text
    assert r.keys(r.repaired) == REPAIRED_LINKS, text


@pytest.mark.corpus
def test_corpus_end_to_end(pandoc: str) -> None:
    bibs = [b for b in sorted(CHAPTERS.glob("*/*.bib")) if b.stem == b.parent.name]
    if not bibs:
        pytest.skip(f"real-book corpus not found at {CORPUS} (only beside the dev checkout)")
    assert len(bibs) == 21
    r = compare(pandoc, bibs)
    text = report("corpus end-to-end (each chapter with its own .bib)", r)
    print("\n" + text)
    assert r.total >= 1000
    assert r.identical / r.total >= FLOOR, text
    assert 1 - len(r.other) / r.total >= UNEXPLAINED_FLOOR, text


# --- the same corners, checked without pandoc --------------------------------------------

EXPECTED = {  # key → a fragment of our entry, as pandoc 3.9 renders it
    "andpublisher1865": "Macmillan; Co.",
    "bracedand2001": "Macmillan and Co.",
    "location2017": "(ICRA)</i> (Singapore, Singapore), May",
    "patent2001": "Patent US 1234567",
    "childchapter2002": "In <i>The Parent Book: Collected Chapters</i>, by Paula Parent.",
    "mathdigit2019": "Families of 4-Manifolds",
    "mathbraces2017": "Clipper: A {Low-Latency} Online",
    "mathmix2020": (
        "An <i>O</i>(<i>n</i>log <i>n</i>) Bound, <i>x</i><sup>2</sup> Terms, "
        "10<sup>−3</sup> Error and <i>α</i>-Stable <i>k</i>-Means with $\\sqrt{2}$ Steps"
    ),
    "dollars2021": "Costs of $4 and $5$ and 5 Apiece",
    "underline2016": "&lt;U&gt;c&lt;/u&gt; Ross &lt;u&gt;-l&lt;/u&gt; Ayer",
    "angles2022": "When x&lt;y and &lt;i&gt;tags&lt;/i&gt; Leak",
    "straightquotes2007": '“He Said "Hello" and Left.”',
    "code2011": "Title with &lt;code&gt; and lowercase Code",
    "SamePaper2019": "2019a.",
    "same_paper_2019": "2019b.",
    "doiescape2017": (
        '<a href="https://doi.org/10.1049/pbte073e_ch14">'
        "https://doi.org/10.1049/pbte073e\\_ch14</a>"
    ),
    "doijunk2021": (
        '<a href="https://doi.org/10.48550/arXiv.2103.14749">'
        "https://doi.org/10.48550/arXiv.2103.14749 arXiv-issued DOI via DataCite</a>"
    ),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_fixture_entry_without_pandoc(key: str) -> None:
    entry = canon(our_entries(BIB_DIR / "end_to_end.bib")[key])
    assert EXPECTED[key] in entry, entry


def test_bibtex_extension_reads_bibtex_variant(tmp_path: Path) -> None:
    """Pandoc reads ``.bibtex`` as BibTeX: publishers are not split at " and "."""
    text = (BIB_DIR / "end_to_end.bib").read_text(encoding="utf-8")
    (tmp_path / "same.bibtex").write_text(text, encoding="utf-8")
    entry = canon(our_entries(tmp_path / "same.bibtex")["andpublisher1865"])
    assert "Macmillan and Co." in entry
