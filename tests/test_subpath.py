"""The sample book served from a sub-path (``https://user.github.io/repo/``) has no broken link.

The built site is served over HTTP under ``/repo/`` by a handler that behaves like GitHub
Pages (anything outside the prefix, or missing, is a 404 with the site's ``404.html``), and
crawled from its front page: every ``href``/``src``, CSS ``url()``, the search index that
``static/mlsysgen.js`` fetches (``data-root`` + ``search.json``), every search result link
it builds (``data-root`` + the record's ``href``), the lab files its lab script fetches, and
the ``#fragment`` of every internal link.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
import yaml

from mlsysgen.build import BuildOptions, build
from mlsysgen.linkcheck import parse_page

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "/repo/"
PUBLIC = "https://user.github.io/repo/"
START = "(start)"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")
_DATA_ROOT = re.compile(r'<body\b[^>]*?\sdata-root="([^"]*)"')


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves the site folder under PREFIX only; a missing file gets 404.html, as on Pages."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        target = self._file(path)
        if target is None:
            self._not_found()
            return
        self.path = "/" + target.relative_to(Path(self.directory)).as_posix()
        super().do_GET()

    def _file(self, path: str) -> Path | None:
        if not path.startswith(PREFIX):
            return None
        site = Path(self.directory).resolve()
        target = (site / path[len(PREFIX) :]).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(site) or not target.is_file():
            return None
        return target

    def _not_found(self) -> None:
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(site)`` → the site's URL under PREFIX on 127.0.0.1; stopped after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(site: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class Crawl:
    """Fetched documents, the anchors of each HTML page, and every broken reference."""

    base: str
    public: str = ""
    """The site's configured URL: absolute links under it are checked on the local server."""
    ids: dict[str, set[str]] = field(default_factory=dict)
    fragments: list[tuple[str, str]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    records: dict[str, list[str]] = field(default_factory=dict)

    def run(self, *starts: str) -> None:
        queue = [(url, START) for url in starts]
        while queue:
            url, referrer = queue.pop()
            url, fragment = urldefrag(url)
            if fragment:
                self.fragments.append((url, fragment))
            if url in self.seen:
                continue
            self.seen.add(url)
            for ref in self.fetch(url, referrer):
                queue.append((ref, url))
        for url, fragment in self.fragments:
            if url in self.ids and unquote(fragment) not in self.ids[url]:
                self.broken.append(f"{url}#{fragment}: no element with this id")

    def fetch(self, url: str, referrer: str) -> list[str]:
        try:
            with urlopen(url, timeout=10) as response:
                data, kind = response.read(), response.headers.get_content_type()
        except HTTPError as exc:
            self.broken.append(f"{url} (linked from {referrer}): HTTP {exc.code}")
            if referrer != START:
                return []
            data, kind = exc.read(), exc.headers.get_content_type()  # Pages' 404.html
        return self.references(url, data, kind)

    def references(self, url: str, data: bytes, kind: str) -> list[str]:
        if kind == "text/html":
            return self.page_references(url, data.decode("utf-8"))
        if kind == "text/css":
            refs = [m.group(2) for m in _CSS_URL.finditer(data.decode("utf-8"))]
            return [self.local(url, r) for r in refs if not r.startswith("data:")]
        return []

    def page_references(self, url: str, text: str) -> list[str]:
        page = parse_page(text)
        self.ids[url] = page.ids
        refs = [self.local(url, r) for r in page.refs]
        # static/mlsysgen.js: fetch(searchRoot() + "search.json"), results at root + href.
        data_root = html.unescape(_DATA_ROOT.search(text).group(1))  # type: ignore[union-attr]
        root = urljoin(url, data_root + "search.json").removesuffix("search.json")
        if root != self.base:
            self.broken.append(f"{url}: data-root resolves to {root}, not to the site root")
        refs.append(root + "search.json")
        refs += [self.local(root, href) for href in self.search_hrefs(root)]
        refs += [root + f for f in lab_files(text)]
        origin = urlsplit(self.base)[:2]
        return [r for r in refs if urlsplit(r)[:2] == origin]  # other hosts: not ours to check

    def search_hrefs(self, root: str) -> list[str]:
        if root not in self.records:
            try:
                with urlopen(root + "search.json", timeout=10) as response:
                    self.records[root] = [d["href"] for d in json.load(response)["docs"]]
            except HTTPError:
                self.records[root] = []  # reported when the crawl reaches search.json
        return self.records[root]

    def local(self, url: str, ref: str) -> str:
        """``ref`` seen from ``url``; the public address of the site maps to the local one."""
        if self.public and ref.startswith(self.public):
            return self.base + ref[len(self.public) :]
        return urljoin(url, ref)


def lab_files(page: str) -> list[str]:
    """Files static/labs/labs.js and its workers fetch from the site root (``data-root``):
    for TinyTorch labs the worker and the TinyTorch package; for MicroPython labs the
    worker, the wasm port (the ``.mjs`` loads the ``.wasm`` beside itself) and each board's
    mock modules."""
    files = []
    if 'data-lab="tinytorch"' in page:
        files += ["static/labs/worker-pyodide.js", "static/labs/tinytorch.zip"]
    if 'data-lab="micropython"' in page:
        files += ["static/labs/worker-micropython.js", "static/labs/micropython/micropython.mjs",
                  "static/labs/micropython/micropython.wasm"]  # fmt: skip
        files += [f"static/labs/boards/{b}.json" for b in re.findall(r'data-board="([^"]+)"', page)]
    return files


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _build(project: Path, out: Path) -> Path:
    build(project, BuildOptions(formats=["html"], out=out, cache=False))
    return out


def test_sample_book_under_a_sub_path_has_no_broken_link(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    site = _build(ROOT / "content", tmp_path / "site")
    base = serve(site)
    crawl = Crawl(base)
    # 404.html links from the configured site URL, which this book leaves empty: see below.
    crawl.run(base, *(base + p for p in _pages(site) if p != "404.html"))
    assert crawl.broken == []
    assert base + "search.json" in crawl.seen
    assert base + "static/mlsysgen.css" in crawl.seen
    # The sample book's labs chapter: the files the lab scripts fetch were reached too.
    assert base + "static/labs/tinytorch.zip" in crawl.seen
    assert base + "static/labs/boards/pico.json" in crawl.seen
    assert len([u for u in crawl.seen if u.endswith(".html")]) == len(_pages(site)) - 1


def test_the_404_page_works_at_any_depth_when_site_url_names_the_sub_path(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    project = _copy_sample_book(tmp_path, {"site-url": PUBLIC})
    site = _build(project, tmp_path / "site")
    base = serve(site)
    crawl = Crawl(base, public=PUBLIC)
    missing = base + "foundations/no/such/page.html"
    crawl.run(base, *(base + p for p in _pages(site)), base + "sitemap.xml")
    assert crawl.broken == []
    # The 404 page as Pages shows it, deep below the site: its links still resolve.
    deep = Crawl(base, public=PUBLIC)
    deep.run(missing)
    assert deep.broken == [f"{missing} (linked from {START}): HTTP 404"]
    assert base + "static/mlsysgen.css" in deep.seen
    assert base + "search.json" in deep.seen


def _copy_sample_book(tmp_path: Path, overrides: dict[str, str]) -> Path:
    """The sample book beside the folders its config points into, with config overrides."""
    for name in ("content", "bibliography", "labs"):
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns(".mlsysgen", "_site")
            )
    config = tmp_path / "content" / "book.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    config.write_text(yaml.safe_dump({**data, **overrides}, sort_keys=False), encoding="utf-8")
    return tmp_path / "content"
