"""TikZ blocks drawn to SVG: the TeX document, log reading, SVG cleaning, the cache,
and whole builds with TeX, without TeX, and with a cache but no TeX.

Tests that run TeX skip when lualatex or pdftocairo is missing (``make tikz-deps``
installs them); the others fake "no TeX" with an empty PATH.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml

from mlsysgen.build import BuildOptions, BuildResult, build
from mlsysgen.config import load_project
from mlsysgen.diagrams import (
    DiagramStore,
    Explanation,
    MissingTool,
    clean_svg,
    explain,
    find_toolchain,
    place_svg,
    source_key,
    tex_document,
    writable,
)
from mlsysgen.diagrams.texlog import TexError, first_error
from mlsysgen.errors import BuildFailed
from mlsysgen.transforms.diagrams import render_diagrams
from mlsysgen.writers.package import Relinker

from .conftest import FIXTURES
from .helpers import SNAPSHOTS, write_book

HERE = FIXTURES / "diagrams"
HAS_TEX = bool(shutil.which("lualatex") and shutil.which("pdftocairo"))
needs_tex = pytest.mark.skipif(
    not HAS_TEX, reason="needs lualatex and pdftocairo (install them with: make tikz-deps)"
)

LINE = (
    "\\begin{tikzpicture}\n\\draw[thick,->] (0,0) -- (2,1) node[right] {$x^2$};\n\\end{tikzpicture}"
)
CIRCLE = "\\begin{tikzpicture}\n\\draw[fill=Accent] (0,0) circle (1) node {B};\n\\end{tikzpicture}"
PREAMBLE = ["\\definecolor{Accent}{RGB}{250,212,175}"]

TWO_FIGURES = f"""# Drawings {{#sec-drawings}}

::: {{#fig-line}}
```{{.tikz}}
{LINE}
```

**A Line**: where $y<2x$ & "goes" right.
:::

Between the figures.

::: {{#fig-circle}}
```{{.tikz}}
{CIRCLE}
```

A circle.
:::
"""


def _book(tmp_path: Path, text: str = TWO_FIGURES, **diagrams: object) -> Path:
    options = {"header-includes": PREAMBLE, **diagrams}
    return write_book(tmp_path / "book", {"chapter.md": text}, {"diagrams": options})


def _build(root: Path, fmt: str = "html") -> tuple[BuildResult, list[str]]:
    try:
        result = build(root, BuildOptions(formats=[fmt], out=root / "_site", cache=False))
    except BuildFailed as exc:
        result = exc.result  # type: ignore[assignment]
    assert isinstance(result, BuildResult)
    messages = [str(d).replace(f"{root}/", "") for d in result.diagnostics.items]
    return result, messages


def _page(root: Path) -> str:
    return (root / "_site" / "chapter.html").read_text(encoding="utf-8")


def _no_tex(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


def _seed_cache(root: Path, code: str) -> Path:
    """A cache entry for ``code`` as another machine's TeX would have left it."""
    key = source_key(tex_document(code, tuple(PREAMBLE)))
    entry = root / "_diagrams" / f"{key}-0ther7ex.svg"
    entry.parent.mkdir(parents=True, exist_ok=True)
    clean = (HERE / "pdftocairo-clean.svg").read_text(encoding="utf-8")
    entry.write_text(f"<!-- drawn elsewhere -->\n{clean}", encoding="utf-8")
    return entry


# ---- the TeX document and its log ---------------------------------------------------------------
def test_document_is_quartos_and_maps_its_lines_back() -> None:
    doc = tex_document("\\begin{tikzpicture}\n\\draw (0,0);\n\\end{tikzpicture}\n",
                       ("\\usepackage{amsmath}", "\\usetikzlibrary{calc}\n\\usetikzlibrary{fit}"))  # fmt: skip
    assert doc.text.split("\n") == [
        "\\documentclass{standalone}",
        "\\usepackage{tikz}",
        "\\usepackage{amsmath}",
        "\\usetikzlibrary{calc}",
        "\\usetikzlibrary{fit}",
        "\\begin{document}",
        "\\begin{tikzpicture}",
        "\\draw (0,0);",
        "\\end{tikzpicture}",
        "\\end{document}",
        "",
    ]
    assert [(p.part, p.line) for p in map(doc.place, range(1, 11))] == [
        ("template", 1), ("template", 2), ("preamble", 1), ("preamble", 2), ("preamble", 2),
        ("template", 6), ("code", 1), ("code", 2), ("code", 3), ("template", 10),
    ]  # fmt: skip
    assert doc.place(8).text == "\\draw (0,0);"
    assert doc.loads("amsmath.sty") == "\\usepackage{amsmath}"
    assert doc.loads("tikzlibraryfit.code.tex") is None


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("undefined-control-sequence", TexError(
            "Undefined control sequence.", "./diagram.tex", 7, "\\draw \\foo", "(0,0) -- (1,1);")),
        ("unknown-key", TexError(
            "Package pgfkeys Error: I do not know the key '/tikz/colour', to which you passed "
            "'red', and I am going to ignore it. Perhaps you misspelled it.",
            "./diagram.tex", 5, "\\draw[colour=red]", "(0,0) -- (1,1);")),
        ("missing-package", TexError(
            "LaTeX Error: File `no-such-package.sty' not found.", "", None, "\\begin",
            "{document}")),
        ("unbalanced", TexError(
            "Missing } inserted.", "./diagram.tex", 7, "\\end{document}", "")),
    ],
)  # fmt: skip
def test_first_error_of_real_logs(log: str, expected: TexError) -> None:
    text = (HERE / f"{log}.log").read_text(encoding="utf-8")
    assert first_error(text) == expected


# The blocks (and preambles) whose compilation wrote the logs in tests/fixtures/diagrams/.
LOGGED = {
    "undefined-control-sequence": (
        "\\begin{tikzpicture}\n\\draw (0,0) -- (1,0);\n\\draw \\foo (0,0) -- (1,1);\n"
        "\\end{tikzpicture}", ("\\usetikzlibrary{arrows.meta}",)),
    "unknown-key": (
        "\\begin{tikzpicture}\n\\draw[colour=red] (0,0) -- (1,1);\n\\end{tikzpicture}", ()),
    "missing-package": (
        "\\begin{tikzpicture}\n\\draw (0,0) -- (1,1);\n\\end{tikzpicture}",
        ("\\usepackage{amsmath}", "\\usepackage{no-such-package}")),
    "unbalanced": ("\\begin{tikzpicture}\n\\draw (0,0) -- (1,1);\n\\node at (0,0) {open", ()),
}  # fmt: skip


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("undefined-control-sequence", Explanation(
            "! Undefined control sequence.", "code", 3, "\\draw \\foo")),
        ("unknown-key", Explanation(
            "! Package pgfkeys Error: I do not know the key '/tikz/colour', to which you passed "
            "'red', and I am going to ignore it. Perhaps you misspelled it.", "code", 2,
            "\\draw[colour=red]")),
        ("missing-package", Explanation(
            "! LaTeX Error: File `no-such-package.sty' not found.", "preamble",
            entry="\\usepackage{no-such-package}")),
        ("unbalanced", Explanation("! Missing } inserted.", "code")),
    ],
)  # fmt: skip
def test_errors_are_placed_in_the_block_or_the_preamble(log: str, expected: Explanation) -> None:
    code, preamble = LOGGED[log]
    error = first_error((HERE / f"{log}.log").read_text(encoding="utf-8"))
    assert error is not None
    assert explain(tex_document(code, preamble), error) == expected


def test_errors_in_packages_are_the_installations() -> None:
    doc = tex_document("\\tikz \\draw (0,0);", ())
    cls = "/usr/share/texlive/texmf-dist/tex/latex/standalone/standalone.cls"
    missing = TexError("LaTeX Error: File `luatex85.sty' not found.", cls, 530)
    assert explain(doc, missing) == Explanation(
        "! LaTeX Error: File `luatex85.sty' not found.", "setup"
    )
    broken = TexError("Undefined control sequence.", cls, 12)
    assert explain(doc, broken) == Explanation(
        "! Undefined control sequence.", "setup", where=f"{cls}, line 12"
    )


def test_log_without_errors() -> None:
    assert first_error("This is LuaHBTeX\nOutput written on diagram.pdf (1 page).\n") is None


# ---- SVG cleaning and placing -------------------------------------------------------------------
def test_clean_svg_golden() -> None:
    """pdftocairo's output (256-stop gradient, 6-decimal numbers, XML prolog) → the
    compact, prolog-free form the cache holds."""
    raw = (HERE / "pdftocairo-raw.svg").read_text(encoding="utf-8")
    golden = HERE / "pdftocairo-clean.svg"
    clean = clean_svg(raw)
    if SNAPSHOTS:
        golden.write_text(clean, encoding="utf-8")
    assert clean == golden.read_text(encoding="utf-8")
    assert len(clean) < len(raw) / 5
    assert clean_svg(clean) == clean  # cleaning again changes nothing
    assert raw.startswith("<?xml") and not clean.startswith("<?xml")


def test_clean_svg_drops_prolog_doctype_comments_scripts_and_control_characters() -> None:
    raw = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n'
        '<!-- made by a tool --><svg xmlns="http://www.w3.org/2000/svg" version="1.2" '
        'viewBox="0 0 10 10"><script>alert(1)</script><text x="1.0000004" y="2">a\x01b\x7f'
        "</text></svg>"
    )
    assert clean_svg(raw) == (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10"><text x="1" y="2">ab</text></svg>\n'
    )


def test_place_svg_prefixes_every_id_and_reference_and_names_the_drawing() -> None:
    clean = (HERE / "pdftocairo-clean.svg").read_text(encoding="utf-8")
    placed = place_svg(clean, "fig-x-", 'A <b> & "c"')
    assert placed.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="56.693pt" height="43.628pt" viewBox="0 0 56.693 43.628" class="diagram" '
        'role="img" aria-label="A &lt;b&gt; &amp; &quot;c&quot;"><title>A &lt;b&gt; &amp; '
        "&quot;c&quot;</title><defs>"
    )
    ids = re.findall(r'\sid="([^"]+)"', placed)
    refs = re.findall(r'(?:href="#|url\(#)([^")]+)', placed)
    assert ids and refs
    assert all(i.startswith("fig-x-") for i in ids)
    assert set(refs) <= set(ids)
    ET.fromstring(placed)  # still well-formed XML


def test_gradients_keep_their_hard_steps_when_thinned() -> None:
    stops = "".join(
        f'<stop offset="{o}" style="stop-color:rgb({c}%,0%,0%);stop-opacity:{a};"/>'
        for o, c, a in [("0", 0, 0), ("0", 10, 1), ("0.25", 20, 1), ("0.5", 30, 1),
                        ("0.75", 90, 1), ("1", 100, 1)]
    )  # fmt: skip
    raw = f'<svg xmlns="http://www.w3.org/2000/svg"><linearGradient id="g">{stops}</linearGradient></svg>'
    offsets = re.findall(r'offset="([^"]+)"', clean_svg(raw))
    # 0.25 lies on the blend of 0 → 0.5; 0.75 does not. Both stops at offset 0 stay.
    assert offsets == ["0", "0", "0.5", "0.75", "1"]


def test_packaging_renames_svg_references_with_their_ids() -> None:
    """The PDF joins all pages into one document and renames ids; ``url(#…)`` references
    (gradients, clip paths) must follow, or shadings vanish from the PDF."""
    relinker = Relinker({"a.html"}, lambda page, anchor: f"#p--{anchor}",
                        lambda page, ident: f"p--{ident}", lambda asset: asset)  # fmt: skip
    svg = (
        '<svg><clipPath id="f-clip1"/><g clip-path="url(#f-clip1)"><path fill="url(#f-g0)"/>'
        '<use xlink:href="#f-glyph0-1"/></g></svg>'
    )
    assert relinker.rewrite(svg, "a.html") == (
        '<svg><clipPath id="p--f-clip1"/><g clip-path="url(#p--f-clip1)"><path '
        'fill="url(#p--f-g0)"/><use xlink:href="#p--f-glyph0-1"/></g></svg>'
    )


# ---- the cache and the tools --------------------------------------------------------------------
def test_store_prefers_the_exact_tools_and_falls_back_to_any(tmp_path: Path) -> None:
    store = DiagramStore([tmp_path / "a", tmp_path / "b"], tmp_path / "b")
    assert store.put("k1", "t1", "lualatex (1.0) and pdftocairo (2.0)", "<svg>one</svg>")
    entry = tmp_path / "b" / "k1-t1.svg"
    assert entry.read_text(encoding="utf-8") == (
        "<!-- TikZ diagram drawn by lualatex (1.0) and pdftocairo (2.0) (mlsysgen svg 2) -->\n"
        "<svg>one</svg>"
    )
    fresh = DiagramStore([tmp_path / "a", tmp_path / "b"], None)
    assert fresh.get("k1", "t1") == "<svg>one</svg>"
    assert fresh.get("k1", "t2") is None  # other tools: draw again when TeX is here
    assert fresh.get("k1", None) == "<svg>one</svg>"  # no TeX: any drawing will do
    assert fresh.get("k2", None) is None
    assert fresh.put("k3", "t1", "x", "<svg/>") is None


def test_without_tex_an_entry_cleaned_by_an_older_version_is_cleaned_again(
    tmp_path: Path,
) -> None:
    old = '<!-- drawn by x (mlsysgen) -->\n<svg xmlns="http://www.w3.org/2000/svg"><path style="fill:red"/></svg>'
    (tmp_path / "k-old00000.svg").write_text(old, encoding="utf-8")
    store = DiagramStore([tmp_path], None)
    assert store.get("k", None) == (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<path fill="red"/></svg>\n'
    )
    assert store.get("k", "old00000") == old.partition("\n")[2]  # with TeX: as it is


def test_writable_follows_mode_bits(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    assert writable(folder / "_diagrams")
    folder.chmod(0o555)
    try:
        assert not writable(folder / "_diagrams")
    finally:
        folder.chmod(0o755)


def test_missing_tools_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_tex(monkeypatch, tmp_path)
    with pytest.raises(MissingTool) as exc:
        find_toolchain()
    assert str(exc.value) == "no TeX engine found (lualatex, pdflatex or xelatex)"
    with pytest.raises(MissingTool) as exc:
        find_toolchain("tectonic")
    assert str(exc.value) == "no TeX engine found (tectonic, lualatex, pdflatex or xelatex)"


# ---- configuration ------------------------------------------------------------------------------
def test_quarto_diagram_key_is_translated(tmp_path: Path) -> None:
    config = {
        "project": {"type": "book"},
        "book": {"title": "Q", "chapters": ["index.qmd"]},
        "diagram": {"engine": {"dot": False, "tikz": {
            "execpath": "pdflatex", "output-format": "svg",
            "header-includes": ["\\usepackage{amsmath}", "\\usetikzlibrary{calc}"],
            "additional-packages": "\\usepackage{xcolor}"}}},
    }  # fmt: skip
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "index.qmd").write_text("# Q\n", encoding="utf-8")
    project = load_project(tmp_path)
    diagrams = project.config.diagrams
    assert diagrams.engine == "pdflatex"
    assert diagrams.header_includes == [
        "\\usepackage{amsmath}", "\\usetikzlibrary{calc}", "\\usepackage{xcolor}",
    ]  # fmt: skip
    assert not any("diagram" in note for note in project.notes)
    config["diagram"] = {"engine": {"tikz": False}}
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert load_project(tmp_path).config.diagrams.tikz is False


# ---- whole builds -------------------------------------------------------------------------------
def test_no_tex_and_no_cache_gives_placeholders_and_one_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_tex(monkeypatch, tmp_path)
    root = _book(tmp_path)
    _, messages = _build(root)
    assert messages == [
        "chapter.md:4: warning: 2 TikZ diagrams shown as placeholders: no TeX engine found "
        "(lualatex, pdflatex or xelatex) and no drawing cached in _diagrams/; install TeX "
        "(make tikz-deps), or build once where it is installed and commit _diagrams/"
    ]
    page = _page(root)
    assert page.count('<div class="figure-placeholder">') == 2
    assert "TikZ diagram not rendered" in page and "\\draw[thick,-&gt;]" in page
    assert 'class="diagram"' not in page


def test_cache_alone_draws_the_book_and_ids_stay_unique_on_a_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No TeX on PATH, drawings left by another machine: the same book, no warnings."""
    _no_tex(monkeypatch, tmp_path)
    root = _book(tmp_path)
    _seed_cache(root, LINE)
    _seed_cache(root, CIRCLE)
    result, messages = _build(root)
    assert messages == []
    assert result.contexts["html"].data["diagrams"]["drawn"] == 0
    page = _page(root)
    assert "figure-placeholder" not in page
    assert "tikzpicture" not in (root / "_site" / "search.json").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg [^>]*class=\"diagram\".*?</svg>", page, re.DOTALL)
    assert len(svgs) == 2
    label = "A Line: where y&lt;2x &amp; “goes” right."  # plain text of the caption, escaped
    assert f'role="img" aria-label="{label}"><title>{label}</title>' in svgs[0]
    assert "<title>A circle.</title>" in svgs[1]
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids on the page"
    drawing_ids = [re.findall(r'\sid="([^"]+)"', svg) for svg in svgs]
    assert all(i.startswith("fig-line-") for i in drawing_ids[0])
    assert all(i.startswith("fig-circle-") for i in drawing_ids[1])
    for svg, own in zip(svgs, drawing_ids, strict=True):
        refs = re.findall(r'(?:href="#|url\(#)([^")]+)', svg)
        assert refs and set(refs) <= set(own), "a reference leaves its own drawing"


def test_blocks_outside_figures_get_their_own_prefix_and_a_generic_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_tex(monkeypatch, tmp_path)
    text = f"# Loose\n\n```{{.tikz}}\n{LINE}\n```\n\nText.\n\n```{{.tikz}}\n{LINE}\n```\n"
    root = _book(tmp_path, text)
    _seed_cache(root, LINE)
    _, messages = _build(root)
    assert messages == []
    page = _page(root)
    heads = re.findall(r'<svg [^>]*class="diagram"[^>]*><title>[^<]*</title><defs><g><symbol '
                       r'overflow="visible" id="([^"]+)"', page)  # fmt: skip
    assert heads == ["tikz-chapter-glyph0-0", "tikz-chapter-2-glyph0-0"]
    assert page.count('role="img" aria-label="Diagram"><title>Diagram</title>') == 2


def test_running_the_pass_again_keeps_what_it_placed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A long-running session (the preview server) re-runs book passes on every build."""
    _no_tex(monkeypatch, tmp_path)
    root = _book(tmp_path)
    _seed_cache(root, LINE)
    result = build(root, BuildOptions(formats=["html"], write=False, cache=False))
    book, ctx = result.books["html"], result.contexts["html"]
    fences = [t for t in book.chapters[0].tokens if t.type == "fence"]
    before = [t.meta.get("diagram") for t in fences]
    assert before[0] is not None and before[1] is None  # only LINE is cached
    render_diagrams(book, ctx)
    assert [t.meta.get("diagram") for t in fences] == before
    (root / "_diagrams").rename(root / "gone")
    render_diagrams(book, ctx)
    assert [t.meta.get("diagram") for t in fences] == [None, None]


def test_turned_off_gives_one_warning(tmp_path: Path) -> None:
    root = _book(tmp_path, tikz=False)
    _, messages = _build(root)
    assert messages == [
        "chapter.md:4: warning: 2 TikZ diagrams shown as placeholders: drawing is turned off "
        "(diagrams: tikz: false); remove that setting to draw them"
    ]


def test_epub_declares_svg_for_chapters_with_drawings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_tex(monkeypatch, tmp_path)
    root = _book(tmp_path)
    _seed_cache(root, LINE)
    _seed_cache(root, CIRCLE)
    _, messages = _build(root, "epub")
    assert messages == []
    epub = next((root / "_site").glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        manifest = z.read(opf).decode()
        chapter = next(n for n in z.namelist() if n.endswith("chapter.xhtml"))
        xhtml = z.read(chapter).decode()
    item = re.search(r'<item [^>]*href="[^"]*chapter\.xhtml"[^>]*/>', manifest)
    assert item and re.search(r'properties="[^"]*\bsvg\b', item[0])
    tree = ET.fromstring(xhtml)  # well-formed XHTML
    svgs = tree.findall(".//{http://www.w3.org/2000/svg}svg")
    assert len(svgs) == 2
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


@needs_tex
def test_draws_with_tex_then_builds_from_the_cache_without_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _book(tmp_path)
    first, messages = _build(root)
    assert messages == []
    assert first.contexts["html"].data["diagrams"] | {"seconds": 0} == {
        "blocks": 2, "unique": 2, "drawn": 2, "failed": 0, "seconds": 0}  # fmt: skip
    entries = sorted((root / "_diagrams").glob("*.svg"))
    assert len(entries) == 2
    assert (
        entries[0]
        .read_text(encoding="utf-8")
        .startswith("<!-- TikZ diagram drawn by lualatex (This is LuaHBTeX")
    )
    page = _page(root)
    assert page.count('class="diagram" role="img"') == 2
    # Again with TeX: nothing is drawn. Then without TeX on PATH: the very same page.
    again, _ = _build(root)
    assert again.contexts["html"].data["diagrams"]["drawn"] == 0
    _no_tex(monkeypatch, tmp_path)
    cached, messages = _build(root)
    assert messages == []
    assert cached.contexts["html"].data["diagrams"]["drawn"] == 0
    assert _page(root) == page


@needs_tex
def test_a_compile_error_names_the_line_and_what_tex_said(tmp_path: Path) -> None:
    text = TWO_FIGURES.replace("\\draw[fill=Accent]", "\\draw \\nosuchmacro[fill=Accent]")
    root = _book(tmp_path, text)
    result, messages = _build(root)
    assert messages == [
        "chapter.md:16: error: TikZ diagram 'fig-circle' does not compile (lualatex): "
        '! Undefined control sequence. at line 18, after "\\draw \\nosuchmacro"; fix the '
        "TikZ code there"
    ]
    assert result.diagnostics.errors


@needs_tex
def test_a_broken_preamble_is_one_error_not_one_per_diagram(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", {"chapter.md": TWO_FIGURES},
                      {"diagrams": {"header-includes": [*PREAMBLE, "\\usepackage{no-such-pkg}"]}})  # fmt: skip
    _, messages = _build(root)
    assert messages == [
        "chapter.md:4: error: the TikZ preamble does not compile (lualatex): ! LaTeX Error: "
        'File `no-such-pkg.sty\' not found. in "\\usepackage{no-such-pkg}"; install the TeX '
        "package it needs (make tikz-deps) or fix diagrams.header-includes (2 TikZ diagrams "
        "not drawn)"
    ]


@needs_tex
def test_a_diagram_that_never_finishes_times_out(tmp_path: Path) -> None:
    looping = TWO_FIGURES.split("Between the figures.")[1].replace(
        "\\draw[fill=Accent]", "\\def\\loop{\\loop}\\loop\\draw[fill=Accent]"
    )
    root = _book(tmp_path, f"# Loop\n{looping}", timeout=3)
    _, messages = _build(root)
    assert messages == [
        "chapter.md:5: error: TikZ diagram 'fig-circle' did not compile within 3 s "
        "(lualatex); simplify it or raise diagrams.timeout"
    ]


@needs_tex
def test_read_only_project_caches_in_the_build_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _book(tmp_path, TWO_FIGURES.split("Between the figures.")[0])
    monkeypatch.setenv("MLSYSGEN_CACHE_DIR", str(tmp_path / "user-cache"))
    root.chmod(0o555)
    try:
        result = build(root, BuildOptions(formats=["html"], out=tmp_path / "site"))
    finally:
        root.chmod(0o755)
    assert not (root / "_diagrams").exists()
    assert len(list((tmp_path / "user-cache").glob("*/diagrams/*.svg"))) == 1
    assert result.contexts["html"].data["diagrams"]["drawn"] == 1


def test_a_tools_version_is_asked_once_per_content_of_its_executable(tmp_path: Path) -> None:
    """Starting TeX to read its version cost 80 ms of every build with diagrams: the
    version is kept in the build cache by the executable's content hash."""
    from mlsysgen.diagrams import engines

    bin_dir, cache, log = tmp_path / "bin", tmp_path / "cache", tmp_path / "asked"
    bin_dir.mkdir()
    engine, converter = bin_dir / "lualatex", bin_dir / "dvisvgm"
    for tool, version in ((engine, "LuaHBTeX 1.15"), (converter, "dvisvgm 3.0")):
        tool.write_text(f"#!/bin/sh\necho {tool.name} >> {log}\necho '{version}'\n")
        tool.chmod(0o755)

    def find() -> str:
        engines._tool.cache_clear()  # a new process
        return engines.find_toolchain(str(engine), str(converter), cache).fingerprint

    assert find() == "lualatex (LuaHBTeX 1.15) and dvisvgm (dvisvgm 3.0)"
    assert find() == "lualatex (LuaHBTeX 1.15) and dvisvgm (dvisvgm 3.0)"
    assert log.read_text().split() == ["lualatex", "dvisvgm"]
    engine.write_text(engine.read_text().replace("1.15", "1.16"))
    assert find() == "lualatex (LuaHBTeX 1.16) and dvisvgm (dvisvgm 3.0)"
    assert log.read_text().split() == ["lualatex", "dvisvgm", "lualatex"]
