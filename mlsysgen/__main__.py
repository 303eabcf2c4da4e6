"""``python -m mlsysgen build|check|clean|new|doctor|list|deploy``: argument parsing only.

Exit status: 0 success, 1 errors in the book (already reported), 2 usage.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import NoReturn

from . import CONFIG_NAMES, FORMATS
from .errors import BuildFailed, MlsysgenError

# Commands import what they use when they run: a build that finds nothing changed must
# not pay for importing the whole pipeline first.


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except BuildFailed as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except MlsysgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlsysgen", description="Build technical textbooks.")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build the book, or only some chapters of it")
    b.add_argument("targets", nargs="*", metavar="[PROJECT] [CHAPTER,...]",
                   help="folder with book.yml or _quarto.yml (default: .), then chapters to "
                        "build alone (file stem, id or title prefix; comma-separated)")  # fmt: skip
    b.add_argument(
        "--to", action="append", choices=FORMATS, dest="formats", help="output format (repeatable)"
    )
    b.add_argument("--out", type=Path, help="output folder (default from the config)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument(
        "--no-cache", action="store_true", help="ignore and do not write the parse cache"
    )
    b.add_argument("--labs", choices=("cache", "force", "off", "frozen"), default="cache",
                   help="lab snippets: run what changed (cache), rerun all (force), show code "
                        "only (off), or use only cached results (frozen)")  # fmt: skip
    b.add_argument("--keep-going", action="store_true",
                   help="report every failing lab, not just the first")  # fmt: skip
    b.add_argument("--volume", action="append", dest="volumes", default=[], metavar="N",
                   help="package volume N (its number, roman numeral or id; 'all': the "
                        "combined edition) as PDF/EPUB and render only its pages of the "
                        "site; repeatable")  # fmt: skip
    b.set_defaults(run=_build)
    c = sub.add_parser("check", help="parse, index and report problems without writing")
    c.add_argument("project", nargs="?", default=".", type=Path)
    c.add_argument("--strict", action="store_true")
    c.set_defaults(run=_check)
    cl = sub.add_parser("clean", help="remove the output folder and the cache")
    cl.add_argument("project", nargs="?", default=".", type=Path)
    cl.set_defaults(run=_clean)
    n = sub.add_parser("new", help="create a minimal starter book")
    n.add_argument("directory", type=Path)
    n.set_defaults(run=_new)
    _add_tool_parsers(sub)
    _add_preview_parsers(sub)
    return parser


def _add_tool_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("doctor", help="check the tools the book needs and how to install them")
    d.add_argument("project", nargs="?", type=Path, help="book folder (default: the current one)")
    d.add_argument("--to", action="append", choices=FORMATS, dest="formats",
                   help="format you will build (repeatable; default from the config)")  # fmt: skip
    d.set_defaults(run=_doctor)
    ls = sub.add_parser("list", help="print parts and chapters with numbers and counts")
    ls.add_argument("project", nargs="?", default=".", type=Path)
    ls.set_defaults(run=_list)
    dp = sub.add_parser("deploy", help="prepare the built site for publishing")
    dp.add_argument("project", nargs="?", default=".", type=Path)
    dp.add_argument("--github-pages", action="store_true", required=True,
                    help="add .nojekyll and CNAME, check 404.html")  # fmt: skip
    dp.add_argument("--build", action="store_true", help="build even if the site exists")
    dp.add_argument("--to", action="append", choices=FORMATS, dest="formats",
                    help="formats to build (repeatable; default from the config)")  # fmt: skip
    dp.add_argument("--out", type=Path, help="the site folder (default from the config)")
    dp.set_defaults(run=_deploy)


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import SystemProbe, exit_status, needs_for, report, run_checks

    needs = needs_for(args.project or Path("."), args.project is not None, args.formats or [])
    checks = run_checks(SystemProbe(), needs)
    print("\n".join(report(needs, checks)))
    return exit_status(checks)


def _list(args: argparse.Namespace) -> int:
    from .listing import list_book

    lines, diagnostics = list_book(args.project)
    print("\n".join(lines))
    for error in diagnostics.errors:  # warnings are the build's business, not the outline's
        print(error, file=sys.stderr)
    return 1 if diagnostics.errors else 0


def _deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployOptions, deploy_github_pages

    options = DeployOptions(out=args.out, build=args.build, formats=args.formats or [],
                            stream=sys.stderr)  # fmt: skip
    deploy_github_pages(args.project, options)
    return 0


def _add_preview_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("serve", help="preview the site, rebuilding and reloading on every change")
    s.add_argument("targets", nargs="*", metavar="[PROJECT] [CHAPTER|FILE]",
                   help="the book (default: .) and the chapter to open, e.g. "
                        "contents/intro/intro.qmd or intro")  # fmt: skip
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free)")
    s.add_argument("--out", type=Path, help="folder for the preview site (default: a temporary one)")
    s.add_argument("--strict", action="store_true", help="treat warnings as errors")
    s.add_argument("--no-open", action="store_true", help="do not open a browser")
    s.set_defaults(run=_serve)
    st = sub.add_parser("status", help="what the next build would redo, and why")
    st.add_argument("targets", nargs="*", metavar="[PROJECT] [CHAPTER,...]")
    st.add_argument("--to", action="append", choices=FORMATS, dest="formats",
                    help="the build command's formats (as given to build)")  # fmt: skip
    st.add_argument("--out", type=Path, help="the build command's output folder")
    st.set_defaults(run=_status)


def _status(args: argparse.Namespace) -> int:
    from .status import status_lines

    project, chapters = project_and_chapters(args.targets)
    options = _command_options(args, chapters, strict=False, labs="cache", keep_going=False)
    print("\n".join(status_lines(project, options)))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import tempfile
    import webbrowser

    from .serve import Preview, serve

    project, chapters = project_and_chapters(args.targets)
    out = args.out or Path(tempfile.mkdtemp(prefix="mlsysgen-preview-")) / "site"
    preview = Preview(project, out, strict=args.strict)

    def ready(url: str) -> None:
        page = url + preview.page_for(chapters[0] if chapters else "")
        print(f"serving {out} at {page} (Ctrl-C stops)", file=sys.stderr, flush=True)
        if not args.no_open:
            webbrowser.open(page)

    serve(preview, args.host, args.port, ready=ready)
    return 0


def project_and_chapters(targets: list[str]) -> tuple[Path, list[str]]:
    """``[PROJECT] [CHAPTER,...]`` → the project folder and the chapter names. A chapter
    may be given as a file path; the project is then the folder above it with a config."""
    if not targets:
        return Path("."), []
    first = Path(targets[0])
    if first.is_dir() and any((first / name).is_file() for name in CONFIG_NAMES):
        return first, targets[1:]
    if first.is_file():
        for folder in first.resolve().parents:
            if any((folder / name).is_file() for name in CONFIG_NAMES):
                return folder, [first.resolve().relative_to(folder).as_posix(), *targets[1:]]
    return Path("."), targets


def _build(args: argparse.Namespace) -> int:
    project, chapters = project_and_chapters(args.targets)
    done, inputs = _up_to_date(project, args, chapters)
    if done:
        return 0
    from .build import BuildOptions, build, summary

    options = BuildOptions(formats=args.formats or [], out=args.out, strict=args.strict,
                           cache=not args.no_cache, stream=sys.stderr, labs=args.labs,
                           keep_going=args.keep_going, chapters=chapters,
                           volumes=args.volumes)  # fmt: skip
    options.record, options.inputs = True, inputs
    # A one-shot command: the build runs without cyclic collection (see Session.build),
    # and turning it back on afterwards would scan the whole book's objects once more
    # just before the process exits (60 ms for one chapter of the real book).
    gc.disable()
    global _RESULT
    _RESULT = result = build(project, options)
    print(f"built {result.out}: {summary(result)}", file=sys.stderr)
    return 0


def _up_to_date(
    project: Path, args: argparse.Namespace, chapters: list[str]
) -> tuple[bool, dict[str, str] | None]:
    """The no-change fast path: the same command ran last with nothing changed since.
    Also returns the input hashes it took, which the build records instead of rehashing."""
    from .stamp import fresh

    if args.no_cache or args.labs == "force" or not (project / ".").is_dir():
        return False, None
    options = _command_options(args, chapters, strict=args.strict, labs=args.labs,
                               keep_going=args.keep_going)  # fmt: skip
    stamp, inputs = fresh(project, _command_key(project, options))
    if stamp is None:
        return False, inputs
    for message in stamp.messages:
        print(message, file=sys.stderr)
    print(f"up to date: {stamp.out}: {stamp.summary} (nothing changed since that build)",
          file=sys.stderr)  # fmt: skip
    return True, inputs


def _command_options(args: argparse.Namespace, chapters: list[str], **rest: object) -> dict[str, object]:
    """The options a build records in its stamp (``BuildOptions.command_key``), from the
    command line, without importing the pipeline."""
    return {"formats": args.formats or [], "out": args.out, "chapters": chapters,
            "volumes": getattr(args, "volumes", None) or [], **rest}  # fmt: skip


def _command_key(project: Path, options: dict[str, object]) -> str:
    from .stamp import command_key

    return command_key(project, **options)


def _check(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build, summary

    result = build(args.project, BuildOptions(strict=args.strict, write=False, stream=sys.stderr))
    print(f"checked: {summary(result)}", file=sys.stderr)
    return 0


def _clean(args: argparse.Namespace) -> int:
    from .config.load import load_project
    from .stamp import cache_folder

    project = load_project(args.project)
    cache = cache_folder(project.root)
    if cache.parent.name == ".mlsysgen":
        cache = cache.parent  # the project's own .mlsysgen/ folder goes entirely
    for folder in (project.root / project.config.output_dir, cache):
        if folder.exists():
            shutil.rmtree(folder)
            print(f"removed {folder}", file=sys.stderr)
    return 0


def _new(args: argparse.Namespace) -> int:
    from .starter import write_starter

    write_starter(args.directory)
    print(f"created a starter book in {args.directory}; build it with: python -m mlsysgen build {args.directory}",
          file=sys.stderr)  # fmt: skip
    return 0


_RESULT: object = None
"""The last build's result, freed by the process's exit rather than by ``_build``."""


def run() -> NoReturn:
    """The console entry point: ``main()``, then exit without freeing the build's objects
    one by one (a quarter of a second for the real book's million-odd tokens, spent
    after the work is done). Threads are joined and exit handlers run first, as a
    normal interpreter exit does."""
    status = main()
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
