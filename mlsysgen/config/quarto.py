"""Translate a Quarto project (``_quarto.yml``) into book.yml's shape.

Handled: the symlink-stored-as-text trick, ``metadata-files``, ``project.type``
``book`` (``book.chapters`` with ``part:`` entries, ``book.appendices``) and
``website`` (``website.sidebar`` contents with ``section:`` groups and
``href``/``text`` entries; unlisted pages are rendered too, as Quarto does; sections
titled "Volume I: …" become volumes, their sub-sections parts), the
format options that change output (for PDF and EPUB also from ``_quarto-pdf.yml`` and
``_quarto-epub.yml`` beside the config: :func:`_translate_format_files`), and the TikZ
settings of ``diagram:``. Keys that change nothing here are ignored with
one summary note, never an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .validate import Problems
from .yamlio import KeyPath, YamlDoc, load_yaml_file

_FORMAT_KEYS = {
    "toc": "toc",
    "toc-depth": "toc-depth",
    "toc-title": "toc-title",
    "number-sections": "number-sections",
    "number-depth": "number-depth",
    "reference-location": "reference-location",
    "citation-location": "citation-location",
    "code-copy": "code-copy",
    "link-external-newwindow": "link-external-newwindow",
}
_CROSSREF_KEYS = {
    "fig-prefix", "tbl-prefix", "lst-prefix", "eq-prefix", "sec-prefix", "ch-prefix",
    "appendix-title", "appendix-delim", "chapters", "title-delim",
}  # fmt: skip
_USED_TOP = {"project", "book", "website", "format", "bibliography", "crossref", "csl", "lang",
             "title", "subtitle", "author", "date", "description", "metadata-files",
             "filter-metadata", "diagram"}  # fmt: skip
_NUMBERED_PAGE_EXT = (".qmd", ".md")
_VOLUME_TITLE = re.compile(r"^\s*Volume\s+(?:[IVXLC]+|\d+)\b\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE)
_HAND_NUMBER = re.compile(r"^\s*(?:\d+|[IVXLC]+)\.\s+")


class _Translation:
    """Collects the translated mapping and where each value came from."""

    def __init__(self, source: YamlDoc) -> None:
        self.source = source
        self.out: dict[str, Any] = {}
        self.doc = YamlDoc(self.out, source.path)

    def put(self, dest: KeyPath, value: Any, src: KeyPath) -> None:
        node = self.out
        for key in dest[:-1]:
            node = node.setdefault(key, {})
        node[dest[-1]] = value
        self.doc.lines[dest] = self.source.where(src).line or 1


def resolve_config_file(root: Path, path: Path) -> Path:
    """Follow a symlink stored as a text file (a one-line file naming another yml)."""
    for _ in range(8):
        text = path.read_text(encoding="utf-8").strip()
        if "\n" in text or not text.endswith((".yml", ".yaml")):
            return path
        target = (path.parent / text).resolve()
        if not target.is_file():
            target = (root / text).resolve()
        if not target.is_file():
            raise ConfigError(
                f"{path}:1: names '{text}', which does not exist; "
                "restore the file or replace the link with the config itself"
            )
        path = target
    raise ConfigError(f"{path}: too many levels of config links")


def translate_quarto(
    root: Path, config_path: Path, problems: Problems
) -> tuple[YamlDoc, list[str]]:
    """Read ``_quarto.yml`` (and its metadata files) into a book.yml-shaped YamlDoc."""
    real = resolve_config_file(root, config_path)
    source = load_yaml_file(real, _rel(root, real))
    data = source.data if isinstance(source.data, dict) else {}
    for extra in _as_list(data.get("metadata-files")):
        extra_doc = load_yaml_file(root / str(extra), str(extra))
        if isinstance(extra_doc.data, dict):
            data = _deep_merge(extra_doc.data, data)
    source.data = data
    tr = _Translation(source)
    ignored = sorted(k for k in data if k not in _USED_TOP)
    project_type = (data.get("project") or {}).get("type", "default")
    _translate_metadata(tr, data)
    _translate_cname(tr, root)
    if project_type == "book":
        _translate_book(tr, data.get("book") or {})
    else:
        _translate_website(tr, root, data.get("website") or {})
    output_dir = (data.get("project") or {}).get("output-dir")
    if output_dir:
        tr.put(("output-dir",), output_dir, ("project", "output-dir"))
    _translate_formats(tr, data)
    notes = _translate_format_files(tr, root, real, data)
    _translate_crossref(tr, data.get("crossref") or {})
    _translate_callout_labels(tr, data.get("filter-metadata") or {})
    _translate_diagram(tr, data.get("diagram"))
    if ignored:
        notes.append(
            f"{source.path}: ignored Quarto options with no effect here: {', '.join(ignored)}"
        )
    return tr.doc, notes


def _translate_metadata(tr: _Translation, data: dict[str, Any]) -> None:
    book = data.get("book") or {}
    website = data.get("website") or {}
    for key in ("title", "subtitle", "description", "date"):
        for section, path in ((book, ("book", key)), (website, ("website", key)), (data, (key,))):
            if isinstance(section, dict) and section.get(key):
                tr.put((key,), section[key], path)
                break
    authors = book.get("author") or data.get("author")
    if authors:
        tr.put(("authors",), _author_names(authors), ("author",))
    if data.get("lang"):
        tr.put(("language",), data["lang"], ("lang",))
    if data.get("bibliography"):
        tr.put(("bibliography",), _as_list(data["bibliography"]), ("bibliography",))
    if data.get("csl"):
        tr.put(("csl",), data["csl"], ("csl",))
    site = {**website, **book}
    for key, dest in (("site-url", "url"), ("repo-url", "repo-url"), ("favicon", "favicon")):
        if site.get(key):
            tr.put(("site", dest), site[key], ("website", key))
    announcement = (website.get("announcement") or {}) if isinstance(website, dict) else {}
    if isinstance(announcement, dict) and announcement.get("content"):
        tr.put(("site", "announcement"), announcement["content"], ("website", "announcement"))
    footer = website.get("page-footer") or {}
    if isinstance(footer, dict):
        parts = [footer[k] for k in ("left", "center") if isinstance(footer.get(k), str)]
        if parts:
            tr.put(
                ("site", "footer"), " · ".join(p.strip() for p in parts), ("website", "page-footer")
            )
    og = website.get("open-graph") or {}
    if isinstance(og, dict) and og.get("image"):
        tr.put(("site", "og-image"), og["image"], ("website", "open-graph", "image"))


def _translate_cname(tr: _Translation, root: Path) -> None:
    """A GitHub Pages custom domain kept, as Quarto projects do, in a root ``CNAME`` file."""
    path = root / "CNAME"
    words = path.read_text(encoding="utf-8").split() if path.is_file() else []
    if words:
        tr.out.setdefault("site", {})["cname"] = words[0]


def _translate_book(tr: _Translation, book: dict[str, Any]) -> None:
    chapters = []
    for i, entry in enumerate(_as_list(book.get("chapters"))):
        if isinstance(entry, dict) and "part" in entry:
            part = str(entry["part"])
            item: dict[str, Any] = {"part": part, "chapters": _nav_items(entry.get("chapters"))}
            if part.endswith(_NUMBERED_PAGE_EXT):
                item = {"part": Path(part).stem.replace("_", " ").title(), "file": part,
                        "chapters": item["chapters"]}  # fmt: skip
            chapters.append(item)
        else:
            chapters.extend(_nav_items([entry]))
        tr.doc.lines[("chapters", len(chapters) - 1)] = (
            tr.source.where(("book", "chapters", i)).line or 1
        )
    tr.put(("chapters",), chapters, ("book", "chapters"))
    if book.get("appendices"):
        tr.put(("appendices",), _nav_items(book["appendices"]), ("book", "appendices"))


def _translate_website(tr: _Translation, root: Path, website: dict[str, Any]) -> None:
    sidebar = website.get("sidebar")
    if isinstance(sidebar, list):
        sidebar = sidebar[0] if sidebar else {}
    contents = (sidebar or {}).get("contents") or []
    front: list[Any] = []
    chapters: list[Any] = []
    volumes: list[dict[str, Any]] = []
    back: list[Any] = []
    for entry in _as_list(contents):
        volume = _volume(entry)
        if volume is not None:
            volumes.append(volume)
        elif isinstance(entry, dict) and "section" in entry:
            part = {"part": str(entry["section"]), "id": str(entry.get("id", "")),
                    "chapters": _nav_items(entry.get("contents"))}  # fmt: skip
            if volumes:  # after the volumes: shared back matter (the glossary)
                back.extend(part["chapters"])
            else:
                chapters.append(part)
        elif isinstance(entry, dict) and entry.get("text") == "---":
            continue
        elif volumes:
            back.extend(_nav_items([entry]))
        elif chapters:
            chapters.extend(_nav_items([entry]))
        else:
            front.extend(_nav_items([entry]))
    tr.put(("front-matter",), front, ("website", "sidebar"))
    tr.put(("chapters",), chapters, ("website", "sidebar"))
    if volumes:
        tr.put(("volumes",), volumes, ("website", "sidebar"))
        tr.put(("back-matter",), back, ("website", "sidebar"))
    listed = {i["file"] for i in [*front, *back] if i.get("file")}
    for part in [*chapters, *(p for v in volumes for p in v["chapters"])]:
        for item in part.get("chapters", [part]):
            if item.get("file"):
                listed.add(item["file"])
    tr.put(("extra-pages",), _unlisted_pages(root, listed), ("website",))


def _volume(entry: Any) -> dict[str, Any] | None:
    """A sidebar section titled "Volume I: …" (the upstream two-volume sidebar) → a
    volume whose sub-sections are its parts. Sidebar titles carry hand-written numbers
    ("5. Workflow", "II. Building"); they are dropped, as the volume numbers its own."""
    if not isinstance(entry, dict) or "section" not in entry:
        return None
    heading = _VOLUME_TITLE.match(str(entry["section"]))
    if heading is None:
        return None
    chapters: list[dict[str, Any]] = []
    for item in _as_list(entry.get("contents")):
        if isinstance(item, dict) and "section" in item:
            chapters.append({"part": _unnumbered(str(item["section"])),
                             "id": str(item.get("id", "")),
                             "chapters": _unnumbered_items(item.get("contents"))})  # fmt: skip
        else:
            chapters.extend(_unnumbered_items([item]))
    volume = {"title": heading[1] or str(entry["section"]), "chapters": chapters}
    return {**volume, "id": str(entry["id"])} if entry.get("id") else volume


def _unnumbered_items(entries: Any) -> list[dict[str, str]]:
    items = _nav_items(entries)
    for item in items:
        if item.get("title"):
            item["title"] = _unnumbered(item["title"])
    return items


def _unnumbered(title: str) -> str:
    return _HAND_NUMBER.sub("", title, count=1)


def _unlisted_pages(root: Path, listed: set[str]) -> list[str]:
    """Quarto renders every page of a website project, listed or not."""
    pages = []
    for folder, dirs, files in os.walk(root):
        # Quarto skips files and folders named _* or .* (the output, caches, partials).
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        base = Path(folder).relative_to(root).as_posix()
        for name in files:
            rel = name if base == "." else f"{base}/{name}"
            if name.startswith(("_", ".")) or rel in listed or rel.lower() == "readme.md":
                continue
            if Path(name).suffix in _NUMBERED_PAGE_EXT:
                pages.append(rel)
    return sorted(pages, key=lambda rel: rel.split("/"))  # as paths sort: by folder, then name


def _nav_items(entries: Any) -> list[dict[str, str]]:
    items = []
    for entry in _as_list(entries):
        if isinstance(entry, str):
            items.append({"file": entry})
        elif isinstance(entry, dict):
            href = str(entry.get("href") or entry.get("file") or "")
            title = str(entry.get("text") or "")
            if title == "---" or not href:
                continue
            key = "url" if "://" in href or href.startswith(("/", "..")) else "file"
            items.append({key: href, "title": title} if title else {key: href})
    return items


def _translate_formats(tr: _Translation, data: dict[str, Any]) -> None:
    formats = data.get("format") or {}
    for fmt, src_name in (("html", "html"), ("pdf", "pdf"), ("epub", "epub")):
        options = formats.get(src_name) if isinstance(formats, dict) else None
        if not isinstance(options, dict):
            continue
        for key, dest in _FORMAT_KEYS.items():
            if key in options:
                tr.put((fmt, dest), options[key], ("format", src_name, key))


_FORMAT_FILE_VALUES: dict[str, type | tuple[str, ...]] = {
    "toc": bool,
    "toc-depth": int,
    "toc-title": str,
    "number-sections": bool,
    "number-depth": int,
    "reference-location": ("margin", "document", "section", "block"),
    "citation-location": ("margin", "document"),
}
"""The options read from a per-format config, and the values they may take here."""


def _translate_format_files(
    tr: _Translation, root: Path, config: Path, data: dict[str, Any]
) -> list[str]:
    """PDF and EPUB options from per-format configs: a book that builds each format with
    its own Quarto config keeps ``_quarto-pdf.yml`` and ``_quarto-epub.yml`` beside the one
    ``_quarto.yml`` names (the real textbook's ``config/``), or beside ``_quarto.yml``.
    Such a file is read for its format's options only (toc, depth, numbering, note
    placement) from its ``format:`` entry named ``pdf`` (``epub``) or ending in ``-pdf``
    (an extension format such as ``titlepage-pdf``). Options in the main config's own
    ``format: pdf:`` win: then the file is not read. Values that mean nothing here (such
    as ``citation-location: block``) are left out with a note."""
    notes: list[str] = []
    formats = data.get("format") if isinstance(data.get("format"), dict) else {}
    for fmt in ("pdf", "epub"):
        if isinstance(formats.get(fmt), dict):
            continue
        names = [folder / f"_quarto-{fmt}.yml" for folder in (config.parent, root)]
        path = next((p for p in names if p.is_file() and p.resolve() != config.resolve()), None)
        if path is None:
            continue
        doc = load_yaml_file(path, _rel(root, path))
        entry, options = _format_entry(doc.data, fmt)
        skipped = []
        for key, allowed in _FORMAT_FILE_VALUES.items():
            if key not in options:
                continue
            value = options[key]
            if not _allowed(value, allowed):
                skipped.append(f"{key}: {value}")
                continue
            tr.out.setdefault(fmt, {})[_FORMAT_KEYS[key]] = value
            tr.doc.lines[(fmt, _FORMAT_KEYS[key])] = doc.where(("format", entry, key)).line or 1
        _translate_packaged_book(tr, doc, fmt, options)
        if skipped:
            line = doc.where(("format", entry)).line or 1
            notes.append(
                f"{doc.path}:{line}: {fmt} options with no meaning here, left out: "
                f"{', '.join(skipped)}"
            )
    return notes


_PRINTED_BOOK = {"title": "title", "subtitle": "subtitle", "date": "date", "cover-image": "cover"}


def _translate_packaged_book(
    tr: _Translation, doc: YamlDoc, fmt: str, options: dict[str, Any]
) -> None:
    """The printed book's or e-book's title, subtitle, authors, date and cover image from
    the PDF (EPUB) config's ``book:`` (the real textbook's site config titles it
    otherwise); an EPUB's ``epub-cover-image`` format option is its cover first."""
    book = doc.data.get("book") if isinstance(doc.data, dict) else None
    book = book if isinstance(book, dict) else {}
    found: dict[str, tuple[tuple[str, ...], Any]] = {
        dest: (("book", key), str(book[key]))
        for key, dest in _PRINTED_BOOK.items()
        if book.get(key) and not isinstance(book[key], (dict, list))
    }
    if book.get("author"):
        found["authors"] = (("book", "author"), _author_names(book["author"]))
    cover = options.get("epub-cover-image")
    if fmt == "epub" and cover and isinstance(cover, str):
        entry, _ = _format_entry(doc.data, fmt)
        found["cover"] = (("format", entry, "epub-cover-image"), cover)
    for dest, (path, value) in found.items():
        tr.out.setdefault(fmt, {})[dest] = value
        tr.doc.lines[(fmt, dest)] = doc.where(path).line or 1


def _author_names(authors: Any) -> list[str]:
    """Quarto's ``author:``: a name, a mapping with ``name``, or a list of either."""
    return [a.get("name", "") if isinstance(a, dict) else str(a) for a in _as_list(authors)]


def _format_entry(data: Any, fmt: str) -> tuple[str, dict[str, Any]]:
    """The ``format:`` entry for ``fmt`` in a config: ``fmt`` itself or ``<name>-fmt``."""
    formats = data.get("format") if isinstance(data, dict) else None
    for name, options in (formats or {}).items() if isinstance(formats, dict) else ():
        if (name == fmt or str(name).endswith(f"-{fmt}")) and isinstance(options, dict):
            return str(name), options
    return fmt, {}


def _allowed(value: Any, allowed: type | tuple[str, ...]) -> bool:
    if isinstance(allowed, tuple):
        return value in allowed
    return isinstance(value, allowed) and (allowed is bool or not isinstance(value, bool))


def _translate_crossref(tr: _Translation, crossref: dict[str, Any]) -> None:
    for key, value in crossref.items():
        if key in _CROSSREF_KEYS:
            tr.put(("crossref", key), value, ("crossref", key))


def _translate_callout_labels(tr: _Translation, filter_meta: dict[str, Any]) -> None:
    blocks = filter_meta.get("mlsysbook-ext/custom-numbered-blocks") or {}
    classes = blocks.get("classes") if isinstance(blocks, dict) else None
    if isinstance(classes, dict):
        labels = {k: str(v.get("label", "")) for k, v in classes.items() if isinstance(v, dict)}
        tr.put(("callout-labels",), labels, ("filter-metadata",))


def _translate_diagram(tr: _Translation, diagram: Any) -> None:
    """pandoc-ext/diagram's TikZ engine: ``engine.tikz`` is ``false`` (off), ``true`` or a
    mapping with ``execpath`` and ``header-includes`` (``additional-packages`` is placed
    after them, as that filter's template does). Other engines are not drawn here."""
    engine = (diagram or {}).get("engine") if isinstance(diagram, dict) else None
    tikz = engine.get("tikz") if isinstance(engine, dict) else None
    src = ("diagram", "engine", "tikz")
    if tikz is False:
        tr.put(("diagrams", "tikz"), False, src)
    if not isinstance(tikz, dict):
        return
    if tikz.get("execpath"):
        tr.put(("diagrams", "engine"), tikz["execpath"], (*src, "execpath"))
    lines = [str(line) for line in _as_list(tikz.get("header-includes"))]
    if tikz.get("additional-packages"):
        lines.append(str(tikz["additional-packages"]))
    if lines:
        tr.put(("diagrams", "header-includes"), lines, (*src, "header-includes"))


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
