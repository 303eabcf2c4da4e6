"""Check the internal links of a built HTML site.

Every ``*.html`` file under the output folder is parsed once with the standard library's
``html.parser``; each page contributes its set of anchor targets (every ``id=``, and
``name=`` on ``<a>``) and its outgoing references (``href`` of ``<a>``/``<link>``, ``src``
and ``srcset`` of ``<img>``/``<script>``/``<iframe>``/``<source>``/``<audio>``/``<video>``).

A reference is then resolved without touching the network:

* anything with a URL scheme (``https:``, ``mailto:``, ``data:`` …) or a host (``//cdn``)
  is external and skipped;
* a relative path is resolved against the page's folder (``..``, ``%``-escapes; the query
  string is dropped; a trailing ``/`` or a folder means its ``index.html``);
* a root-relative path (``/x``) is resolved against ``base_path``, the folder the site is
  served from.

It is broken when the target file does not exist, when the path leaves the site, or when
its ``#fragment`` names no element of the target page (``#`` alone is fine).

Run as ``python -m mlsysgen.linkcheck SITE [--base-path /book/]``.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
}
HTML_SUFFIXES = (".html", ".htm")

# One unit of a start tag: an unquoted character or a whole quoted value (never ``>``).
_UNIT = r"""(?:[^"'>]|"[^"]*"|'[^']*')"""
_HIDDEN = re.compile(
    rf"<!--.*?(?:-->|\Z)|(?P<open><(?P<raw>script|style)\b{_UNIT}*>).*?(?:</(?P=raw)\s*>|\Z)",
    re.S | re.I,
)
_WANTED_TAG = re.compile(
    rf"<(?P<name>[a-zA-Z][^\s/>]*){_UNIT}*?\s(?:id|name|href|src|srcset|poster)\s*={_UNIT}*>",
    re.I,
)


@dataclass(frozen=True)
class BrokenLink:
    """One reference that does not resolve; ``page`` is relative to the site folder."""

    page: str
    href: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: broken link '{self.href}': {self.reason}"


@dataclass
class Page:
    """What the checker needs from one HTML file."""

    ids: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects anchor targets and outgoing references of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LINK_ATTRS.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)
            elif name in wanted:
                self.page.refs.extend(_split_srcset(value) if name == "srcset" else [value])

    handle_startendtag = handle_starttag


def _split_srcset(value: str) -> list[str]:
    """The URLs of a ``srcset`` list (``a.png 1x, b.png 2x``)."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


def parse_page(text: str) -> Page:
    """Anchor targets and references of one HTML document, every tag through the parser."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.page


def scan_page(text: str) -> Page:
    """The same as :func:`parse_page`, several times faster on large pages: comments and
    script/style bodies are cut out, and only the start tags carrying an attribute the
    checker reads go through ``html.parser`` (which still does the quoting and entities)."""
    text = _HIDDEN.sub(lambda m: m.group("open") or "", text)
    tags = []
    for match in _WANTED_TAG.finditer(text):
        tags.append(match.group())
        if match.group("name").lower() in ("script", "style"):
            tags.append(f"</{match.group('name')}>")  # leave the parser's raw-text mode
    return parse_page("".join(tags))


def load_site(out_dir: Path) -> dict[str, Page]:
    """Every HTML page under ``out_dir``, keyed by its POSIX path relative to it."""
    pages: dict[str, Page] = {}
    for path in sorted(out_dir.rglob("*")):
        if path.suffix.lower() in HTML_SUFFIXES and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            pages[path.relative_to(out_dir).as_posix()] = scan_page(text)
    return pages


def is_external(href: str) -> bool:
    """True for references with a scheme (``https:``, ``mailto:``, ``data:``) or a host."""
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc)


def _normalise_base(base_path: str) -> str:
    """``book`` / ``/book`` / ``/book/`` → ``/book/``."""
    return "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"


def resolve(page: str, path: str, base_path: str = "/") -> tuple[str | None, str]:
    """Site-relative target of ``path`` (already unquoted, no query or fragment) seen from
    ``page``; ``(None, reason)`` when it leaves the site."""
    if path.startswith("/"):
        base = _normalise_base(base_path)
        if not (path + "/").startswith(base) and path != base.rstrip("/"):
            return None, f"outside the base path '{base}'"
        rel = path[len(base) :]
    else:
        rel = posixpath.join(posixpath.dirname(page), path)
    trailing = rel.endswith("/") or rel == ""
    rel = posixpath.normpath(rel) if rel else "."
    if rel == ".." or rel.startswith("../"):
        return None, "points outside the site"
    if trailing:
        rel = posixpath.join(rel, "index.html")
    return posixpath.normpath(rel), ""


class _Checker:
    """Resolves references against the site, remembering which files exist."""

    def __init__(self, out_dir: Path, pages: dict[str, Page], base_path: str) -> None:
        self.out_dir = out_dir
        self.pages = pages
        self.base_path = base_path
        self._exists: dict[str, str | None] = {}
        self._verdicts: dict[tuple[str, str], str | None] = {}

    def target_file(self, rel: str) -> str | None:
        """The existing file ``rel`` names (a folder means its index.html), else None."""
        if rel not in self._exists:
            if rel in self.pages:
                found: str | None = rel
            else:
                path = self.out_dir / rel
                if path.is_dir():
                    index = posixpath.normpath(posixpath.join(rel, "index.html"))
                    found = index if (self.out_dir / index).is_file() else None
                else:
                    found = rel if path.is_file() else None
            self._exists[rel] = found
        return self._exists[rel]

    def check(self, page: str, href: str) -> str | None:
        """Why ``href`` on ``page`` is broken, or None when it resolves (memoised: the
        sidebar repeats the same links from every page of a folder)."""
        key = (page if href.lstrip()[:1] in ("#", "?") else posixpath.dirname(page), href)
        if key not in self._verdicts:
            self._verdicts[key] = self._check(page, href)
        return self._verdicts[key]

    def _check(self, page: str, href: str) -> str | None:
        parts = urlsplit(href.strip())
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        if path:
            rel, why = resolve(page, path, self.base_path)
            if rel is None:
                return why
            target = self.target_file(rel)
            if target is None:
                return f"no such file '{rel}'"
        else:
            target = page
        return self.check_fragment(target, fragment)

    def check_fragment(self, target: str, fragment: str) -> str | None:
        if not fragment or fragment.startswith(":~:"):  # text fragments are not ids
            return None
        page = self.pages.get(target)
        if page is None or fragment in page.ids:  # non-HTML targets have no ids to check
            return None
        return f"no element with id '{fragment}'"


def check_pages(out_dir: Path, pages: dict[str, Page], base_path: str = "/") -> list[BrokenLink]:
    """Check already-parsed pages; see :func:`check_site`."""
    checker = _Checker(out_dir, pages, base_path)
    broken: list[BrokenLink] = []
    for name, page in pages.items():
        for href in page.refs:
            if not href.strip() or is_external(href.strip()):
                continue
            reason = checker.check(name, href)
            if reason is not None:
                broken.append(BrokenLink(name, href, reason))
    return broken


def check_site(out_dir: Path, base_path: str = "/") -> list[BrokenLink]:
    """Every broken internal link, image or script reference of the site in ``out_dir``,
    page by page in document order. ``base_path`` is where the site is served from, used
    for root-relative references (``/static/x.css`` under ``base_path="/book/"``)."""
    out_dir = Path(out_dir)
    return check_pages(out_dir, load_site(out_dir), base_path)


def main(argv: list[str] | None = None) -> int:
    """Print the broken links of a built site; exit status 1 when there are any."""
    parser = argparse.ArgumentParser(
        prog="python -m mlsysgen.linkcheck", description=__doc__.splitlines()[0]
    )
    parser.add_argument("site", type=Path, help="the built site folder")
    parser.add_argument(
        "--base-path", default="/", help="URL path the site is served from (default /)"
    )
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"error: {args.site} is not a folder", file=sys.stderr)
        return 2
    broken = check_site(args.site, args.base_path)
    for link in broken:
        print(link)
    print(f"{len(broken)} broken link{'s' * (len(broken) != 1)}", file=sys.stderr)
    return 1 if broken else 0


__all__ = [
    "BrokenLink",
    "Page",
    "check_pages",
    "check_site",
    "is_external",
    "load_site",
    "main",
    "parse_page",
    "resolve",
    "scan_page",
]

if __name__ == "__main__":
    sys.exit(main())
