"""Differential test: our CSL processor against ``pandoc --citeproc``.

Both sides format the same CSL-JSON items — pandoc's own ``pandoc -f bibtex -t csljson``
output, so any difference is in formatting, not in BibTeX reading. Pandoc renders a
Markdown document that cites every key once (in sorted key order, which we register in
the same order so disambiguation ties and citation numbers agree) plus a list of
complex clusters; its bibliography entries (``div#ref-KEY``) and citation spans are
compared with ours after normalising markup (``em``→``i``, bare spans dropped) and
whitespace.

Inputs: the invented ``tests/fixtures/bib/styles.bib`` (runs wherever pandoc is
installed) and the real book's 21 ``.bib`` files under ``../shared/corpus`` (908 unique
keys; skipped when the corpus is absent). Measured with pandoc 3.9: every citation
identical, and every entry identical except the ~30 whose DOI/URL link target we repair
(pandoc keeps TeX escapes such as ``\\_`` in the ``href``; the visible text is the same).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mlsysgen.citations.csl import CitationProcessor, CiteRef
from mlsysgen.citations.csl.locale import STYLES_DIR

from .conftest import CORPUS

STYLES_BIB = Path(__file__).parent / "fixtures" / "bib" / "styles.bib"
STYLES = ("chicago-author-date", "apa", "ieee")
# Match-rate floors. The issue requires 95 % for Chicago; APA and IEEE measured 100 %.
BIB_FLOOR = {"chicago-author-date": 0.95, "apa": 0.95, "ieee": 0.95}
CITE_FLOOR = 0.95

C = CiteRef
# (pandoc Markdown, our cluster, mode) — keys from styles.bib.
COMPLEX_CITES: list[tuple[str, list[CiteRef], str]] = [
    ("[@solo2019; @duo2020]", [C("solo2019"), C("duo2020")], "normal"),
    ("[@solo2019, pp. 33-35]", [C("solo2019", locator="33-35", label="pp.")], "normal"),
    (
        "[see @solo2019, p. 12; also @trio2021, chap. 3]",
        [
            C("solo2019", prefix="see", locator="12", label="p."),
            C("trio2021", prefix="also", locator="3", label="chap."),
        ],
        "normal",
    ),
    (
        "[@solo2019, p. 33, emphasis added]",
        [C("solo2019", locator="33", label="p.", suffix=", emphasis added")],
        "normal",
    ),
    ("[-@solo2019]", [C("solo2019", suppress_author=True)], "normal"),
    ("@solo2019", [C("solo2019")], "in-text"),
    ("@solo2019 [p. 33]", [C("solo2019", locator="33", label="p.")], "in-text"),
    ("[@same2017a; @same2017b]", [C("same2017a"), C("same2017b")], "normal"),
    ("[@smithjohn2020; @smithjane2020]", [C("smithjohn2020"), C("smithjane2020")], "normal"),
    ("[@etal2016a; @etal2016b]", [C("etal2016a"), C("etal2016b")], "normal"),
    (
        "[@same2017a; @duo2020; @same2017b]",
        [C("same2017a"), C("duo2020"), C("same2017b")],
        "normal",
    ),
    ("[@who2021, sec. 4]", [C("who2021", locator="4", label="sec.")], "normal"),
    (
        "[@octo2018; @many2023; @others2015]",
        [C("octo2018"), C("many2023"), C("others2015")],
        "normal",
    ),
    (
        "[@solo2019, pp. 33-35; @duo2020, fig. 2]",
        [C("solo2019", locator="33-35", label="pp."), C("duo2020", locator="2", label="fig.")],
        "normal",
    ),
    (
        "[@nodate; @noauthor2022; @noauthorbook]",
        [C("nodate"), C("noauthor2022"), C("noauthorbook")],
        "normal",
    ),
    (
        "[@same2017a, 5; @same2017b, 7]",
        [C("same2017a", locator="5"), C("same2017b", locator="7")],
        "normal",
    ),
    ("[@solo2019, pp. 1496-1504]", [C("solo2019", locator="1496-1504", label="pp.")], "normal"),
    (
        "[@suffix2010; @hyphen2011; @chapter2020]",
        [C("suffix2010"), C("hyphen2011"), C("chapter2020")],
        "normal",
    ),
    ("[@edited2020; @proc2021]", [C("edited2020"), C("proc2021")], "normal"),
    ("@same2017b", [C("same2017b")], "in-text"),
    (
        "[-@same2017a; -@same2017b]",
        [C("same2017a", suppress_author=True), C("same2017b", suppress_author=True)],
        "normal",
    ),
    ("[@lindqvist2019b; @solo2019]", [C("lindqvist2019b"), C("solo2019")], "normal"),
]


# --- pandoc ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pandoc() -> str:
    """Path to a pandoc 3.x (from pypandoc-binary, the dev dependency)."""
    try:
        import pypandoc
    except ImportError:
        pytest.skip("pypandoc is not installed (pip install pypandoc-binary): no pandoc reference")
    try:
        path = pypandoc.get_pandoc_path()
    except OSError:
        pytest.skip("pypandoc found no pandoc binary (pip install pypandoc-binary)")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    major = int(re.match(r"pandoc\S* (\d+)", out.stdout).group(1))  # type: ignore[union-attr]
    if major < 3:
        pytest.skip(f"pandoc {major}.x found; the reference is pandoc 3's citeproc")
    return path


def csl_items(pandoc: str, bib_files: list[Path]) -> dict[str, dict[str, Any]]:
    """Pandoc's CSL-JSON for .bib files; the first definition of a key wins."""
    items: dict[str, dict[str, Any]] = {}
    for bib in bib_files:
        out = subprocess.run(
            [pandoc, "-f", "bibtex", "-t", "csljson", str(bib)],
            capture_output=True,
            text=True,
            check=True,
        )
        for item in json.loads(out.stdout):
            items.setdefault(item["id"], item)
    return items


def pandoc_render(
    pandoc: str, items: dict[str, dict[str, Any]], style: str, extra: list[str], tmp: Path
) -> tuple[dict[str, str], list[str]]:
    """(entry HTML by key, citation HTML in document order) from ``pandoc --citeproc``."""
    bib = tmp / "items.json"
    bib.write_text(json.dumps(list(items.values())), encoding="utf-8")
    doc = tmp / "doc.md"
    cites = [f"[@{{{key}}}]" for key in sorted(items)] + extra
    doc.write_text("\n\n".join(cites) + "\n", encoding="utf-8")
    args = [pandoc, str(doc), "--citeproc", "--bibliography", str(bib), "-t", "html"]
    if style.endswith(".csl"):
        args += ["--csl", style]
    elif style != "chicago-author-date":  # pandoc's default style is our Chicago file
        args += ["--csl", str(STYLES_DIR / f"{style}.csl")]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    parser = _PandocHTML()
    parser.feed(out)
    parser.close()
    return parser.entries, parser.citations


class _PandocHTML(HTMLParser):
    """Collects the inner HTML of ``div#ref-*`` entries and ``span.citation``s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.entries: dict[str, str] = {}
        self.citations: list[str] = []
        self._target: tuple[str, str] | None = None  # (kind, key)
        self._tag = ""
        self._depth = 0
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._target is None:
            if tag == "div" and (a.get("id") or "").startswith("ref-"):
                self._start("entry", html.unescape(a["id"][4:]), tag)  # type: ignore[index]
            elif tag == "span" and a.get("class") == "citation":
                self._start("cite", "", tag)
            return
        if tag == self._tag:
            self._depth += 1
        self._buf.append(self.get_starttag_text() or "")

    def _start(self, kind: str, key: str, tag: str) -> None:
        self._target, self._tag, self._depth, self._buf = (kind, key), tag, 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._target is None:
            return
        if tag == self._tag:
            self._depth -= 1
            if self._depth == 0:
                kind, key = self._target
                if kind == "entry":
                    self.entries[key] = "".join(self._buf)
                else:
                    self.citations.append("".join(self._buf))
                self._target = None
                return
        self._buf.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._target is not None:
            self._buf.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


# --- normalisation -------------------------------------------------------------------------

_KEEP = {"em": "i", "i": "i", "strong": "b", "b": "b", "sup": "sup", "sub": "sub", "u": "u"}


class _Canon(HTMLParser):
    """Markup reduced to what the formats share: i, b, sup, sub, u, links, small caps."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name: str | None
        if tag == "span" and "small-caps" in (a.get("style") or ""):
            name = "sc"
        elif tag == "a":
            name = "a"
            self.out.append(f'<a href="{html.escape(a.get("href") or "")}">')
            self.stack.append(name)
            return
        elif tag == "div":  # display blocks (IEEE's left margin): just a word break
            name = None
            self.out.append(" ")
        else:
            name = _KEEP.get(tag)  # pandoc's bare <span> (quotes, nocase) disappears
        if name:
            self.out.append(f"<{name}>")
        self.stack.append(name)

    def handle_endtag(self, tag: str) -> None:
        name = self.stack.pop() if self.stack else None
        if name:
            self.out.append(f"</{name}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def canon(fragment: str) -> str:
    parser = _Canon()
    parser.feed(fragment)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.out)).strip()


# --- comparison -----------------------------------------------------------------------------


def compare(
    pandoc: str, items: dict[str, dict[str, Any]], style: str, tmp: Path, complex_cites: bool
) -> dict[str, Any]:
    extra = [md for md, _, _ in COMPLEX_CITES] if complex_cites else []
    ref_entries, ref_cites = pandoc_render(pandoc, items, style, extra, tmp)
    start = time.perf_counter()
    proc = CitationProcessor(items, style=style)
    keys = sorted(items)
    proc.register(keys)
    ours = dict(proc.bibliography(list(items)))
    seconds = time.perf_counter() - start
    entry_diffs = [
        (key, canon(ours.get(key, "")), canon(ref))
        for key, ref in ref_entries.items()
        if canon(ours.get(key, "")) != canon(ref)
    ]
    our_cites = [proc.cite([CiteRef(key)]) for key in keys]
    our_cites += [proc.cite(cluster, mode) for _, cluster, mode in COMPLEX_CITES[: len(extra)]]
    labels = keys + extra
    cite_diffs = [
        (label, canon(a), canon(b))
        for label, a, b in zip(labels, our_cites, ref_cites, strict=True)
        if canon(a) != canon(b)
    ]
    return {
        "entries": len(ref_entries),
        "entry_rate": 1 - len(entry_diffs) / len(ref_entries),
        "entry_diffs": entry_diffs,
        "cites": len(labels),
        "cite_rate": 1 - len(cite_diffs) / len(labels),
        "cite_diffs": cite_diffs,
        "seconds": seconds,
    }


def _report(name: str, style: str, r: dict[str, Any]) -> str:
    lines = [
        f"{name} {style}: {r['entry_rate']:.1%} of {r['entries']} entries, "
        f"{r['cite_rate']:.1%} of {r['cites']} citations identical; "
        f"formatted in {r['seconds']:.2f} s"
    ]
    for label, ours, ref in (r["entry_diffs"] + r["cite_diffs"])[:10]:
        lines += [f"  {label}", f"    ours:   {ours}", f"    pandoc: {ref}"]
    return "\n".join(lines)


@pytest.mark.parametrize("style", STYLES)
def test_fixture_matches_pandoc(
    pandoc: str, style: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = csl_items(pandoc, [STYLES_BIB])
    assert len(items) >= 40
    r = compare(pandoc, items, style, tmp_path, complex_cites=True)
    report = _report("fixture", style, r)
    with capsys.disabled():
        print("\n" + report)
    assert r["entry_rate"] >= BIB_FLOOR[style], report
    assert r["cite_rate"] >= CITE_FLOOR, report


@pytest.mark.parametrize("rule", ["complete-all", "partial-each"])
def test_subsequent_author_substitute_matches_pandoc(
    pandoc: str, rule: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """None of the shipped styles uses it, so test a Chicago variant that does."""
    chicago = (STYLES_DIR / "chicago-author-date.csl").read_text(encoding="utf-8")
    variant = tmp_path / "chicago-substitute.csl"
    attrs = f'subsequent-author-substitute="———" subsequent-author-substitute-rule="{rule}"'
    variant.write_text(chicago.replace("<bibliography ", f"<bibliography {attrs} "), "utf-8")
    items = csl_items(pandoc, [STYLES_BIB])
    r = compare(pandoc, items, str(variant), tmp_path, complex_cites=False)
    report = _report("fixture", f"chicago + {rule}", r)
    with capsys.disabled():
        print("\n" + report)
    assert r["entry_rate"] == 1.0, report
    proc = CitationProcessor(items, style=str(variant))
    proc.register(sorted(items))
    assert sum("———" in entry for _, entry in proc.bibliography(list(items))) >= 3


@pytest.fixture(scope="module")
def corpus_items(pandoc: str) -> dict[str, dict[str, Any]]:
    bibs = sorted((CORPUS / "contents" / "core").glob("*/*.bib"))
    if not bibs:
        pytest.skip(
            f"real-book corpus not found at {CORPUS} (only present beside the dev checkout)"
        )
    return csl_items(pandoc, bibs)


@pytest.mark.corpus
@pytest.mark.parametrize("style", STYLES)
def test_corpus_matches_pandoc(
    pandoc: str,
    corpus_items: dict[str, dict[str, Any]],
    style: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(corpus_items) >= 200
    r = compare(pandoc, corpus_items, style, tmp_path, complex_cites=False)
    report = _report("corpus", style, r)
    with capsys.disabled():
        print("\n" + report)
    assert r["entry_rate"] >= BIB_FLOOR[style], report
    assert r["cite_rate"] >= CITE_FLOOR, report


# --- behaviour that needs no pandoc ----------------------------------------------------------

ITEMS: dict[str, dict[str, Any]] = {
    "vaswani2017": {
        "type": "paper-conference",
        "title": "Attention is all you need",
        "container-title": "Advances in neural information processing systems",
        "author": [
            {"family": "Vaswani", "given": "Ashish"},
            {"family": "Shazeer", "given": "Noam"},
            {"family": "Parmar", "given": "Niki"},
        ],
        "issued": {"date-parts": [[2017]]},
    },
    "dean2008": {
        "type": "article-journal",
        "title": "MapReduce: simplified data processing on large clusters",
        "container-title": "Communications of the ACM",
        "author": [
            {"family": "Dean", "given": "Jeffrey"},
            {"family": "Ghemawat", "given": "Sanjay"},
        ],
        "issued": {"date-parts": [[2008]]},
        "volume": "51",
        "page": "107-113",
        "DOI": "10.1145/1327452.1327492",
    },
    "evil": {
        "type": "webpage",
        "title": "<i>Deep</i> <script>alert(1)</script> & friends",
        "author": [{"literal": "A & B <Co>"}],
        "issued": {"date-parts": [[2020]]},
        "URL": "javascript://%0Aalert(1)",
    },
}


def test_api_formats_cites_and_entries() -> None:
    proc = CitationProcessor(ITEMS)
    proc.register(["vaswani2017", "dean2008"])
    assert proc.cite([C("vaswani2017"), C("dean2008", locator="33-35")]) == (
        "(Vaswani et al. 2017; Dean and Ghemawat 2008, 33–35)"
    )
    assert proc.cite([C("vaswani2017")], mode="in-text") == "Vaswani et al. (2017)"
    assert proc.cite([C("vaswani2017", suppress_author=True)]) == "(2017)"
    entries = proc.bibliography(["vaswani2017", "dean2008"])
    assert [k for k, _ in entries] == ["dean2008", "vaswani2017"]  # style order
    assert entries[0][1].endswith(
        '<a href="https://doi.org/10.1145/1327452.1327492">'
        "https://doi.org/10.1145/1327452.1327492</a>."
    )
    assert "<i>Communications of the ACM</i> 51: 107–13." in entries[0][1]


def test_data_is_escaped_and_script_links_dropped() -> None:
    proc = CitationProcessor(ITEMS)
    proc.register(["evil"])
    ((_, entry),) = proc.bibliography(["evil"])
    assert "<script>" not in entry.lower() and "&lt;script&gt;" in entry.lower()
    assert "A &amp; B &lt;Co&gt;" in entry
    assert "<i>Deep</i>" in entry  # CSL-JSON markup in fields is honoured
    assert 'href="javascript' not in entry and "javascript://%0Aalert(1)" in entry


def test_disambiguation_is_book_wide() -> None:
    doe = [{"family": "Doe", "given": "J."}]
    items = {
        "a": {"type": "book", "title": "Beta", "author": doe, "issued": {"date-parts": [[2020]]}},
        "b": {"type": "book", "title": "Alpha", "author": doe, "issued": {"date-parts": [[2020]]}},
    }
    proc = CitationProcessor(items)
    proc.register(["a", "b"])  # registered together, though cited in different chapters
    assert proc.cite([C("a")]) == "(Doe 2020b)"
    assert [html.unescape(h).split(". ")[1] for _, h in proc.bibliography(["b"])] == ["2020a"]


def test_ieee_numbers_follow_first_citation() -> None:
    proc = CitationProcessor(ITEMS, style="ieee")
    proc.register(["dean2008", "vaswani2017"])
    assert proc.cite([C("vaswani2017")]) == "[2]"
    assert proc.is_numeric
    key, entry = proc.bibliography(["vaswani2017", "dean2008"])[0]
    assert key == "dean2008" and entry.startswith('<div class="csl-left-margin">[1] </div>')
