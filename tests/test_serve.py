"""The preview server, driven over HTTP on 127.0.0.1: edits reload pages, broken edits
show an overlay and keep the server alive, traversal is refused, and after any sequence of
edits the served site equals a clean build."""

from __future__ import annotations

import filecmp
import http.client
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mlsysgen.build import BuildOptions, build
from mlsysgen.serve import Preview, resolve_request, serve

from .helpers import write_book

INTRO = """# Introduction {#sec-intro}

See @fig-pipeline for the pipeline and @sec-later for more.

::: {#fig-pipeline}
![A pipeline](pipe.svg)

The pipeline.
:::
"""

LATER = """# Later {#sec-later}

## Details {#sec-details}

Back to @sec-intro.
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@dataclass
class Running:
    root: Path
    preview: Preview
    url: str

    def get(self, path: str) -> tuple[int, str]:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", path)  # sent as written: no client-side normalisation
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, body

    def edit(self, name: str, text: str) -> None:
        """Write a file and wait until the server has rebuilt after it."""
        before = self.preview.generation
        (self.root / name).write_text(text, encoding="utf-8")
        deadline = time.monotonic() + 20
        while self.preview.generation == before:
            assert time.monotonic() < deadline, "no rebuild within 20 s of an edit"
            time.sleep(0.02)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    root = write_book(tmp_path / "book", {"intro.md": INTRO, "later.md": LATER, "pipe.svg": SVG})
    preview = Preview(root, tmp_path / "preview", stream=None)
    ready = threading.Event()
    urls: list[str] = []
    stop = threading.Event()

    def on_ready(url: str) -> None:
        urls.append(url)
        ready.set()

    thread = threading.Thread(
        target=serve, args=(preview,), kwargs={"port": 0, "interval": 0.05, "ready": on_ready,
                                               "stop": stop}, daemon=True)  # fmt: skip
    thread.start()
    assert ready.wait(30), "the server did not start"
    yield Running(root, preview, urls[0])
    stop.set()
    thread.join(10)


def test_serves_the_built_site_with_the_reload_script(running: Running) -> None:
    status, body = running.get("/intro.html")
    assert status == 200
    assert "Figure&nbsp;1" in body
    assert '<script src="/__mlsysgen/reload.js"></script></body>' in body
    status, script = running.get("/__mlsysgen/reload.js")
    assert status == 200 and "EventSource" in script


def test_an_edit_changes_the_page_and_sends_a_reload_event(running: Running) -> None:
    parts = urlsplit(running.url)
    events = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    events.request("GET", "/__mlsysgen/events")
    stream = events.getresponse()
    first = stream.fp.readline().decode()
    assert first.startswith("data: ")
    stream.fp.readline()
    running.edit("later.md", LATER.replace("## Details", "## Particulars"))
    second = stream.fp.readline().decode()
    assert second.startswith("data: ") and second != first
    events.close()
    assert "Particulars" in running.get("/later.html")[1]


def test_a_broken_edit_shows_the_error_overlay_and_a_fix_clears_it(running: Running) -> None:
    running.edit("later.md", LATER + "\n::: {.callout-note}\nNever closed.\n")
    status, body = running.get("/later.html")
    assert status == 200
    assert 'id="mlsysgen-error-overlay"' in body
    assert (
        "later.md:7: error: fenced div opened here is never closed; "
        "add a &#x27;:::&#x27; line where it ends</code>"
    ) in body
    assert "Details" in body  # the last good build is still served underneath
    running.edit("later.md", LATER)
    assert 'id="mlsysgen-error-overlay"' not in running.get("/later.html")[1]


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/static/..%2f..%2fsecret.txt",
     "/..%5csecret.txt", "//etc/passwd", "/intro.html%00.txt"],
)
def test_paths_outside_the_output_folder_are_refused(running: Running, path: str) -> None:
    (running.root.parent / "secret.txt").write_text("do not serve", encoding="utf-8")
    status, body = running.get(path)
    assert status == 404
    assert "do not serve" not in body


def test_resolve_request_stays_inside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text("x")
    assert resolve_request(out, "/a/") == (out / "a" / "index.html").resolve()
    assert resolve_request(out, "/a/%2e%2e/%2e%2e/x") is None
    (tmp_path / "secret.txt").write_text("x")
    (out / "link").symlink_to(tmp_path)
    assert resolve_request(out, "/link/secret.txt") is None


def test_concurrent_requests_during_rebuilds_get_complete_pages(running: Running) -> None:
    failures: list[str] = []
    done = threading.Event()

    def client() -> None:
        for _ in range(60):
            status, body = running.get("/intro.html")
            if status != 200 or not body.rstrip().endswith("</html>"):
                failures.append(f"{status}: {body[-80:]!r}")
        done.set()

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(4):
        running.edit("intro.md", INTRO + f"\nEdit number {n}.\n")
    for t in threads:
        t.join(60)
    assert failures == []


def test_after_random_edits_the_served_site_equals_a_clean_build(
    running: Running, tmp_path: Path
) -> None:
    rng = random.Random(7)
    texts = {"intro.md": INTRO, "later.md": LATER}
    edits = [
        lambda t: t + "\nA new paragraph.\n",
        lambda t: t.replace("# ", "# Renamed ", 1),
        lambda t: t + "\n::: {#fig-extra}\n![Extra](pipe.svg)\n\nExtra figure.\n:::\n",
        lambda t: t + "\nSee @fig-pipeline again.\n",
        lambda t: t + "\n## Another section {#sec-another-" + str(rng.randrange(10**6)) + "}\n",
        lambda t: t.replace("A new paragraph.", ""),
    ]
    for _ in range(10):
        name = rng.choice(sorted(texts))
        new = rng.choice(edits)(texts[name])
        if new != texts[name]:
            texts[name] = new
            running.edit(name, new)
    assert running.preview.errors == []
    clean = tmp_path / "clean"
    build(running.root, BuildOptions(formats=["html"], out=clean, cache=False))
    served = running.preview.out
    assert _tree(served) == _tree(clean)
    mismatch, errors = filecmp.cmpfiles(served, clean, _tree(clean), shallow=False)[1:]
    assert (mismatch, errors) == ([], [])


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
