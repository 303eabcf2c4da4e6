"""``python -m mlsysgen build|check|clean|new``: argument parsing only.

Exit status: 0 success, 1 errors in the book (already reported), 2 usage.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .build import FORMATS, BuildOptions, build, cache_folder, summary
from .config.load import load_project
from .errors import BuildFailed, MlsysgenError
from .starter import write_starter


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
    b = sub.add_parser("build", help="build the book")
    b.add_argument(
        "project", nargs="?", default=".", type=Path, help="folder with book.yml or _quarto.yml"
    )
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
    return parser


def _build(args: argparse.Namespace) -> int:
    options = BuildOptions(formats=args.formats or [], out=args.out, strict=args.strict,
                           cache=not args.no_cache, stream=sys.stderr, labs=args.labs,
                           keep_going=args.keep_going)  # fmt: skip
    result = build(args.project, options)
    print(f"built {result.out}: {summary(result)}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    result = build(args.project, BuildOptions(strict=args.strict, write=False, stream=sys.stderr))
    print(f"checked: {summary(result)}", file=sys.stderr)
    return 0


def _clean(args: argparse.Namespace) -> int:
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
    write_starter(args.directory)
    print(f"created a starter book in {args.directory}; build it with: python -m mlsysgen build {args.directory}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
