"""The link checker on tiny handmade sites."""

from __future__ import annotations

from pathlib import Path

from mlsysgen.linkcheck import BrokenLink, check_site, parse_page, resolve, scan_page


def site(root: Path, pages: dict[str, str]) -> Path:
    """Write ``pages`` (path → HTML body, or raw bytes-as-text for non-HTML files)."""
    for name, body in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
        path.write_text(text if name.endswith(".html") else body, encoding="utf-8")
    return root


def hrefs(broken: list[BrokenLink]) -> list[tuple[str, str]]:
    return [(b.page, b.href) for b in broken]


def test_good_relative_links_pass(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "index.html": '<a href="chapters/one.html">one</a> <a href="chapters/one.html#sec-a">a</a>',
        "chapters/one.html": '<h2 id="sec-a">A</h2><a href="two.html?x=1#top">two</a>',
        "chapters/two.html": '<a name="top"></a><a href="#">top</a><a href="">self</a>',
    })  # fmt: skip
    assert check_site(root) == []


def test_missing_file_is_reported(tmp_path: Path) -> None:
    root = site(tmp_path, {"chapters/one.html": '<a href="nope.html">x</a>'})
    assert check_site(root) == [
        BrokenLink("chapters/one.html", "nope.html", "no such file 'chapters/nope.html'")
    ]


def test_missing_anchor_on_other_page(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "one.html": '<a href="two.html#sec-b">b</a> <a href="two.html#sec-a">a</a>',
        "two.html": '<section id="sec-a"></section>',
    })  # fmt: skip
    assert check_site(root) == [
        BrokenLink("one.html", "two.html#sec-b", "no element with id 'sec-b'")
    ]


def test_same_page_anchor(tmp_path: Path) -> None:
    root = site(
        tmp_path, {"one.html": '<p id="here"></p><a href="#here">ok</a><a href="#gone">bad</a>'}
    )
    assert hrefs(check_site(root)) == [("one.html", "#gone")]


def test_parent_folder_paths_and_escapes(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "a/b/deep.html": '<a href="../../top.html#t">up</a> <a href="../../../outside.html">out</a>',
        "top.html": '<h1 id="t">T</h1><a href="a/./b/../b/deep.html">down</a>',
    })  # fmt: skip
    assert check_site(root) == [
        BrokenLink("a/b/deep.html", "../../../outside.html", "points outside the site")
    ]


def test_directory_links_mean_index_html(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "index.html": '<a href="guide/">g</a> <a href="guide">g</a> <a href="guide/#s">s</a> <a href="empty/">e</a>',
        "guide/index.html": '<h2 id="s">S</h2><a href="../">home</a><a href=".">here</a>',
        "empty/readme.txt": "no index here",
    })  # fmt: skip
    assert check_site(root) == [
        BrokenLink("index.html", "empty/", "no such file 'empty/index.html'")
    ]


def test_external_and_special_links_are_ignored(tmp_path: Path) -> None:
    root = site(tmp_path, {"index.html": (
        '<a href="https://example.org/x.html#y">w</a> <a href="http://e.org">h</a>'
        '<a href="mailto:a@b.c">m</a> <a href="tel:123">t</a> <a href="javascript:void(0)">j</a>'
        '<img src="data:image/png;base64,AAAA"> <script src="//cdn.example.org/x.js"></script>'
        '<link rel="canonical" href="https://example.org/">'
    )})  # fmt: skip
    assert check_site(root) == []


def test_missing_image_and_script_sources(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "chapters/one.html": '<img src="img/ok.png"><img src="img/missing.png" alt="">'
                             '<script src="../static/app.js"></script><img srcset="img/ok.png 1x, img/big.png 2x">',
        "chapters/img/ok.png": "png",
    })  # fmt: skip
    assert hrefs(check_site(root)) == [
        ("chapters/one.html", "img/missing.png"),
        ("chapters/one.html", "../static/app.js"),
        ("chapters/one.html", "img/big.png"),
    ]


def test_percent_escapes_are_decoded(tmp_path: Path) -> None:
    root = site(tmp_path, {"index.html": '<img src="my%20figure.svg"><a href="#sec%2Dx">x</a><b id="sec-x"></b>',
                           "my figure.svg": "<svg/>"})  # fmt: skip
    assert check_site(root) == []


def test_root_relative_links_under_a_base_path(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "chapters/one.html": '<link rel="stylesheet" href="/book/static/site.css">'
                             '<a href="/book/">home</a> <a href="/book/chapters/one.html#x">x</a>'
                             '<a href="/book/nope.html">n</a> <a href="/other/page.html">o</a>'
                             '<p id="x"></p>',
        "index.html": "",
        "static/site.css": "body{}",
    })  # fmt: skip
    assert check_site(root, base_path="/book/") == [
        BrokenLink("chapters/one.html", "/book/nope.html", "no such file 'nope.html'"),
        BrokenLink("chapters/one.html", "/other/page.html", "outside the base path '/book/'"),
    ]
    # served from the domain root, all five root-relative links would be missing files
    assert len(check_site(root, base_path="/")) == 5


def test_broken_link_text() -> None:
    link = BrokenLink("chapters/x.html", "y.html#z", "no element with id 'z'")
    assert str(link) == "chapters/x.html: broken link 'y.html#z': no element with id 'z'"


def test_resolve() -> None:
    assert resolve("a/b.html", "../c.html") == ("c.html", "")
    assert resolve("a/b.html", "d/") == ("a/d/index.html", "")
    assert resolve("b.html", "/", "/") == ("index.html", "")
    assert resolve("b.html", "../x.html") == (None, "points outside the site")
    assert resolve("b.html", "/x/y.html", "x") == ("y.html", "")


def test_fast_scan_agrees_with_the_full_parser() -> None:
    page = """<!doctype html><html><head><style id="st">a[href="x.html"] { }</style>
    <script src="app.js"></script><script>var s = '<a href="fake.html">'; if (a < b) {}</script></head>
    <body><!-- <a href="commented.html"> --><p title="1 > 0" id="p1">x &lt; y</p>
    <a HREF="a&amp;b.html#f&#45;1" class=x>u</a><img src='i.png' alt="it's"/><a name=anchor></a>
    <div data-id="no" aria-label="id=no">t</div><source srcset="s1.webp 1x, s2.webp 2x">
    <svg><use href="#icon"/></svg><video poster="p.jpg" src="v.mp4"></video><section id='s&quot;q'></section>"""
    full, fast = parse_page(page), scan_page(page)
    assert fast == full
    assert full.ids == {"st", "p1", "anchor", 's"q'}
    assert full.refs == ["app.js", "a&b.html#f-1", "i.png", "s1.webp", "s2.webp", "p.jpg", "v.mp4"]
