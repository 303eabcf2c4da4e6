"""WeasyPrint's faster drawing (mlsysgen/writers/pdf_speedups.py): the same PDF, sooner.

Each replacement is checked against WeasyPrint's own code: the same bounding boxes to the
last bit, the same page content streams, the same pixels, the same dots."""

from __future__ import annotations

import io
import re
import zlib
from contextlib import nullcontext
from typing import Any

import pytest

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as exc:  # OSError: Pango is missing
    pytest.skip(
        f"WeasyPrint cannot be imported ({exc}); install mlsysgen[pdf]", allow_module_level=True
    )
pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDFs these tests check")

from PIL import Image  # noqa: E402
from weasyprint import HTML  # noqa: E402
from weasyprint.svg.bounding_box import bounding_box_path, extend_bounding_box  # noqa: E402

from mlsysgen.writers.pdf_speedups import (  # noqa: E402
    idat_if_plain,
    one_pass_box,
    plain_path,
    speedups,
)

PATHS = [
    "M 7.375 0 L 9.219 -7.234 L 8.188 -7.234 L 6.859 -1.359 Z M 7.375 0",
    "M10,10 l20,0 0,20 -20,0 z m5 5 h10 v10 h-10 z",
    "M0 0C1 2 3 4 5 6S7 8 9 10Q11 12 13 14T15 16",
    "m 1.5.5 -2e-1 3E1 c .1-.2.3-.4.5-.6 s 1 1 2 2 q 1 1 2 2 t 3 3 H 4 V -4",
    "M 0 0 L 1 1 2 2 3 3",
]
GLYPHS = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="120pt" height="40pt" viewBox="0 0 120 40">
<defs>
 <linearGradient id="g"><stop offset="0" stop-color="#d33"/><stop offset="1" stop-color="#33d"/></linearGradient>
 <marker id="m" markerWidth="4" markerHeight="4" refX="2" refY="2"><circle cx="2" cy="2" r="2"/></marker>
 <symbol id="a" overflow="visible"><path d="M 0 0 L 4 -8 L 8 0 Z M 2 -3 L 6 -3" stroke="none"/></symbol>
</defs>
<use xlink:href="#a" x="5" y="20"/><use xlink:href="#a" x="15" y="20"/><use xlink:href="#a" x="25" y="20"/>
<path d="M 40 5 C 60 0 80 40 100 5 Z" fill="url(#g)"/>
<path d="M 40 35 L 60 30 L 80 35" stroke="black" fill="none" marker-mid="url(#m)"/>
<path d="M 90 35 A 5 5 0 0 1 100 35" stroke="black" fill="none"/>
</svg>"""


def _pdf(html: str, faster: bool) -> Any:
    with speedups() if faster else nullcontext():
        data = HTML(string=html).render().write_pdf()
    return pypdf.PdfReader(io.BytesIO(data))


def _contents(reader: Any) -> list[bytes]:
    return [page.get_contents().get_data() for page in reader.pages]


@pytest.mark.parametrize("data", PATHS)
def test_one_pass_box_is_weasyprints_bounding_box(data: str) -> None:
    class Node:
        def get(self, key: str, default: str = "") -> str:
            return data if key == "d" else default

    class Image:
        def point(self, x: str, y: str, font_size: float) -> tuple[float, float]:
            return float(x), float(y)

    assert one_pass_box(data, extend_bounding_box) == bounding_box_path(Image(), Node(), 12)


@pytest.mark.parametrize("data", ["M 0 0 A 5 5 0 0 1 10 0", "M 0 0 L 1em 2", "M 0 0 Z 1 2"])
def test_one_pass_box_leaves_arcs_units_and_oddities_to_weasyprint(data: str) -> None:
    with pytest.raises(ValueError):
        one_pass_box(data, extend_bounding_box)


@pytest.mark.parametrize(
    "data", [p for p in PATHS if "T" not in p and "t" not in p] + ["M 0 0 Z L 5 5 Z M 1 1 H 2 Z"]
)
def test_plain_path_draws_what_weasyprint_draws(data: str) -> None:
    from collections import deque

    import pydyf
    from weasyprint.svg.path import path

    class Node:
        def __init__(self) -> None:
            self.vertices: deque[Any] = deque()

        def get(self, key: str, default: str = "") -> str:
            return data if key == "d" else default

    class Drawing:
        def __init__(self) -> None:
            self.stream = pydyf.Stream()

        def point(self, x: str, y: str, font_size: float) -> tuple[float, float]:
            return float(x), float(y)

    node, drawing = Node(), Drawing()
    path(drawing, node, 12)
    assert plain_path(data) == (drawing.stream.stream, list(node.vertices))


@pytest.mark.parametrize("data", ["M 0 0 T 5 5", "L 1 1", "M 0 0 L 1", "M 0 0 A 5 5 0 0 1 10 0"])
def test_plain_path_leaves_the_rest_to_weasyprint(data: str) -> None:
    with pytest.raises(ValueError):
        plain_path(data)


def test_paths_glyphs_gradients_markers_and_arcs_draw_the_same() -> None:
    html = f"<html><body>{GLYPHS}<p>and again</p>{GLYPHS}</body></html>"
    plain, faster = _contents(_pdf(html, False)), _contents(_pdf(html, True))
    assert faster == plain
    assert re.search(rb"/Pattern cs\s+/\w+ scn", plain[0])  # the gradient fill was drawn


def test_plain_rgb_png_keeps_its_compressed_rows(tmp_path: Any) -> None:
    image = Image.new("RGB", (40, 30))
    image.putdata([(x * 6, y * 8, (x * y) % 256) for y in range(30) for x in range(40)])
    path = tmp_path / "plain.png"
    image.save(path)
    rows = idat_if_plain(path.read_bytes())
    assert rows is not None and len(zlib.decompress(rows)) == 30 * (1 + 40 * 3)
    html = f'<html><body><img src="{path.as_uri()}"></body></html>'
    plain, faster = _pdf(html, False), _pdf(html, True)
    (before,), (after,) = plain.pages[0].images, faster.pages[0].images
    assert after.image.tobytes() == before.image.tobytes() == image.tobytes()


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGBA", {}), ("P", {}), ("I;16", {}), ("RGB", {"interlace": 1})],
)
def test_other_pngs_are_compressed_again(tmp_path: Any, mode: str, options: dict) -> None:
    path = tmp_path / "other.png"
    Image.new(mode, (8, 8)).save(path)
    data = bytearray(path.read_bytes())
    data[28] = options.get("interlace", data[28])  # Pillow writes no interlaced PNG itself
    assert idat_if_plain(bytes(data)) is None


def test_leaders_are_one_run_of_dots_at_the_same_places() -> None:
    entries = "".join(
        f'<li><a href="#c{n}">Chapter {n} title</a></li>' for n in range(1, 30)
    ) + "".join(f'<h2 id="c{n}">Chapter {n}</h2>' for n in range(1, 30))
    html = (
        "<html><style>a { display: block } a::after { content: leader(dotted) "
        f"target-counter(attr(href), page) }} h2 {{ break-before: page }}</style><body><ul>{entries}</ul></body></html>"
    )
    plain, faster = _pdf(html, False), _pdf(html, True)
    assert len(faster.pages) == len(plain.pages)
    shows = [
        len(re.findall(rb"\bTJ\b|\bTj\b", c)) for c in (_contents(plain)[0], _contents(faster)[0])
    ]
    assert shows[1] * 10 < shows[0]  # 29 runs of dots instead of thousands of dots

    def dots(reader: Any) -> list[tuple[str, int]]:
        lines = reader.pages[0].extract_text().splitlines()
        return [(re.sub(r"[ .]+", " ", line).strip(), line.count(".")) for line in lines]

    assert dots(faster) == dots(plain)


def test_speedups_are_undone_afterwards() -> None:
    import weasyprint.layout.inline as inline
    import weasyprint.svg as svg

    before = (svg.TAGS["path"], svg.SVG.draw_markers, inline.handle_leader)
    with speedups():
        assert svg.TAGS["path"] is not before[0]
    assert (svg.TAGS["path"], svg.SVG.draw_markers, inline.handle_leader) == before
