"""Measure the preview loop on a copy of a project: ``python bench/preview.py PROJECT``.

Starts the preview server (as ``python -m mlsysgen serve`` does), then measures, on the
warm server: a rebuild with nothing changed, and for an edit of one chapter the time from
saving the file to the page on disk showing the edit (watcher poll included). Prints one
JSON line; ``bench/bench.py`` runs it in a child process so its peak memory is its own.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mlsysgen.serve import Preview, serve


def main() -> int:
    project, chapter, runs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    out = Path(tempfile.mkdtemp(prefix="mlsysgen-bench-preview-")) / "site"
    preview = Preview(project, out, stream=None)
    ready, stop = threading.Event(), threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=serve, args=(preview,), daemon=True,
                              kwargs={"port": 0, "ready": lambda url: ready.set(), "stop": stop})  # fmt: skip
    thread.start()
    ready.wait(600)
    first = time.perf_counter() - started
    no_change = []
    for _ in range(runs):
        t = time.perf_counter()
        preview.rebuild()
        no_change.append(time.perf_counter() - t)
    source = project / chapter
    page = out / (chapter.rsplit(".", 1)[0] + ".html")
    original = source.read_text(encoding="utf-8")
    edits = []
    try:
        for n in range(runs):
            marker = f"Preview benchmark sentence {n} {time.time_ns()}."
            t = time.perf_counter()
            source.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            while marker not in _read(page):
                if time.perf_counter() - t > 60:
                    raise SystemExit("the edited page did not appear within 60 s")
                time.sleep(0.005)
            edits.append(time.perf_counter() - t)
    finally:
        source.write_text(original, encoding="utf-8")
    stop.set()
    thread.join(10)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"first_build": first, "no_change": statistics.median(no_change),
                      "edit_to_disk": statistics.median(edits), "peak_mb": peak,
                      "errors": preview.errors}))  # fmt: skip
    return 0


def _read(page: Path) -> str:
    try:
        return page.read_text(encoding="utf-8")
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
