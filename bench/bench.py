"""``make bench``: build times and peak memory of mlsysgen, and pandoc for comparison.

For the sample book (``content/``) and, when present, the real textbook corpus:

* clean build: no parse cache, a fresh output folder;
* no-change rebuild: the same build again with a warm cache;
* one-chapter edit: a sentence appended to one chapter, then rebuilt;
* peak memory (maximum resident set size) of the build process;
* one chapter alone (``build PROJECT <the edited chapter> --to html`` and ``--to pdf``,
  after an edit of it, the rest of the site in place): wall time and the build's own,
  the median of at least three edits; and the copy's first PDF build of it, once;
* PDF and EPUB builds: time, peak memory (the largest process, and for the PDF all its
  layout processes at once, as the writer samples it), pages and pages per second;
* pandoc (from ``pypandoc-binary``) converting the same chapter files to HTML one after
  another, and mlsysgen's clean build time as a multiple of it;
* TikZ diagrams of the real book: drawing them all with TeX (cold: an empty diagram
  cache) and taking them from the cache. The builds above then start from that cache, as
  a book that commits its ``_diagrams/`` does.

Every build runs as a child process (``python -m mlsysgen build``) on a temporary copy of
the project, so neither ``content/`` nor the corpus is ever modified (or gets a cache).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GNU_TIME = Path("/usr/bin/time")
TAIL_LINES = 12
TARGET_SECONDS = 10.0
IGNORE = shutil.ignore_patterns(".mlsysgen", ".git", "_site", "_book", "__pycache__", ".quarto")
SUMMARY = re.compile(r"built .*: (\d+) pages?, (\d+) warnings?, (\d+) errors?")
BUILT_SECONDS = re.compile(r"built .*, ([\d.]+) s$", re.MULTILINE)

# Fallback when GNU time is missing: run mlsysgen in-process and report our own peak RSS.
RUNNER = (
    "import atexit, os, resource, runpy, sys\n"
    "atexit.register(lambda: open(os.environ['BENCH_RSS_FILE'], 'w').write("
    "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "sys.argv[0] = 'mlsysgen'\n"
    "runpy.run_module('mlsysgen', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class Target:
    """One book to measure."""

    label: str
    path: Path
    edit: str
    """The chapter (relative to the project) that the edit rebuild appends to."""
    pandoc_files: list[str]
    """Chapter files (relative to the project) that pandoc converts."""


@dataclass
class Run:
    """One build: wall time, peak RSS in KiB, exit status and what it printed."""

    seconds: float
    rss_kib: int
    returncode: int
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def summary(self) -> str:
        found = SUMMARY.findall(self.stderr)
        if not found:
            return ""
        pages, warnings, _errors = found[-1]
        return f"{pages} pages, {warnings} warnings"


@dataclass
class Measure:
    """Repeated runs of one step; reports the median time and the highest peak memory."""

    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_kib for r in self.runs) / 1024

    def cell(self) -> str:
        if not self.runs:
            return "-"
        return f"{self.seconds:.2f} s" if self.ok else "FAILED"


# ------------------------------------------------------------------ running builds


def build_command(project: Path, out: Path, rss_file: Path, fmt: str = "",
                  chapter: str = "") -> list[str]:  # fmt: skip
    """The child-process command line, wrapped so its peak memory is recorded (GNU time:
    the largest single process, the build's layout processes included)."""
    args = ["build", str(project), *([chapter] if chapter else []), "--out", str(out),
            *(["--to", fmt] if fmt else [])]  # fmt: skip
    if GNU_TIME.exists():
        return [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), sys.executable, "-m", "mlsysgen",
                *args]  # fmt: skip
    return [sys.executable, "-c", RUNNER, *args]


def run_build(project: Path, out: Path, fmt: str = "", chapter: str = "") -> Run:
    """Build ``project`` (as ``fmt``, default the config's formats; only ``chapter`` if
    given) into ``out`` in a child process; time it until it returns."""
    with tempfile.TemporaryDirectory(prefix="mlsysgen-bench-rss-") as tmp:
        rss_file = Path(tmp) / "rss"
        env = {**os.environ, "BENCH_RSS_FILE": str(rss_file)}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        started = time.perf_counter()
        proc = subprocess.run(build_command(project, out, rss_file, fmt, chapter), cwd=ROOT,
                              env=env, capture_output=True, text=True, check=False)  # fmt: skip
        seconds = time.perf_counter() - started
        return Run(seconds, _read_rss(rss_file), proc.returncode, proc.stderr)


def _read_rss(rss_file: Path) -> int:
    """Peak RSS in KiB as written by GNU time (last line) or the runner."""
    try:
        lines = rss_file.read_text().split()
        return int(lines[-1]) if lines else 0
    except (OSError, ValueError):
        return 0


def report_failure(label: str, step: str, run: Run) -> None:
    print(f"\n[{label}] {step} failed (exit status {run.returncode}); last stderr lines:")
    for line in run.stderr.rstrip().splitlines()[-TAIL_LINES:]:
        print(f"    {line}")


def measure(label: str, step: str, runs: int, prepare, build) -> Measure:  # type: ignore[no-untyped-def]
    """``runs`` times: ``prepare()`` (untimed), then ``build()`` -> Run."""
    result = Measure()
    for _ in range(runs):
        prepare()
        run = build()
        result.runs.append(run)
        if not run.ok:
            report_failure(label, step, run)
            break
    return result


# ------------------------------------------------------------------ the project copy


def copy_project(source: Path, workspace: Path) -> Path:
    """Copy ``source`` into ``workspace`` (writable, without caches or outputs); its
    siblings are linked beside it, so ``../bibliography`` and the like still resolve."""
    parent = workspace / "tree"
    parent.mkdir()
    for sibling in source.parent.iterdir():
        if sibling.name != source.name:
            (parent / sibling.name).symlink_to(sibling.resolve())
    copy = parent / source.name
    shutil.copytree(source, copy, ignore=IGNORE, symlinks=True)
    for folder, _dirs, files in os.walk(copy):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                path.chmod(0o644)
    return copy


def append_sentence(path: Path, n: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n\nThis sentence was appended by the benchmark (edit {n}).\n")


# ------------------------------------------------------------------ pandoc


def pandoc_path() -> str | None:
    try:
        import pypandoc  # optional dev dependency

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        print(f"pandoc unavailable: {exc}")
        return None


def time_pandoc(pandoc: str, project: Path, files: list[str]) -> float | None:
    """Total seconds for pandoc to convert ``files`` to HTML one after another."""
    started = time.perf_counter()
    for rel in files:
        path = project / rel
        proc = subprocess.run([pandoc, "-f", "markdown", "-t", "html", str(path), "-o", os.devnull],
                              cwd=path.parent, capture_output=True, text=True, check=False)  # fmt: skip
        if proc.returncode != 0:
            print(
                f"pandoc failed on {rel} (exit status {proc.returncode}): {proc.stderr.strip()[:300]}"
            )
            return None
    return time.perf_counter() - started


# ------------------------------------------------------------------ one target


@dataclass
class Row:
    label: str
    clean: Measure
    noop: Measure
    edit: Measure
    pandoc: float | None
    pandoc_files: int
    pages: str
    preview: dict[str, Any] | None = None
    """The warm preview server's times (bench/preview.py), or None if it failed."""
    packages: dict[str, Run] = field(default_factory=dict)
    """The PDF and EPUB builds (warm parse cache), by format."""
    scoped: dict[str, Measure] = field(default_factory=dict)
    """The edited chapter built alone, by label (see SCOPED_RUNS)."""


def bench_target(
    target: Target, runs: int, pandoc: str | None, diagrams: Path | None = None
) -> Row:
    """Clean build, no-change rebuild and one-chapter edit of a copy of ``target``
    (given ``diagrams``, a drawn diagram cache, as its ``_diagrams/``)."""
    with tempfile.TemporaryDirectory(prefix="mlsysgen-bench-") as tmp:
        workspace = Path(tmp)
        project = copy_project(target.path, workspace)
        if diagrams is not None:
            shutil.copytree(diagrams, project / "_diagrams", dirs_exist_ok=True)
        out = workspace / "site"
        edits = iter(range(1, 1 + runs))

        def clean() -> None:
            shutil.rmtree(project / ".mlsysgen", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)

        def build() -> Run:
            return run_build(project, out)

        print(f"[{target.label}] clean build …", flush=True)
        clean_m = measure(target.label, "clean build", runs, clean, build)
        noop_m = edit_m = Measure()
        if clean_m.ok:
            print(f"[{target.label}] no-change rebuild …", flush=True)
            noop_m = measure(target.label, "no-change rebuild", runs, lambda: None, build)
            print(f"[{target.label}] one-chapter edit ({target.edit}) …", flush=True)
            edit_m = measure(target.label, "one-chapter edit", runs,
                             lambda: append_sentence(project / target.edit, next(edits)), build)  # fmt: skip
        seconds = None
        if pandoc and target.pandoc_files:
            print(f"[{target.label}] pandoc on {len(target.pandoc_files)} files …", flush=True)
            seconds = time_pandoc(pandoc, target.path, target.pandoc_files)
        pages = clean_m.runs[-1].summary() if clean_m.runs else ""
        print(f"[{target.label}] preview server: rebuilds on the warm server …", flush=True)
        preview = bench_preview(project, target.edit, max(runs, 3))
        scoped = {}
        # The PDF twice: the first is the copy's first PDF build (every chapter's PDF
        # passes run, so it happens once), then what an author editing the chapter waits
        # for. Each of those is timed after an edit, at least three times (the median).
        scoped_edits = iter(range(1000, 2000))
        for label, fmt in SCOPED_RUNS:
            print(f"[{target.label}] build {target.edit} --to {fmt} ({label}) …", flush=True)
            times = 1 if label.endswith("first PDF build") else max(runs, 3)
            scoped[label] = measure(target.label, f"build {target.edit} --to {fmt}", times,
                                    lambda: append_sentence(project / target.edit, next(scoped_edits)),
                                    lambda fmt=fmt: run_build(project, out, fmt, target.edit))  # fmt: skip
        packages = {}
        for fmt in ("pdf", "epub"):
            print(f"[{target.label}] {fmt} build …", flush=True)
            packages[fmt] = run_build(project, workspace / fmt, fmt)
            if not packages[fmt].ok:
                report_failure(target.label, f"{fmt} build", packages[fmt])
        return Row(target.label, clean_m, noop_m, edit_m, seconds, len(target.pandoc_files), pages,
                   preview, packages, scoped)  # fmt: skip


SCOPED_RUNS = (("html", "html"), ("pdf, first PDF build", "pdf"), ("pdf", "pdf"))
"""The one-chapter builds: (label, format), in the order they run."""
PDF_SUMMARY = re.compile(r"pdf: (\d+) pages in ([\d.]+) s")
PDF_ALL_AT_ONCE = re.compile(r"all at once (\d+) MB|peak memory \d+ MB after layout, (\d+) MB")


def print_packages(rows: list[Row]) -> None:
    """PDF and EPUB builds: time, peak memory, pages and pages per second."""
    print("\nPDF and EPUB (warm parse cache; memory: the largest process, and all processes at once)")
    for row in rows:
        for fmt, run in row.packages.items():
            if not run.ok:
                print(f"  {row.label} {fmt}: FAILED")
                continue
            line = f"  {row.label} {fmt}: {run.seconds:.1f} s, peak {run.rss_kib / 1024:.0f} MB"
            pdf = PDF_SUMMARY.findall(run.stderr)
            together = PDF_ALL_AT_ONCE.search(run.stderr)
            if together:
                line += f" ({together[1] or together[2]} MB all processes at once)"
            if pdf:
                pages = int(pdf[-1][0])
                line += f", {pages} pages, {pages / run.seconds:.1f} pages/s of the whole build"
            print(line)
    real = rows[-1].packages if len(rows) > 1 else {}
    if real.get("pdf") and real.get("epub"):
        pdf, epub = real["pdf"], real["epub"]
        together = PDF_ALL_AT_ONCE.search(pdf.stderr)
        memory = max(pdf.rss_kib / 1024, float(together[1] or together[2]) if together else 0.0)
        met = pdf.ok and pdf.seconds < 120 and memory < 2048
        print(f"target: real book PDF < 120 s and < 2 GB -> {'met' if met else 'NOT met'} "
              f"({pdf.seconds:.1f} s, {memory:.0f} MB); EPUB < 15 s -> "
              f"{'met' if epub.ok and epub.seconds < 15 else 'NOT met'} ({epub.seconds:.1f} s)")  # fmt: skip


def bench_preview(project: Path, chapter: str, runs: int) -> dict[str, Any] | None:
    """The preview loop, in a child process (bench/preview.py): its no-change rebuild and
    the time from saving a chapter to the page on disk showing the edit."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "preview.py"), str(project), chapter,
                           str(runs)], cwd=ROOT, capture_output=True, text=True, timeout=1800)  # fmt: skip
    if proc.returncode != 0:
        print(f"preview benchmark failed: {proc.stderr.strip()[-400:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sample_target() -> Target:
    path = ROOT / "content"
    files = sorted(
        p.relative_to(path).as_posix() for p in path.rglob("*") if p.suffix in (".md", ".qmd")
    )
    edit = (
        "foundations/introduction.md"
        if (path / "foundations/introduction.md").exists()
        else files[-1]
    )
    return Target("sample book (content/)", path, edit, files)


def corpus_target(path: Path) -> Target:
    core = path / "contents" / "core"
    files = sorted(p.relative_to(path).as_posix() for p in core.rglob("*.qmd"))
    edit = "contents/core/introduction/introduction.qmd"
    if not (path / edit).exists():
        edit = max(files, key=lambda f: (path / f).stat().st_size)
    return Target("real book (corpus)", path, edit, files)


# ------------------------------------------------------------------ output


def print_table(rows: list[Row]) -> None:
    header = ("project", "clean build", "peak memory", "no-change", "1-chapter edit",
              "pandoc (files)", "mlsysgen/pandoc", "output")  # fmt: skip
    lines = [header]
    for row in rows:
        mem = f"{row.clean.rss_mb:.0f} MB" if row.clean.runs and row.clean.rss_mb else "-"
        pandoc = f"{row.pandoc:.2f} s ({row.pandoc_files})" if row.pandoc is not None else "-"
        ratio = f"{row.clean.seconds / row.pandoc:.2f}x" if row.pandoc and row.clean.ok else "-"
        times = (row.clean.cell(), mem, row.noop.cell(), row.edit.cell())
        lines.append((row.label, *times, pandoc, ratio, row.pages))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    peak = [
        f"{r.label}: clean {r.clean.rss_mb:.1f} MB, edit {r.edit.rss_mb:.1f} MB"
        for r in rows
        if r.edit.runs
    ]
    if peak:
        print("peak memory (max RSS): " + "; ".join(peak))
    print("\npreview server (warm, `serve`): first build / no-change rebuild / "
          "edit saved → page on disk (watcher included) / peak memory; "
          "targets < 0.3 s and < 0.5 s")  # fmt: skip
    for row in rows:
        p = row.preview
        if p is None:
            print(f"  {row.label}: failed")
            continue
        verdict = ("met" if p["no_change"] < 0.3 else "NOT met",
                   "met" if p["edit_to_disk"] < 0.5 else "NOT met")  # fmt: skip
        print(f"  {row.label}: {p['first_build']:.2f} s / {p['no_change']:.3f} s ({verdict[0]}) / "
              f"{p['edit_to_disk']:.3f} s ({verdict[1]}) / {p['peak_mb']:.0f} MB")  # fmt: skip
    print("\none chapter alone after an edit of it (`build PROJECT CHAPTER --to FMT`): wall time "
          "(process start to exit) / the build's own time; targets < 1 s (html), < 10 s (pdf)")
    for row in rows:
        cells = []
        for label, fmt in SCOPED_RUNS:
            measured = row.scoped.get(label)
            if measured is None or not measured.runs:
                continue
            own = [float(m[1]) for r in measured.runs if (m := BUILT_SECONDS.search(r.stderr))]
            own_cell = f"{statistics.median(own):.2f}" if own else "?"
            verdict = "met" if measured.seconds < {"html": 1.0, "pdf": 10.0}[fmt] else "NOT met"
            many = f", median of {len(measured.runs)}" if len(measured.runs) > 1 else ""
            cells.append(f"{label} {measured.seconds:.2f} s ({verdict}{many}) / {own_cell} s"
                         if measured.ok else f"{label} failed")  # fmt: skip
        print(f"  {row.label}: " + "; ".join(cells))


def print_target(row: Row) -> None:
    print("target: HTML clean build < 10 s", end="")
    if row.clean.ok:
        verdict = "met" if row.clean.seconds < TARGET_SECONDS else "NOT met"
        print(f" -> {verdict} ({row.clean.seconds:.2f} s)")
    else:
        print(" -> NOT met (the build failed)")


def bench_labs() -> str:
    """The sample book's labs: verifying them all (``--labs=force``, cold) and taking them
    from the cache (warm), against the same build with ``--labs=off``."""
    seconds: dict[str, float] = {}
    line = ""
    with tempfile.TemporaryDirectory(prefix="mlsysgen-bench-labs-") as tmp:
        project = copy_project(ROOT / "content", Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for mode in ("off", "force", "cache"):
            command = [sys.executable, "-m", "mlsysgen", "build", str(project), "--to", "html",
                       "--no-cache", "--labs", mode, "--out", str(Path(tmp) / mode)]  # fmt: skip
            if mode != "off":
                command.remove("--no-cache")  # the lab cache lives with the parse cache
            started = time.perf_counter()
            proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                  check=False)  # fmt: skip
            seconds[mode] = time.perf_counter() - started
            found = re.search(r"^labs: .*$", proc.stderr, re.MULTILINE)
            line = found.group(0) if found and mode == "force" else line
            if proc.returncode != 0:
                return f"labs (sample book): the {mode} build failed: {proc.stderr.strip()[-400:]}"
    return (f"labs (sample book): {line.removeprefix('labs: ')}; build with every lab verified "
            f"(cold) {seconds['force']:.1f} s, from the cache (warm) {seconds['cache']:.1f} s, "
            f"with --labs=off {seconds['off']:.1f} s")  # fmt: skip


def find_corpus(arg: str) -> Path | None:
    """The corpus folder: as given (relative to the working folder), else relative to the repo."""
    for candidate in (Path(arg), ROOT / arg):
        if (candidate / "_quarto.yml").exists():
            return candidate.resolve()
    return None


def bench_citations(corpus: Path) -> None:
    """Time loading the real book's .bib files (cold and from the content-hash cache) and
    formatting every citation and bibliography entry with the default style."""
    from mlsysgen.citations.bibtex import load_bibtex_cached, merge
    from mlsysgen.citations.csl import CitationProcessor, CiteRef

    bibs = sorted(corpus.glob("contents/core/*/*.bib"))
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        files = [load_bibtex_cached(p, p.name, Path(cache)) for p in bibs]
        cold = time.perf_counter() - started
        started = time.perf_counter()
        files = [load_bibtex_cached(p, p.name, Path(cache)) for p in bibs]
        warm = time.perf_counter() - started
    items, _ = merge(files)
    keys = sorted(items)
    started = time.perf_counter()
    processor = CitationProcessor(items)
    processor.register(keys)
    for key in keys:
        processor.cite([CiteRef(key)])
    processor.bibliography(keys)
    formatting = time.perf_counter() - started
    print(
        f"citations (real book): load {len(bibs)} .bib files ({sum(len(f.entries) for f in files)} entries) "
        f"{cold:.2f} s cold, {warm:.3f} s cached; format {len(keys)} citations + entries "
        f"(Chicago author-date) {formatting:.2f} s"
    )


def bench_diagrams(corpus: Path, keep: Path) -> str:
    """Time the real book's TikZ diagrams drawn by TeX into an empty cache, then taken from
    it (in-process, transforms only); the drawings are left in ``keep``. Returns the
    report line."""
    from mlsysgen.build import BuildOptions, build
    from mlsysgen.diagrams import find_toolchain
    from mlsysgen.diagrams.engines import MissingTool
    from mlsysgen.errors import BuildFailed

    try:
        tools = find_toolchain("lualatex")
    except MissingTool as exc:
        return f"TikZ diagrams (real book): skipped: {exc} (make tikz-deps)"
    with tempfile.TemporaryDirectory(prefix="mlsysgen-bench-") as tmp:
        project = copy_project(corpus, Path(tmp))
        shutil.rmtree(project / "_diagrams", ignore_errors=True)  # cold: nothing drawn yet
        stats: list[dict[str, float]] = []
        for step in ("cold", "cached"):
            print(f"[real book] TikZ diagrams, {step} …", flush=True)
            try:
                result = build(project, BuildOptions(formats=["html"], write=False, cache=False))
            except BuildFailed as exc:
                result = exc.result  # type: ignore[assignment]
            stats.append(result.contexts["html"].data.get("diagrams", {}))  # type: ignore[attr-defined]
        shutil.copytree(project / "_diagrams", keep, dirs_exist_ok=True)
    cold, cached = stats
    return (
        f"TikZ diagrams (real book): {cold.get('blocks', 0)} blocks, {cold.get('drawn', 0)} drawn "
        f"by {tools.engine.name} + {tools.converter.name} in {cold.get('seconds', 0):.1f} s cold "
        f"({os.cpu_count()} CPUs), {cold.get('failed', 0)} failed; "
        f"{cached.get('seconds', 0):.2f} s from the cache ({cached.get('drawn', 0)} drawn)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default="../shared/corpus/mlsysbook", help="the real textbook's folder"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="repetitions of each step (median time reported)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, runs per step: {args.runs}, "
          f"memory via {'GNU time' if GNU_TIME.exists() else 'in-process runner'}")  # fmt: skip
    pandoc = pandoc_path()
    rows = [bench_target(sample_target(), args.runs, pandoc)]
    corpus = find_corpus(args.corpus)
    diagrams = ""
    with tempfile.TemporaryDirectory(prefix="mlsysgen-bench-diagrams-") as drawn:
        if corpus is None:
            print(f"real book: skipped: corpus not found at {args.corpus}")
        else:
            diagrams = bench_diagrams(corpus, Path(drawn))
            rows.append(bench_target(corpus_target(corpus), args.runs, pandoc, Path(drawn)))
    print_table(rows)
    print_packages(rows)
    print(bench_labs())
    if corpus is not None:
        print_target(rows[-1])
        bench_citations(corpus)
        print(diagrams)
    return 0 if all(r.clean.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
