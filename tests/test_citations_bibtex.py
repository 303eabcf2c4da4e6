"""BibTeX → CSL items: LaTeX decoding, names, dates, broken input, merging, the cache.

Expected strings were checked against ``pandoc -f bibtex -t csljson`` (pandoc 3.9);
tests/test_citations_pandoc_data.py re-checks the whole pipeline against pandoc.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.citations import bibtex
from mlsysgen.citations.bibtex import BibFile, load_bibtex, load_bibtex_cached, merge
from mlsysgen.citations.latex import decode_latex, parse_latex, stringify
from mlsysgen.citations.names import parse_names

NOCASE = '<span class="nocase">{}</span>'


def load_text(tmp_path: Path, text: str, name: str = "refs.bib") -> BibFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_bibtex(path, name)


def item(tmp_path: Path, fields: str, etype: str = "article") -> dict:
    bib = load_text(tmp_path, f"@{etype}{{k,\n{fields}\n}}\n")
    assert bib.problems == []
    return bib.entries["k"]


# --------------------------------------------------------------------------- LaTeX


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{\\"o}', "ö"),
        ('\\"o', "ö"),
        ("\\'e", "é"),
        ("{\\'\\i}", "ı\u0301"),  # dotless i + combining acute: no precomposed form
        ("\\`a", "à"),
        ("\\~n", "ñ"),
        ("\\^o", "ô"),
        ("\\.z", "ż"),
        ("\\=a", "ā"),
        ("\\u{g}", "ğ"),
        ("\\v{c}", "č"),
        ("\\c{c}", "ç"),
        ("\\k{e}", "ę"),
        ("\\H{o}", "ő"),
        ("\\r{a}", "å"),
        ("Kydl\\'{\\i}\\v{c}ek", "Kydlı\u0301ček"),
        ('\\" o', "ö"),  # a space between accent and letter is skipped
        ('\\"ou', "öu"),  # the accent takes one character of a word
        ("\\^{}", "^"),
    ],
)
def test_accents(source: str, expected: str) -> None:
    assert decode_latex(source) == expected


@pytest.mark.parametrize(
    ("command", "letter"),
    [
        ("L", "Ł"),
        ("l", "ł"),
        ("o", "ø"),
        ("O", "Ø"),
        ("i", "ı"),
        ("j", "ȷ"),
        ("ss", "ß"),
        ("ae", "æ"),
        ("AE", "Æ"),
        ("oe", "œ"),
        ("OE", "Œ"),
        ("aa", "å"),
        ("AA", "Å"),
    ],
)
def test_letter_commands(command: str, letter: str) -> None:
    assert decode_latex(f"\\{command}{{}}") == letter
    assert decode_latex(f"x\\{command} y") == f"x{letter}y"  # a control word eats the space


def test_letter_command_with_empty_group() -> None:
    assert decode_latex("N\\o{}rretranders") == "Nørretranders"
    assert decode_latex("\\L \\l") == "Łł"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Intel\\textregistered{} Xeon", "Intel® Xeon"),
        # Unknown to pandoc's LaTeX reader: kept as raw TeX, which CSL output drops.
        ("Brand\\texttrademark{} Name", "Brand Name"),
        ("Machine Bias \\textasteriskcentered", "Machine Bias "),
        ("A\\textendash{}B and C\\textemdash{}D", "AB and CD"),
        ("Wait\\ldots{} more", "Wait… more"),
        ("a~b", "a\xa0b"),
        ("pages 1--10 and 1---10", "pages 1–10 and 1—10"),
        ("\\& \\_ \\% \\$ \\# \\{ \\}", "& _ % $ # { }"),
        # The book's HTML-entity leak: pandoc keeps the entity text literally.
        ("Sensation \\&amp; Perception", "Sensation &amp; Perception"),
        ("P\\&eacute;rez", "P&eacute;rez"),
        ("A $\\{$Low-Latency$\\}$ System", "A $\\{$Low-Latency$\\}$ System"),
        ("\\emph{Emph Word}", "<i>Emph Word</i>"),
        ("\\textit{Italic}", "<i>Italic</i>"),
        ("\\textbf{Bold}", "<b>Bold</b>"),
        ("\\textsc{Small Caps}", '<span style="font-variant:small-caps;">Small Caps</span>'),
        ("\\emph{a \\emph{b}}", '<i>a <span style="font-style:normal;">b</span></i>'),
        ("{\\em Old Style}", "<i>Old Style</i>"),
        ("<scp>AI</scp> and <i>x</i> and <u>C</u>", "<scp>AI</scp> and <i>x</i> and <u>C</u>"),
        ("Unknown \\foo{bar} Commands", "Unknown  Commands"),
        ("``Why Should I?'' It's `Quoted'", "“Why Should I?” It’s “Quoted”"),
        ("\\url{https://x.org/a_b%20c}", "https://x.org/a_b%20c"),
        ("x\\textsuperscript{2} and H\\textsubscript{2}O", "x<sup>2</sup> and H<sub>2</sub>O"),
        ("The {GPU} Way", "The GPU Way"),  # outside titles braces only group
        ("Costs 5% less\nnext line", "Costs 5 next line"),  # % starts a comment
    ],
)
def test_latex_constructs(source: str, expected: str) -> None:
    assert decode_latex(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("The {GPU} Way of {iPhone} Apps", f"The GPU way of {NOCASE.format('iPhone')} apps"),
        ("A $\\{$Low-Latency$\\}$ System", "A $\\{$low-latency$\\}$ system"),
        ("Deep Learning: A Survey of Surveys", "Deep learning: A survey of surveys"),
        ('{\\"o}ther Things', f"{NOCASE.format('ö')}ther things"),
        ("\\emph{Emph Word}", "<i>Emph word</i>"),
        ("\\textsc{Small Caps}", '<span style="font-variant:small-caps;">Small Caps</span>'),
        ("<scp>AI</scp> Literacy", "<Scp>AI</scp> literacy"),
        ("<u>C</u> ross <u>-L</u> ayer", "<U>c</u> ross <u>-l</u> ayer"),
        ("R\\&D for {NASA}", "R&d for NASA"),
        ("M{\\\"u}ller's Theorem", "Müller’s theorem"),
        ("Über Größe", "Über größe"),
        (
            "Semi-Supervised Learning (Chapelle, O. et al., Eds.; 2006)",
            "Semi-supervised learning (chapelle, o. Et al., eds.; 2006)",
        ),
        ("``Why Should I Trust You?'' Explaining", "“Why should i trust you?” explaining"),
    ],
)
def test_title_sentence_case(source: str, expected: str) -> None:
    assert decode_latex(source, title=True) == expected


def test_stringify_drops_markup_and_raw() -> None:
    assert stringify(parse_latex("\\emph{A} \\foo{x}B ``q''")) == "A B “q”"


# --------------------------------------------------------------------------- names


def test_name_forms() -> None:
    names = parse_names(
        "Ludwig van Beethoven and de la Vall{\\'e}e Poussin, Charles Louis and "
        "Smith, Jr., John and van Beethoven, Jr, Ludwig and J.G. Smith and "
        'Jean-Paul Sartre and Drummond de Andrade, Carlos and M{\\"u}ller, J{\\"o}rg'
    )
    assert names == [
        {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
        {"family": "Vallée Poussin", "given": "Charles Louis", "dropping-particle": "de la"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van", "suffix": "Jr"},
        {"family": "Smith", "given": "J. G."},
        {"family": "Sartre", "given": "Jean-Paul"},
        {"family": "Drummond de Andrade", "given": "Carlos"},
        {"family": "Müller", "given": "Jörg"},
    ]


def test_corporate_names_and_others() -> None:
    names = parse_names(
        "{World Health Organization} and {{Barnes and Noble}} and {IEEE} Computer Society "
        "and others"
    )
    assert names == [
        {"literal": "World Health Organization"},
        {"literal": "Barnes and Noble"},
        {"family": "Society", "given": "IEEE Computer"},
        # Pandoc keeps "others" as a literal name; CSL styles render it as "et al.".
        {"literal": "others"},
    ]


def test_name_particles_after_csl_round_trip() -> None:
    # Pandoc's CSL-JSON writer moves a lowercase family prefix into the particle.
    assert parse_names("{van Gogh}, Vincent") == [
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}
    ]
    assert parse_names("Ludwig van Beethoven", useprefix=True) == [
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}
    ]


def test_name_quirks_match_pandoc() -> None:
    # An accented capital in braces is skipped when testing capitalisation.
    assert parse_names("{\\'E}mile Zola") == [{"family": "Zola", "dropping-particle": "Émile"}]
    # An unknown command (\Lukasz) eats the space before "and", so the names run together.
    assert parse_names("Kaiser, \\Lukasz and Kamali, Ali") == [
        {"family": "Kaiser", "given": "Ali", "suffix": "and Kamali"}
    ]
    assert parse_names("Şahin, Çağlar and Ōtsuka, Ai") == [
        {"family": "Şahin", "given": "Çağlar"},
        {"family": "Ōtsuka", "given": "Ai"},
    ]
    assert parse_names("") is None


# --------------------------------------------------------------------------- fields


def test_article_fields(tmp_path: Path) -> None:
    assert item(
        tmp_path,
        """title = {The {GPU}: A Study}, author = {Doe, Jane},
        journal = {Journal of {Things}}, year = {2021}, month = jun, volume = {12},
        number = {3}, pages = {101--117}, doi = {10.1/x\\_y}, issn = {1234-5678},
        url = {https://example.org/a\\_b}, publisher = {Pub}, note = {A \\emph{note}}""",
    ) == {
        "DOI": "10.1/x\\_y",  # identifiers are raw, exactly as pandoc passes them
        "ISSN": "1234-5678",
        "URL": "https://example.org/a\\_b",
        "author": [{"family": "Doe", "given": "Jane"}],
        "container-title": "Journal of Things",
        "id": "k",
        "issue": "3",
        "issued": {"date-parts": [[2021, 6]]},
        "note": "A <i>note</i>",
        "page": "101-117",
        "publisher": "Pub",
        "title": "The GPU: A study",
        "title-short": "The GPU",
        "type": "article-journal",
        "volume": "12",
    }


def test_book_fields(tmp_path: Path) -> None:
    assert item(
        tmp_path,
        """title = {On Names}, subtitle = {A Field Guide}, editor = {Ed, Eddie},
        publisher = {Press}, address = {Amsterdam}, edition = {2}, isbn = {978-0},
        series = {Lecture Notes in {Computer} Science}, number = {7}, year = 2014""",
        etype="book",
    ) == {
        "ISBN": "978-0",
        "collection-number": "7",
        "collection-title": "Lecture notes in Computer science",
        "edition": "2",
        "editor": [{"family": "Ed", "given": "Eddie"}],
        "id": "k",
        "issued": {"date-parts": [[2014]]},
        "publisher": "Press",
        "publisher-place": "Amsterdam",
        "title": "On names: A field guide",
        "title-short": "On names",
        "type": "book",
    }


@pytest.mark.parametrize(
    ("etype", "csl_type"),
    [
        ("article", "article-journal"),
        ("inproceedings", "paper-conference"),
        ("book", "book"),
        ("incollection", "chapter"),
        ("inbook", "chapter"),
        ("techreport", "report"),
        ("phdthesis", "thesis"),
        ("mastersthesis", "thesis"),
        ("misc", ""),  # pandoc gives misc no CSL type at all
        ("unpublished", "manuscript"),
        ("software", "software"),
        ("online", "webpage"),
        ("manual", "book"),
    ],
)
def test_entry_types(tmp_path: Path, etype: str, csl_type: str) -> None:
    assert item(tmp_path, "title = {T}", etype=etype)["type"] == csl_type


def test_report_thesis_and_publishers(tmp_path: Path) -> None:
    report = item(
        tmp_path,
        "title = {R}, institution = {MIT}, number = {TR-1}, type = {Technical Report}",
        etype="techreport",
    )
    assert (report["number"], report["publisher"], report["genre"]) == (
        "TR-1",
        "MIT",
        "Technical Report",
    )
    thesis = item(tmp_path, "title = {T}, school = {Imaginary U}", etype="phdthesis")
    assert (thesis["publisher"], thesis["genre"]) == ("Imaginary U", "PhD thesis")
    paper = item(
        tmp_path,
        "title = {P}, booktitle = {Proc}, organization = {IEEE}, publisher = {IEEE}, number = 5",
        etype="inproceedings",
    )
    assert paper["publisher"] == "IEEE; IEEE"
    assert paper["collection-number"] == "5"


def test_arxiv_eprint_gives_url(tmp_path: Path) -> None:
    fields = "title = {P}, eprint = {2301.00001}, archiveprefix = {arXiv}"
    assert item(tmp_path, fields, "misc")["URL"] == "https://arxiv.org/abs/2301.00001"
    with_url = item(tmp_path, fields + ", url = {https://u}", "misc")
    assert with_url["URL"] == "https://u"


def test_urldate_and_howpublished(tmp_path: Path) -> None:
    web = item(
        tmp_path,
        "title = {W}, howpublished = {\\url{https://x.org}}, urldate = {2024-03-05}",
        "misc",
    )
    assert web["publisher"] == "https://x.org"
    assert web["accessed"] == {"date-parts": [[2024, 3, 5]]}


def test_string_macros_and_concatenation(tmp_path: Path) -> None:
    bib = load_text(
        tmp_path,
        '@string{acm = "ACM {Press}"}\n'
        '@misc{k, title = "Quoted " # {and Braced}, publisher = acm # { Books}, note = IEEE}\n',
    )
    entry = bib.entries["k"]
    assert entry["title"] == "Quoted and braced"
    assert entry["publisher"] == "ACM Press Books"
    assert entry["note"] == "ieee"  # an undefined macro is its lower-cased name


def test_keys_are_case_sensitive_and_may_be_unicode(tmp_path: Path) -> None:
    bib = load_text(
        tmp_path,
        "@misc{Key, title={A}}\n@misc{key, title={B}}\n@misc{Baldé_2017/x, title={C}}\n",
    )
    assert sorted(bib.entries) == ["Baldé_2017/x", "Key", "key"]
    assert bib.entries["Baldé_2017/x"]["id"] == "Baldé_2017/x"
    assert bib.problems == []


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("fields", "issued"),
    [
        ("year = 2020", {"date-parts": [[2020]]}),
        ("year = 2020, month = jun", {"date-parts": [[2020, 6]]}),
        ("year = 2020, month = {Jun}", {"date-parts": [[2020, 6]]}),
        ('year = 2020, month = "sep"', {"date-parts": [[2020, 9]]}),
        ("year = 2020, month = {11}, day = {5}", {"date-parts": [[2020, 11, 5]]}),
        # Biblatex's string table turns the bare macro "june" into "June": no month.
        ("year = 2020, month = june", {"date-parts": [[2020]]}),
        ("year = 2020, month = {June}", {"date-parts": [[2020]]}),
        ("date = {2020}", {"date-parts": [[2020]]}),
        ("date = {2020-05}", {"date-parts": [[2020, 5]]}),
        ("date = {2020-05-01}", {"date-parts": [[2020, 5, 1]]}),
        ("date = {2020-05/2020-07}", {"date-parts": [[2020, 5], [2020, 7]]}),
        ("date = {2020~}", {"date-parts": [[2020]], "circa": True}),
        ("date = {2020-05-01}, year = {1999}", {"date-parts": [[2020, 5, 1]]}),
        ("date = {May 2020}, year = {2019}", {"date-parts": [[2019]]}),  # falls back
        ("year = {2020a}", {"literal": "2020a"}),
    ],
)
def test_dates(tmp_path: Path, fields: str, issued: dict) -> None:
    assert item(tmp_path, f"title = {{T}}, {fields}")["issued"] == issued


def test_forthcoming_and_missing_year(tmp_path: Path) -> None:
    entry = item(tmp_path, "title = {T}, year = {forthcoming}")
    assert entry["issued"] == {"literal": "forthcoming"}
    assert entry["status"] == "forthcoming"
    assert "issued" not in item(tmp_path, "title = {T}, month = jun")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "keys", "problems"),
    [
        (
            "@article{good1, title={Fine}}\n\n@article{broken,\n  title = {An {Unclosed Title},\n"
            "  author = {Doe, Jane},\n  year = {2020},\n}\n\n@article{good2, title={Also fine}}\n",
            ["good1", "good2"],
            [
                (
                    4,
                    "unbalanced braces in entry 'broken'; check the field that starts on this "
                    "line ('title')",
                )
            ],
        ),
        (
            "@article{\n  title = {No Key},\n  year = {2020},\n}\n@misc{ok, title={OK}}\n",
            ["ok"],
            [
                (
                    1,
                    "@article entry has no citation key; add one before the first field, "
                    "e.g. '@article{key2024,'",
                )
            ],
        ),
        (
            "@article{dup,\n  title = {First},\n  title = {Second},\n}\n",
            ["dup"],
            [
                (
                    3,
                    "field 'title' appears twice in entry 'dup' (also on line 2); delete one "
                    "(pandoc uses the last one, and so do we)",
                )
            ],
        ),
        (
            "@misc{same, title={One}}\n@misc{same, title={Two}}\n",
            ["same"],
            [
                (
                    2,
                    "duplicate citation key 'same' (first on line 1); rename or delete one "
                    "(pandoc uses the last one, and so do we)",
                )
            ],
        ),
        (
            "@misc{early,\n  title = {Title}},\n  year = {2020},\n}\n@misc{next, title={N}}\n",
            ["early", "next"],
            [
                (
                    2,
                    "fields after the end of entry 'early' are ignored: an extra '}' closed "
                    "the entry early; remove it",
                )
            ],
        ),
        (
            "@misc{open,\n  title = {Title},\n\n@misc{next, title={N}}\n",
            ["next"],
            [(1, "entry 'open' is never closed; add '}' after its last field")],
        ),
        (
            "@misc{mc,\n  title = {T}\n  year = {2020},\n}\n",
            ["mc"],
            [
                (
                    2,
                    "a comma is missing after field 'title' in entry 'mc'; add one at the end of its value",
                )
            ],
        ),
        (
            "@misc{bad key, title={T}}\n",
            ["bad key"],
            [
                (
                    1,
                    "citation key 'bad key' contains ' ', which pandoc rejects; use letters, "
                    "digits and .:;?!`'()/*@_+=-[]&",
                )
            ],
        ),
    ],
)
def test_bad_input(tmp_path: Path, text: str, keys: list[str], problems: list) -> None:
    bib = load_text(tmp_path, text)
    assert sorted(bib.entries) == keys
    assert bib.problems == problems


def test_duplicate_key_uses_last_entry(tmp_path: Path) -> None:
    bib = load_text(tmp_path, "@misc{same, title={One}}\n@misc{same, title={Two}}\n")
    assert bib.entries["same"]["title"] == "Two"


def test_alias_fields_are_not_duplicates(tmp_path: Path) -> None:
    fields = "title={T}, archiveprefix = {arXiv}, eprinttype = {arxiv}, eprint = {1}"
    assert item(tmp_path, fields, "misc")["URL"] == "https://arxiv.org/abs/1"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@misc{l, title={Caf\xe9}}\n".encode("latin-1"))
    bib = load_bibtex(path, "latin1.bib")
    assert bib.problems == [
        (1, "the file is not UTF-8 (pandoc requires UTF-8); re-save it as UTF-8")
    ]
    assert "l" in bib.entries


# --------------------------------------------------------------------------- merge


def test_merge_first_wins_and_warns_once_per_key() -> None:
    a = BibFile({"x": {"id": "x", "title": "A"}, "same": {"id": "same"}}, [], "a.bib")
    b = BibFile({"x": {"id": "x", "title": "B"}, "same": {"id": "same"}}, [], "b.bib")
    c = BibFile({"x": {"id": "x", "title": "C"}, "y": {"id": "y"}}, [], "c.bib")
    merged, warnings = merge([a, b, c])
    assert merged == {"x": {"id": "x", "title": "A"}, "same": {"id": "same"}, "y": {"id": "y"}}
    assert warnings == [
        "citation key 'x' has different entries in a.bib, b.bib, c.bib; the one in a.bib "
        "is used — make them identical or rename one"
    ]


# --------------------------------------------------------------------------- cache


def test_cache_skips_the_parser_on_second_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{k, title={Cached Title}, year=2020}\n@misc{k2,\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_bibtex_cached(path, "refs.bib", cache)
    files = list((cache / "bib").glob("*.json"))
    assert len(files) == 1 and len(files[0].stem) == 64  # sha256 hex digest

    def explode(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser ran although the file was cached")

    monkeypatch.setattr(bibtex, "_parse_bytes", explode)
    second = load_bibtex_cached(path, "other/refs.bib", cache)
    assert second.entries == first.entries
    assert second.problems == first.problems
    assert second.display_path == "other/refs.bib"


def test_cache_key_is_content_not_mtime(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    cache = tmp_path / "cache"
    path.write_text("@misc{k, title={One}}\n", encoding="utf-8")
    assert load_bibtex_cached(path, "refs.bib", cache).entries["k"]["title"] == "One"
    path.write_text("@misc{k, title={Two}}\n", encoding="utf-8")
    assert load_bibtex_cached(path, "refs.bib", cache).entries["k"]["title"] == "Two"
    assert len(list((cache / "bib").glob("*.json"))) == 2


def test_no_cache_dir_parses_directly(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{k, title={One}}\n", encoding="utf-8")
    assert load_bibtex_cached(path, "refs.bib", None).entries["k"]["title"] == "One"
