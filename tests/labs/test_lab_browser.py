"""The labs' in-browser Run (labs.js and its workers) in headless Chromium.

A small book with the labs plugin is built once (MicroPython labs on the project's own
mocks in ``labs/micropython``, TinyTorch labs on ``labs/tinytorch``) and served on
127.0.0.1 together with a dev-only copy of npm ``pyodide`` (``make test`` fetches it into
``.cache/pyodide/``) as the book's ``labs.pyodide_url``. Every request to another host is
refused, so the tests show what a reader without a network gets:

- MicroPython runs fully offline: output, an ImportError in red, the Nicla camera loop's
  frame budget, a timeout, sessions, Reset, the keyboard, and the page without JavaScript;
- TinyTorch runs up to numpy: a stdlib-only snippet runs after the TinyTorch zip is
  unpacked, and a numpy snippet says it could not load numpy, keeps the build's output,
  and asked ``<pyodide_url>numpy-*.whl`` for it.

A full TinyTorch run on Pyodide's CDN needs the internet: ``pytest -m network`` (or
``MLSYSGEN_NETWORK_TESTS=1``) opts in. Screenshots of labs before and after Run, light and
dark, go to ``tmp_path`` and, when ``MLSYSGEN_SCREENSHOTS`` names a folder, there too.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.helpers import write_book

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PYODIDE_VERSION = "314.0.7"
PYODIDE_DEV = ROOT / ".cache" / "pyodide" / PYODIDE_VERSION
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
TINYTORCH = ROOT / "labs" / "tinytorch"
MOCKS = ROOT / "labs" / "micropython"
VIEWPORT = {"width": 1100, "height": 900}
RUN_MS = 20_000  # one MicroPython run, start to end, on a busy 2-core machine
PYODIDE_MS = 180_000  # loading Pyodide (~10 MB of wasm) on the same machine

NUMPY_MISSING = "Could not load numpy (offline?) — the output shown is from the book's build."

pytestmark = pytest.mark.browser

CHAPTER = """# Labs in the browser

A loop that sums, verified in the simulator at build time.

```{.micropython #mp-count board="pico" simulate=1}
total = 0
for i in range(4):
    total += i
    print("step", i, "total", total)
```

The Nicla Vision has no `rp2` module, so this fails on it.

```{.micropython #mp-no-module board="nicla-vision" run="browser"}
import rp2
print("unreachable")
```

```{.micropython #mp-camera board="nicla-vision" simulate=3}
import sensor
sensor.reset()
sensor.set_pixformat(sensor.RGB565)
sensor.set_framesize(sensor.QVGA)
n = 0
while True:
    img = sensor.snapshot()
    n += 1
    print("frame", n, img.width(), "x", img.height())
```

```{.micropython #mp-forever board="pico" run="browser" timeout=2}
while True:
    pass
```

Without simulate= a lab is not run at build; in the browser its sleeps take real time.

```{.micropython #mp-paced board="pico" run="browser"}
import time
for i in range(3):
    print("tick", i)
    time.sleep_ms(400)
```

```{.micropython #mp-first board="pico" session="calibrate" simulate=1}
offset = 21
```

```{.micropython #mp-second board="pico" session="calibrate" simulate=1}
print("twice the offset:", 2 * offset)
```

```{.micropython #mp-broken-first board="pico" session="broken" run="browser"}
ratio = 1 / 0
```

```{.micropython #mp-broken-second board="pico" session="broken" run="browser"}
print(ratio)
```

```{.micropython #mp-flood board="pico" run="browser"}
for i in range(20000):
    print("line", i)
```

```{.micropython #mp-build-only board="pico" run="build" simulate=1}
print("shown, never run in the browser")
```

```{.tinytorch #tt-stdlib run="browser"}
import os
print("tinytorch unpacked:", os.path.isfile("/home/pyodide/tinytorch/__init__.py"))
```

```{.tinytorch #tt-session-first session="words" run="browser"}
words = "a tiny torch".split()
```

```{.tinytorch #tt-session-second session="words" run="browser"}
print(len(words), "words")
```

```{.tinytorch #tt-numpy}
import numpy as np
x = np.arange(6, dtype=np.float32).reshape(2, 3)
print(x.nbytes, "bytes")
```

```{.tinytorch #tt-forever run="browser" timeout=3}
while True:
    pass
```
"""

NETWORK_CHAPTER = """# TinyTorch in the browser

```{.tinytorch #tt-tensor}
import numpy as np
from tinytorch.core.tensor import Tensor
x = Tensor(np.ones((4, 8), dtype=np.float32))
print(x.shape, x.memory_footprint(), "bytes")
```

```{.tinytorch #tt-figure}
import matplotlib.pyplot as plt
plt.plot([0, 1, 2, 3], [0, 1, 4, 9])
plt.title("squares")
print("plotted")
```
"""


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _build(root: Path, chapter: str, pyodide_url: str) -> Path:
    for folder in (TINYTORCH, MOCKS):
        if not folder.is_dir():
            pytest.skip(f"{folder.relative_to(ROOT)} is not there yet (the labs' runtime packages)")
    from mlsysgen.build import BuildOptions, build
    from mlsysgen.errors import BuildFailed

    labs = {"tinytorch": str(TINYTORCH), "micropython": str(MOCKS), "pyodide_url": pyodide_url}
    project = write_book(
        root / "book", {"labs.md": chapter}, {"plugins": ["mlsysgen.plugins.labs"], "labs": labs}
    )
    out = root / "site"
    try:
        build(project, BuildOptions(formats=["html"], out=out, cache=False))
    except BuildFailed as exc:
        errors = "\n".join(str(d) for d in exc.result.diagnostics.errors)
        pytest.fail(f"the lab test book does not build ({exc}):\n{errors}", pytrace=False)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test book, built once; its labs load Pyodide from /pyodide/ on the same server."""
    return _build(tmp_path_factory.mktemp("labs-browser"), CHAPTER, "/pyodide/")


class _Handler(SimpleHTTPRequestHandler):
    """The site, with the dev copy of npm pyodide under /pyodide/."""

    extensions_map: ClassVar[dict[str, str]] = {
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".zip": "application/zip",
        ".css": "text/css",
        ".html": "text/html",
        ".svg": "image/svg+xml",
    }

    def translate_path(self, path: str) -> str:
        local = urlsplit(path).path
        if local.startswith("/pyodide/"):
            return str(PYODIDE_DEV / local.removeprefix("/pyodide/"))
        return super().translate_path(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Page:
    """A page of the test book in its own browser context, offline but for 127.0.0.1."""

    def __init__(self, browser: Any, url: str, scheme: str = "light", javascript: bool = True):
        self.context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda r: r.abort())
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.emulate_media(color_scheme=scheme)
        self.page.goto(url, wait_until="load")

    def lab(self, lab_id: str) -> Any:
        return self.page.locator(f"[id='{lab_id}']")

    def run(self, lab_id: str, timeout_ms: int = RUN_MS) -> Any:
        """Click Run and wait until the run is over; the lab's locator."""
        lab = self.lab(lab_id)
        lab.locator(".lab-run-button").click()
        self.wait(lab, timeout_ms)
        return lab

    def wait(self, lab: Any, timeout_ms: int = RUN_MS) -> None:
        self.page.wait_for_function(
            "el => el.getAttribute('aria-busy') !== 'true'",
            arg=lab.element_handle(),
            timeout=timeout_ms,
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    pages: list[Page] = []

    def open_(scheme: str = "light", javascript: bool = True) -> Page:
        pages.append(Page(browser, base_url + "labs.html", scheme, javascript))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def _stdout(lab: Any) -> str:
    return lab.locator(".lab-stdout").text_content() or ""


def _status(lab: Any) -> str:
    return lab.locator(".lab-status").inner_text()


def _screenshot(lab: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    lab.screenshot(path=str(path))
    extra = os.environ.get("MLSYSGEN_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(extra) / name)


# ------------------------------------------------------------------ MicroPython (offline)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_micropython_run_prints_the_output_of_the_build(
    open_page: Any, tmp_path: Path, scheme: str
) -> None:
    page = open_page(scheme)
    lab = page.lab("mp-count")
    expected = "step 0 total 0\nstep 1 total 1\nstep 2 total 3\nstep 3 total 6\n"
    assert _stdout(lab) == expected, "the build-time output of the simulator"
    assert not lab.locator(".lab-norun").is_visible(), "the no-JavaScript note shows with JS on"
    _screenshot(lab, tmp_path, f"lab-micropython-{scheme}-before.png")

    page.run("mp-count")

    assert _stdout(lab) == expected
    assert lab.locator(".lab-output-label").text_content() == "Output (run in your browser)"
    assert lab.locator(".lab-output").get_attribute("data-status") == "ok"
    assert re.fullmatch(r"Ran in your browser in \d+(\.\d+)? m?s\.", _status(lab)), _status(lab)
    code = lab.locator("pre code").text_content() or ""
    assert lab.locator("textarea.lab-editor").input_value() == code.rstrip("\n")
    _screenshot(lab, tmp_path, f"lab-micropython-{scheme}-after.png")
    assert page.errors == []


def test_import_of_a_module_the_board_lacks_is_an_error_in_red(open_page: Any) -> None:
    page = open_page()
    lab = page.run("mp-no-module")
    error = lab.locator(".lab-stdout .lab-error")
    assert error.inner_text() == (
        "Traceback (most recent call last):\n"
        '  File "mp-no-module", line 1, in <module>\n'
        "ImportError: no module named 'rp2'"
    )
    danger = page.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()"
    )
    assert danger == "#c0262d"
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(192, 38, 45)"
    assert lab.locator(".lab-output").get_attribute("data-status") == "error"
    assert _status(lab) == "The code raised an error (shown in the output)."


def test_nicla_camera_loop_stops_after_its_frame_budget(open_page: Any, tmp_path: Path) -> None:
    page = open_page("dark")
    lab = page.lab("mp-camera")
    build_output = _stdout(lab)
    page.run("mp-camera")
    expected = (
        "frame 1 320 x 240\nframe 2 320 x 240\nframe 3 320 x 240\n[sim] frame budget exhausted\n"
    )
    assert _stdout(lab) == expected
    assert build_output == expected, "the browser and the build's node runner disagree"
    _screenshot(lab, tmp_path, "lab-nicla-dark-after.png")


def test_endless_loop_times_out_and_the_worker_is_stopped(open_page: Any) -> None:
    page = open_page()
    lab = page.lab("mp-forever")
    started = time.monotonic()
    page.run("mp-forever")
    elapsed = time.monotonic() - started
    assert lab.locator(".lab-error").inner_text() == "Timed out after 2 s"
    assert _status(lab) == "Timed out after 2 s"
    assert elapsed < 10, f"a 2 s timeout took {elapsed:.1f} s"
    # The worker is gone: a second Run starts a new one and times out the same way.
    page.run("mp-forever")
    assert lab.locator(".lab-error").inner_text() == "Timed out after 2 s"


def test_without_a_frame_budget_sleeps_take_real_time_and_output_streams(
    open_page: Any,
) -> None:
    page = open_page()
    lab = page.lab("mp-paced")
    lab.locator(".lab-run-button").click()
    # The output box is replaced when the run starts: look it up afresh on every poll.
    page.page.wait_for_function(
        "el => el.querySelector('.lab-stdout').textContent.includes('tick 0')",
        arg=lab.element_handle(),
    )
    assert lab.get_attribute("aria-busy") == "true", "the first line shows before the run ends"
    page.wait(lab)
    assert _stdout(lab) == "tick 0\ntick 1\ntick 2\n"
    elapsed = re.fullmatch(r"Ran in your browser in (\d+(?:\.\d+)?) (m?s)\.", _status(lab))
    assert elapsed, _status(lab)
    seconds = float(elapsed[1]) / (1000 if elapsed[2] == "ms" else 1)
    assert seconds >= 1.2, f"three 400 ms sleeps took {seconds} s"


def test_output_is_cut_at_64_kib_with_the_builds_marker(open_page: Any) -> None:
    page = open_page()
    lab = page.run("mp-flood")
    text = _stdout(lab)
    assert text.endswith("\n[truncated]\n")
    assert len(text) == 64 * 1024 + len("\n[truncated]\n")
    assert text.startswith("line 0\nline 1\n")
    assert lab.locator(".lab-output").get_attribute("data-status") == "ok"


def test_run_on_a_later_session_block_runs_the_earlier_ones_first(open_page: Any) -> None:
    page = open_page()
    second = page.run("mp-second")
    assert _stdout(second) == "twice the offset: 42\n"
    # Edits to an earlier block count: it is run as the reader left it.
    first = page.run("mp-first")
    first.locator("textarea.lab-editor").fill("offset = 50")
    page.run("mp-second")
    assert _stdout(second) == "twice the offset: 100\n"


def test_an_error_in_an_earlier_session_block_names_that_block(open_page: Any) -> None:
    page = open_page()
    lab = page.run("mp-broken-second")
    assert lab.locator(".lab-error").inner_text() == (
        "In mp-broken-first, which runs before this lab (same session):\n"
        "Traceback (most recent call last):\n"
        '  File "mp-broken-first", line 1, in <module>\n'
        "ZeroDivisionError: divide by zero"
    )


def test_reset_restores_the_build_code_and_output(open_page: Any) -> None:
    page = open_page()
    lab = page.lab("mp-count")
    code_html = lab.locator(".lab-code").inner_html()
    output_html = lab.locator(".lab-output").inner_html()
    reset = lab.locator(".lab-reset-button")
    assert reset.is_disabled()

    page.run("mp-count")
    lab.locator("textarea.lab-editor").fill('print("edited")')
    page.run("mp-count")
    assert _stdout(lab) == "edited\n"

    reset.click()
    assert lab.locator(".lab-code").inner_html() == code_html
    assert lab.locator(".lab-output").inner_html() == output_html
    assert lab.locator("textarea").count() == 0
    assert reset.is_disabled()
    assert _status(lab) == "Restored the code and output from the book's build."
    assert page.page.evaluate("document.activeElement.className") == "lab-button lab-run-button"


def test_reset_during_a_run_stops_it(open_page: Any) -> None:
    page = open_page()
    lab = page.lab("mp-forever")
    lab.locator(".lab-run-button").click()
    lab.locator(".lab-output").wait_for()
    lab.locator(".lab-reset-button").click()
    page.wait(lab)
    assert lab.locator(".lab-output").is_hidden(), "a run=browser lab has no build output"
    assert _stdout(lab) == ""
    assert lab.locator(".lab-run-button").is_enabled()


def test_editor_keys_tab_indents_escape_tab_leaves_ctrl_enter_runs(open_page: Any) -> None:
    page = open_page()
    lab = page.lab("mp-count")
    run = lab.locator(".lab-run-button")
    run.focus()
    page.page.keyboard.press("Enter")  # a real <button>: Enter activates it
    page.wait(lab)
    editor = lab.locator("textarea.lab-editor")
    editor.fill("")
    editor.press("Tab")
    editor.type('print("x")')
    assert editor.input_value() == '    print("x")'
    editor.press("Shift+Tab")
    assert editor.input_value() == 'print("x")'
    editor.press("Control+Enter")
    page.wait(lab)
    assert _stdout(lab) == "x\n"
    editor.press("Escape")
    editor.press("Tab")
    assert page.page.evaluate("document.activeElement.className") == "lab-button lab-run-button"


def test_labs_that_do_not_run_in_the_browser_get_no_buttons(open_page: Any) -> None:
    page = open_page()
    assert page.lab("mp-build-only").locator("button.lab-run-button").count() == 0
    assert page.page.locator(".lab-run-button").count() == 15
    for button in page.page.locator(".lab-controls button").all():
        assert button.inner_text().strip() in ("Run", "Reset")
    status = page.lab("mp-count").locator(".lab-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"


def test_without_javascript_the_build_output_and_the_note_show(open_page: Any) -> None:
    page = open_page(javascript=False)
    lab = page.lab("mp-count")
    assert lab.locator(".lab-controls, .lab-run-button").count() == 0
    note = lab.locator(".lab-norun")
    assert note.is_visible()
    assert note.inner_text() == (
        "Run needs JavaScript; the output shown was produced when the book was built."
    )
    assert _stdout(lab).startswith("step 0 total 0")


def test_opened_from_a_file_the_note_says_run_needs_http(browser: Any, site: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto((site / "labs.html").as_uri())
        lab = page.locator("[id='mp-count']")
        assert lab.locator(".lab-run-button").count() == 0
        assert lab.locator(".lab-norun").inner_text() == (
            "Run needs the book served over http(s) (it is opened from a file); "
            "the output shown was produced when the book was built."
        )
        assert lab.locator(".lab-norun").is_visible()
    finally:
        context.close()


def test_printed_page_has_no_buttons_and_prints_the_edited_code(open_page: Any) -> None:
    page = open_page()
    lab = page.run("mp-count")
    lab.locator("textarea.lab-editor").fill('print("edited for print")')
    page.page.emulate_media(media="print")
    assert lab.locator(".lab-controls").is_hidden()
    assert lab.locator("textarea.lab-editor").is_hidden()
    assert lab.locator(".lab-code pre").is_visible()
    assert lab.locator(".lab-code pre").inner_text() == 'print("edited for print")\n'


# ------------------------------------------------------------------ TinyTorch (offline)


@pytest.fixture
def pyodide_dev() -> None:
    if not (PYODIDE_DEV / "pyodide.mjs").is_file():
        pytest.skip(
            f"no dev copy of npm pyodide in {PYODIDE_DEV.relative_to(ROOT)} "
            "(`make test` fetches it with npm)"
        )


@pytest.mark.usefixtures("pyodide_dev")
def test_tinytorch_runs_stdlib_code_offline_and_says_numpy_is_missing(
    open_page: Any, tmp_path: Path
) -> None:
    page = open_page()
    stdlib = page.run("tt-stdlib", PYODIDE_MS)
    assert _stdout(stdlib) == "tinytorch unpacked: True\n", _status(stdlib)
    assert any(u.endswith("/static/labs/tinytorch.zip") for u in page.requests)
    # The same Pyodide, a fresh namespace per run, the session's earlier block first.
    second = page.run("tt-session-second", PYODIDE_MS)
    assert _stdout(second) == "3 words\n"

    lab = page.lab("tt-numpy")
    output_html = lab.locator(".lab-output").inner_html()
    _screenshot(lab, tmp_path, "lab-tinytorch-light-before.png")
    page.run("tt-numpy", PYODIDE_MS)
    assert _status(lab) == NUMPY_MISSING
    assert lab.locator(".lab-output").inner_html() == output_html, "the build output is kept"
    assert _stdout(lab) == "24 bytes\n"
    wheels = [u for u in page.requests if re.search(r"/pyodide/numpy-[^/]*\.whl$", u)]
    assert wheels, f"no request for numpy's wheel under /pyodide/: {page.requests}"
    _screenshot(lab, tmp_path, "lab-tinytorch-light-after.png")
    assert page.errors == []


def test_tinytorch_without_pyodide_reachable_keeps_the_build_output(open_page: Any) -> None:
    page = open_page()
    page.context.route("**/pyodide/pyodide.mjs", lambda r: r.abort())
    lab = page.lab("tt-numpy")
    output_html = lab.locator(".lab-output").inner_html()
    page.run("tt-numpy")
    origin = page.page.evaluate("location.origin")
    assert _status(lab) == (
        f"Could not load Pyodide from {origin}/pyodide/ (offline?) — "
        "the output shown is from the book's build."
    )
    assert lab.locator(".lab-output").inner_html() == output_html


@pytest.mark.usefixtures("pyodide_dev")
def test_tinytorch_timeout_terminates_pyodide_and_the_next_run_starts_afresh(
    open_page: Any,
) -> None:
    page = open_page()
    lab = page.run("tt-forever", PYODIDE_MS)
    assert lab.locator(".lab-error").inner_text() == "Timed out after 3 s"
    stdlib = page.run("tt-stdlib", PYODIDE_MS)
    assert _stdout(stdlib) == "tinytorch unpacked: True\n"


# ------------------------------------------------------------------ TinyTorch (network, opt-in)


@pytest.mark.network
def test_tinytorch_runs_on_pyodide_from_the_cdn(
    request: pytest.FixtureRequest, browser: Any, tmp_path: Path
) -> None:
    chosen = "network" in (request.config.getoption("markexpr") or "")
    if not chosen and os.environ.get("MLSYSGEN_NETWORK_TESTS") != "1":
        pytest.skip("needs the internet (Pyodide and numpy from its CDN): opt in with -m network")
    site = _build(tmp_path, NETWORK_CHAPTER, PYODIDE_CDN)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/labs.html")
        for lab_id in ("tt-tensor", "tt-figure"):
            lab = page.locator(f"[id='{lab_id}']")
            build_output = _stdout(lab)
            lab.locator(".lab-run-button").click()
            page.wait_for_function(
                "el => el.getAttribute('aria-busy') !== 'true'",
                arg=lab.element_handle(),
                timeout=PYODIDE_MS,
            )
            assert lab.locator(".lab-output").get_attribute("data-status") == "ok", _status(lab)
            assert _stdout(lab) == build_output
        figure = page.locator("[id='tt-figure'] .lab-figure img")
        assert figure.count() == 1
        assert (figure.get_attribute("src") or "").startswith("data:image/svg+xml")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
