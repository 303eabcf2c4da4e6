"""The preview server: build, serve the site on 127.0.0.1, rebuild on every change, and
tell open pages to reload (server-sent events; no browser extension).

Three parts that know little of each other: a :class:`Watcher` that notices changed
files by content hash, a :class:`Preview` that owns the build session and the state the
pages see (the last good build, or the errors of the last failed one), and an HTTP
handler that serves files from the output folder only. Requests are always answered from
the last good build: a build writes into a staging folder and swaps it in whole.
"""

from __future__ import annotations

import contextlib
import gc
import html
import posixpath
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from .build import BuildOptions, BuildResult, Session, cache_folder, summary
from .config.load import load_project
from .errors import BuildFailed, MlsysgenError
from .fingerprint import FileHashes, project_files
from .writers.theme import default_theme_dir

EVENTS = "/__mlsysgen/events"
RELOAD_JS = "/__mlsysgen/reload.js"
_RELOAD_SCRIPT = b"""(function () {
  var source = new EventSource("/__mlsysgen/events");
  var seen = null;
  source.onmessage = function (e) {
    if (seen !== null && e.data !== seen) { location.reload(); }
    seen = e.data;
  };
})();
"""


class Watcher:
    """Polls a set of files; a change is a different content hash, or a file added or
    removed. A file's stat only decides whether to hash it again.

    Listing the project's folders costs several times what checking the files it found
    does (3 ms against 2 ms for the real book's 516 files), so the list is made again
    only every ``relist`` seconds: an edit is seen at the next poll, a new file within
    ``relist`` seconds. Idle, the server then uses a few per cent of a core."""

    def __init__(self, list_files: Callable[[], list[Path]], relist: float = 1.0) -> None:
        self.list_files = list_files
        self.relist = relist
        self.hashes = FileHashes()
        self.files: list[Path] = []
        self.listed = -relist
        self.seen = self._snapshot()

    def _snapshot(self) -> dict[Path, str | None]:
        now = time.monotonic()
        if now - self.listed >= self.relist:
            self.files, self.listed = self.list_files(), now
        return self.hashes.digests(self.files)

    def changes(self) -> set[Path]:
        now = self._snapshot()
        changed = {p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)}
        self.seen = now
        return changed


class Preview:
    """The build session and what the served pages show about it."""

    def __init__(self, root: Path, out: Path, stream: TextIO | None = sys.stderr,
                 strict: bool = False, chapters: list[str] | None = None) -> None:  # fmt: skip
        self.root = root.resolve()
        self.out = out.resolve()
        self.stream = stream
        options = BuildOptions(formats=["html"], out=self.out, strict=strict, stream=None,
                               chapters=list(chapters or []))  # fmt: skip
        self.session = Session(self.root, options)
        self.errors: list[str] = []
        self.generation = 0
        self.lock = threading.Lock()
        self.changed = threading.Condition()
        self.last: BuildResult | None = None

    def rebuild(self) -> None:
        """Build once; on failure keep serving the last good site with an error overlay."""
        with self.lock:
            started = time.perf_counter()
            try:
                result = self.session.build()
            except BuildFailed as exc:
                self.errors = [str(d) for d in exc.result.diagnostics.errors]
                self._say(f"build failed: {summary(exc.result)}")
            except MlsysgenError as exc:
                self.errors = [str(exc)]
                self._say(f"error: {exc}")
            else:
                self.errors = []
                self.last = result
                self._say(f"rebuilt in {time.perf_counter() - started:.2f} s: "
                          f"{result.rendered} chapter(s) rendered, {summary(result)}")  # fmt: skip
            # Long-lived token trees: keep cyclic collection from rescanning them.
            gc.freeze()
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def watched_files(self) -> list[Path]:
        """The project's files (chapters, config, bibliographies, labs, templates, static)
        and the default theme's, minus the output and the cache."""
        files = project_files(self.root, self._skip())
        for kind in ("templates", "static"):
            folder = default_theme_dir(kind)
            if not folder.is_relative_to(self.root):
                files += project_files(folder)
        return files

    def _skip(self) -> list[Path]:
        skip = [self.out, cache_folder(self.root)]
        if self.last is not None:
            skip.append(self.root / self.last.books["html"].project.config.output_dir)
        else:
            # A broken config is itself being watched; its output folder is the default then.
            with contextlib.suppress(MlsysgenError):
                skip.append(self.root / load_project(self.root).config.output_dir)
        return skip

    def page_for(self, target: str) -> str:
        """Site path of the page for a chapter file or name given on the command line."""
        if not target or self.last is None:
            return ""
        book = self.last.books.get("html")
        if book is None:
            return ""
        path = Path(target)
        for chapter in book.chapters:
            if path.suffix and (self.root / chapter.rel).resolve() == path.resolve():
                return chapter.href
        from .select import select_chapters

        picked = select_chapters(book, [target])
        return picked[0].href if picked else ""

    def _say(self, message: str) -> None:
        if self.stream is not None:
            print(message, file=self.stream, flush=True)


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "mlsysgen-preview"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == EVENTS:
                self._events()
            elif path == RELOAD_JS:
                self._send(HTTPStatus.OK, _RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            else:
                self._file(path)

        def do_HEAD(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds, not every request

        def _file(self, path: str) -> None:
            target = resolve_request(preview.out, path)
            if target is None:
                self._not_found()
                return
            data = _read(target)
            if data is None:
                self._not_found()
                return
            ctype = _content_type(target)
            if ctype.startswith("text/html"):
                data = inject(data, preview.errors)
            self._send(HTTPStatus.OK, data, ctype)

        def _not_found(self) -> None:
            page = _read(preview.out / "404.html") or b"<h1>Not found</h1>"
            self._send(HTTPStatus.NOT_FOUND, inject(page, preview.errors), "text/html; charset=utf-8")

        def _send(self, status: HTTPStatus, data: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with preview.changed:
                        if preview.generation == seen:
                            preview.changed.wait(timeout=15)
                        current = preview.generation
                    if current != seen:
                        self.wfile.write(f"data: {current}\n\n".encode())
                        seen = current
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def resolve_request(out: Path, url_path: str) -> Path | None:
    """The file under ``out`` that ``url_path`` names, or None: anything that would leave
    the output folder (``..``, encoded or not, absolute paths, NUL) is refused."""
    path = unquote(url_path)
    if "\0" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    rel = posixpath.join(*parts) if parts else ""
    target = out / rel
    if target.is_dir():
        target = target / "index.html"
    try:
        resolved = target.resolve()
    except OSError:
        return None
    if not resolved.is_relative_to(out.resolve()):
        return None
    return resolved


def inject(page: bytes, errors: list[str]) -> bytes:
    """Add the reload script, and an overlay listing the errors of a failed build."""
    extra = f'<script src="{RELOAD_JS}"></script>'
    if errors:
        items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in errors)
        extra += (
            '<div id="mlsysgen-error-overlay" role="alert" style="position:fixed;inset:0;'
            "z-index:10000;overflow:auto;background:rgba(20,20,20,.94);color:#fff;"
            'padding:2rem;font:14px/1.5 system-ui,sans-serif">'
            "<h2 style=\"color:#ff8a80;margin-top:0\">The build failed</h2>"
            "<p>Fix the problems below and save; this page reloads by itself. "
            "It shows the last good build underneath.</p>"
            f'<ul style="font-family:monospace;white-space:pre-wrap">{items}</ul></div>'
        )
    marker = b"</body>"
    at = page.rfind(marker)
    blob = extra.encode()
    return page[:at] + blob + page[at:] if at != -1 else page + blob


def _read(path: Path) -> bytes | None:
    # The output folder is swapped in by two renames: between them it is briefly absent.
    for _ in range(3):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            time.sleep(0.01)
        except (IsADirectoryError, PermissionError, NotADirectoryError):
            return None
    return None


_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
          ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
          ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
          ".wasm": "application/wasm", ".pdf": "application/pdf", ".zip": "application/zip",
          ".epub": "application/epub+zip", ".xml": "application/xml", ".txt": "text/plain",
          ".woff2": "font/woff2", ".mp3": "audio/mpeg", ".ico": "image/x-icon"}  # fmt: skip


def _content_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")


def serve(preview: Preview, host: str = "127.0.0.1", port: int = 8000,
          interval: float = 0.05, ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:  # fmt: skip
    """Build, then serve and rebuild on changes until ``stop`` is set (or Ctrl-C)."""
    preview.rebuild()
    watcher = Watcher(preview.watched_files)
    server = ThreadingHTTPServer((host, port), make_handler(preview))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}/"
    if ready is not None:
        ready(url)
    stop = stop or threading.Event()
    try:
        while not stop.wait(interval):
            if watcher.changes():
                preview.rebuild()
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["Preview", "Watcher", "inject", "resolve_request", "serve"]
