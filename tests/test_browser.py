"""Headless Chromium smoke test: the sample book's chapter page in light and dark mode.

Builds ``content/`` once, serves the site over HTTP on 127.0.0.1, and checks in Debian's
Chromium (never a downloaded browser) that the page runs without script errors, shows
its title, switches colours with the colour scheme, and that ``/`` opens a search that
finds a word of the book. Screenshots go to ``tmp_path`` and, when the environment
variable ``MLSYSGEN_SCREENSHOTS`` names a folder, there too.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
VIEWPORT = {"width": 1440, "height": 1000}
TIMEOUT_MS = 5_000

pytestmark = pytest.mark.browser


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def sync_playwright() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)")
    module = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    return module.sync_playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """Build the sample book once: (site folder, chapter page href, a word of its title)."""
    if not (ROOT / "content" / "book.yml").exists():
        pytest.skip("the sample book content/book.yml is not there yet")
    from mlsysgen.build import BuildOptions, build
    from mlsysgen.errors import BuildFailed

    out = tmp_path_factory.mktemp("browser") / "site"
    try:
        # cache=False: a clean build that leaves content/ untouched (no .mlsysgen/ folder in it)
        result = build(ROOT / "content", BuildOptions(formats=["html"], out=out, cache=False))
    except BuildFailed as exc:
        errors = "\n".join(str(d) for d in exc.result.diagnostics.errors)
        pytest.fail(f"the sample book does not build ({exc}):\n{errors}", pytrace=False)
    chapters = [c for c in result.books["html"].chapters if c.source.role == "chapter"]
    assert chapters, "the sample book has no chapters"
    chapter = chapters[0]
    words = [w.strip(".,:;()") for w in chapter.title_text.split()]
    word = max(words, key=len)
    return out, chapter.href, word


@pytest.fixture(scope="module")
def base_url(site: tuple[Path, str, str]) -> Iterator[str]:
    """Serve the built site on an ephemeral port for the module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(site[0]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _save_screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    extra = os.environ.get("MLSYSGEN_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(extra) / name)
    return path


def _open_page(browser: Any, url: str, scheme: str) -> tuple[Any, list[str]]:
    """A fresh page at 1440×1000 in ``scheme``, recording script errors."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.emulate_media(color_scheme=scheme)
    page.goto(url, wait_until="load")
    return page, errors


def test_chapter_page_light_dark_and_search(
    sync_playwright: Any, site: tuple[Path, str, str], base_url: str, tmp_path: Path
) -> None:
    _, href, word = site
    url = base_url + href
    backgrounds: dict[str, str] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                page, errors = _open_page(browser, url, scheme)
                assert page.locator("h1").first.is_visible(), (
                    f"no visible <h1> on {href} ({scheme})"
                )
                backgrounds[scheme] = page.evaluate(
                    "getComputedStyle(document.body).backgroundColor"
                )
                _save_screenshot(page, tmp_path, f"chapter-{scheme}.png")

                page.keyboard.press("/")
                focused = page.evaluate("document.activeElement && document.activeElement.id")
                assert focused == "search-input", (
                    f"'/' focused {focused!r}, not #search-input ({scheme})"
                )
                page.keyboard.type(word)
                results = page.locator("#search-results .search-result")
                results.first.wait_for(state="visible")
                assert results.count() >= 1, f"no search results for {word!r} ({scheme})"
                _save_screenshot(page, tmp_path, f"search-{scheme}.png")

                assert errors == [], f"script errors on {href} ({scheme}): {errors}"
                page.close()
        finally:
            browser.close()
    assert backgrounds["light"] != backgrounds["dark"], (
        f"same body background in both schemes: {backgrounds}"
    )


def test_citation_hover_shows_its_entry(
    sync_playwright: Any, site: tuple[Path, str, str], base_url: str
) -> None:
    _, href, _ = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page, errors = _open_page(browser, base_url + href, "light")
            link = page.locator('.citation a[href^="#ref-"]').first
            target = link.get_attribute("href")
            link.hover()
            preview = page.locator(".cite-preview")
            preview.wait_for(state="visible")
            entry_text = page.locator(f"[id='{target[1:]}']").first.inner_text()
            assert preview.inner_text().strip() == entry_text.strip()
            page.mouse.move(0, 0)
            preview.wait_for(state="detached")
            assert errors == []
        finally:
            browser.close()


def test_quiz_feedback_keyboard_and_no_script_fallback(
    sync_playwright: Any, site: tuple[Path, str, str], base_url: str, tmp_path: Path
) -> None:
    """The first chapter's first self-check box: choosing answers gives feedback (mouse and
    keyboard), the explanation toggles, and without JavaScript the answer link works."""
    _, href, _ = site
    url = base_url + href
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                page, errors = _open_page(browser, url, scheme)
                box = page.locator(".callout-quiz-question").first
                box.scroll_into_view_if_needed()
                _check_multiple_choice(page, box.locator('.quiz-item[data-quiz-type="MCQ"]').first)
                _check_true_false(box.locator('.quiz-item[data-quiz-type="TF"]').first)
                _save_screenshot_of(box, tmp_path, f"quiz-{scheme}.png")
                assert errors == [], f"script errors on {href} ({scheme}): {errors}"
                page.close()
            _check_without_javascript(browser, url)
        finally:
            browser.close()


def _check_multiple_choice(page: Any, item: Any) -> None:
    right = int(item.get_attribute("data-quiz-correct"))
    options = item.locator("button.quiz-option")
    assert options.count() == item.locator(".quiz-choice").count() >= 2
    feedback = item.locator(".quiz-feedback")
    assert feedback.get_attribute("role") == "status"
    assert feedback.get_attribute("aria-live") == "polite"
    wrong = options.nth(0 if right else 1)
    wrong.click()
    assert feedback.inner_text() == "Not quite. Try another answer, or show the explanation."
    assert wrong.get_attribute("aria-pressed") == "true"
    assert "is-wrong" in (wrong.get_attribute("class") or "")
    # Keyboard: Tab moves between the options; Enter chooses the focused one.
    options.nth(0).focus()
    for _ in range(right):
        page.keyboard.press("Tab")
    assert options.nth(right).evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    assert feedback.inner_text() == f"Correct: {chr(97 + right)}) is the answer."
    assert wrong.get_attribute("aria-pressed") == "false"
    # The explanation is the answer's own text, revealed with Space on its toggle.
    toggle = item.locator("button.quiz-reveal")
    explanation = item.locator(".quiz-explanation")
    assert toggle.get_attribute("aria-expanded") == "false" and explanation.is_hidden()
    toggle.focus()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true" and explanation.is_visible()
    answer = page.locator(f"[id='{item.get_attribute('data-quiz-answer')}'] .quiz-answer-text")
    assert explanation.inner_text().strip() == answer.inner_text().strip()
    assert item.locator(".quiz-see-answer").is_hidden()


def _check_true_false(item: Any) -> None:
    right = item.get_attribute("data-quiz-correct")
    buttons = item.locator(".quiz-options button.quiz-option")
    assert buttons.all_inner_texts() == ["True", "False"]
    buttons.nth(0 if right == "true" else 1).click()
    assert item.locator(".quiz-feedback").inner_text() == (
        f"Correct: {'True' if right == 'true' else 'False'} is the answer."
    )


def _check_without_javascript(browser: Any, url: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url, wait_until="load")
        item = page.locator(".quiz-item").first
        assert item.locator("button").count() == 0
        link = item.locator(".quiz-see-answer a")
        target = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"**{target}")
        assert page.locator(f"[id='{target[1:]}']").is_visible()
        back = page.locator(f"[id='{target[1:]}'] .quiz-back a")
        assert back.get_attribute("href") == "#" + (item.get_attribute("id") or "")
    finally:
        context.close()


def _save_screenshot_of(locator: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    locator.screenshot(path=str(path))
    extra = os.environ.get("MLSYSGEN_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(extra) / name)
    return path
