"""Read BibTeX files into CSL-JSON items, field for field as pandoc's BibTeX reader does.

The book was built by pandoc (``bibliography: chapter.bib``), so this module is a port
of pandoc's ``Text.Pandoc.Citeproc.BibTeX`` reader (English locale): the same
entry-type → CSL-type table, the same field mapping, titles sentence-cased with brace
groups protecting case, names split by pandoc's rules (see ``names.py``).

Pandoc has two variants of that reader and picks one by file extension: a
``--bibliography`` file ending in ``.bib`` is read as *BibLaTeX*, one ending in
``.bibtex`` as BibTeX (``pandoc -f bibtex`` also means BibTeX). We pick the same way.
The BibLaTeX variant treats ``publisher``, ``institution``, ``organization``,
``school``, ``address``/``location`` and ``origlocation`` as lists (each " and "
becomes "; ", so "Macmillan and Co." prints as "Macmillan; Co." — protect such an
"and" with braces, ``{Macmillan {and} Co.}``), appends ``addendum`` to the note, and
maps crossref'd fields as BibLaTeX does (a book's ``title`` becomes the chapter's
``booktitle``).

Where pandoc's CSL-JSON *writer* loses information its own citation processor uses,
we keep it: case-protected spans are written as ``<span class="nocase">``, a year
that is not a number stays a ``{"literal": ...}`` date, and literal ``<``, ``"`` and
``$``, code and TeX math are marked with nocase spans so that they are not misread as
CSL markup (``latex.to_csl(exact=True)``). Without the nocase spans, an item is what
``pandoc -f bibtex -t csljson`` writes. Two round-trip effects of that writer are
reproduced rather than avoided (``names.extract_particles``): a braced lowercase
prefix ("{van Gogh}") becomes a particle and a comma in a given name a suffix, which
pandoc reading the .bib directly does not do.

Splitting the file into entries is bibtexparser's job (it recovers from a broken
entry, which pandoc does not: one bad entry makes pandoc reject the whole file);
string macros, ``#`` concatenation and all field decoding are done here, as pandoc
does them. Problems come back as ``(line, message)`` pairs that say what to fix.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser import model as bp

from .latex import (
    Inline,
    Space,
    Str,
    concat,
    map_text,
    parse_blocks,
    parse_latex,
    resolve_key,
    sentence_case,
    split_str_when,
    stringify,
    to_csl,
)
from .names import parse_names, split_by_and

# Bump when the produced items change: part of the cache key.
PARSER_VERSION = "2"
CACHE_VERSION = f"{PARSER_VERSION}-bibtexparser-{bibtexparser.__version__}"


@dataclass
class BibFile:
    """One parsed ``.bib`` file: CSL items by citation key, and what is wrong with it."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    display_path: str = ""


BIBTEX = "bibtex"
BIBLATEX = "biblatex"


def variant_for(path: Path) -> str:
    """The reader variant pandoc uses for a ``--bibliography`` file, by its extension."""
    return BIBTEX if path.suffix.lower() == ".bibtex" else BIBLATEX


def load_bibtex(path: Path, display_path: str, variant: str | None = None) -> BibFile:
    """Parse a BibTeX file into CSL-JSON items (``id`` is the citation key).

    ``variant`` is ``"biblatex"`` or ``"bibtex"``; by default it follows the file
    extension as pandoc's ``--bibliography`` does (see :func:`variant_for`).
    """
    return _parse_bytes(path.read_bytes(), display_path, variant or variant_for(path))


def load_bibtex_cached(
    path: Path, display_path: str, cache_dir: Path | None, variant: str | None = None
) -> BibFile:
    """:func:`load_bibtex`, memoised on disk by a hash of the file's bytes (never mtime)."""
    variant = variant or variant_for(path)
    if cache_dir is None:
        return load_bibtex(path, display_path, variant)
    data = path.read_bytes()
    digest = hashlib.sha256(data + f"{CACHE_VERSION}-{variant}".encode()).hexdigest()
    cache_file = cache_dir / "bib" / f"{digest}.json"
    cached = _read_cache(cache_file)
    if cached is not None:
        cached.display_path = display_path
        return cached
    result = _parse_bytes(data, display_path, variant)
    _write_cache(cache_file, result)
    return result


def _read_cache(cache_file: Path) -> BibFile | None:
    try:
        payload = json.loads(cache_file.read_text(encoding="utf-8"))
        problems = [(int(line), str(msg)) for line, msg in payload["problems"]]
        return BibFile(entries=payload["entries"], problems=problems)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: parse again


def _write_cache(cache_file: Path, result: BibFile) -> None:
    payload = {"entries": result.entries, "problems": result.problems}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent build never reads half a file.
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a cache that cannot be written only costs time


def merge(files: list[BibFile]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Merge several files' entries; the first file defining a key wins.

    Returns the merged items and one warning per key that is defined with different
    content in several files (identical copies are fine and common).
    """
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    conflicts: dict[str, list[str]] = {}
    for bib in files:
        for key, item in bib.entries.items():
            if key not in merged:
                merged[key] = item
                origin[key] = bib.display_path
            elif item != merged[key]:
                names = conflicts.setdefault(key, [origin[key]])
                if bib.display_path not in names:
                    names.append(bib.display_path)
    warnings = [
        f"citation key '{key}' has different entries in {', '.join(names)}; "
        f"the one in {names[0]} is used — make them identical or rename one"
        for key, names in conflicts.items()
    ]
    return merged, warnings


# --------------------------------------------------------------------------- splitting


@dataclass
class _RawEntry:
    """An entry after macro expansion: lowercase field names → raw (still LaTeX) text."""

    key: str
    type: str
    fields: dict[str, str]
    line: int


def _parse_bytes(data: bytes, display_path: str, variant: str = BIBLATEX) -> BibFile:
    problems: list[tuple[int, str]] = []
    text = _decode(data, problems)
    raw_entries = _split_entries(text, problems)
    raw_entries = _resolve_crossrefs(raw_entries, variant)
    entries: dict[str, dict[str, Any]] = {}
    for raw in raw_entries:
        if raw.type == "xdata":
            continue
        # Pandoc's citeproc uses the *last* entry with a key; so do we.
        entries[raw.key] = entry_to_csl(raw.key, raw.type, raw.fields, variant)
    problems.sort(key=lambda p: p[0])
    return BibFile(entries=entries, problems=problems, display_path=display_path)


def _decode(data: bytes, problems: list[tuple[int, str]]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(
            (line, "the file is not UTF-8 (pandoc requires UTF-8); re-save it as UTF-8")
        )
        return data.decode("utf-8-sig", errors="replace")


def _split_entries(text: str, problems: list[tuple[int, str]]) -> list[_RawEntry]:
    """Blocks in file order → expanded entries; broken blocks become problems."""
    library = _quiet_parse(text)
    lines = text.split("\n")
    macros: dict[str, str] = {}
    entries: list[_RawEntry] = []
    first_line: dict[str, int] = {}
    previous_key = ""
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        entry = _entry_of(block)
        if isinstance(block, bp.String):
            _define_macro(block, macros, problems, line)
        elif entry is not None:
            if isinstance(block, bp.DuplicateBlockKeyBlock) and entry.key:
                _note_duplicate_key(entry.key, line, first_line, problems)
            raw = _expand_entry(entry, macros, problems)
            if raw is not None:
                entries.append(raw)
                first_line.setdefault(raw.key, line)
                previous_key = raw.key
        elif isinstance(block, bp.ParsingFailedBlock):
            problems.append(_failed_block_problem(block, lines))
        elif isinstance(block, bp.ImplicitComment) and previous_key:
            _check_leftover(block.comment, line, previous_key, problems)
    return entries


def _entry_of(block: bp.Block) -> bp.Entry | None:
    """The entry in a block; duplicate-key/field blocks still carry a usable entry."""
    if isinstance(block, bp.Entry):
        return block
    if isinstance(block, (bp.DuplicateBlockKeyBlock, bp.DuplicateFieldKeyBlock)):
        inner = block.ignore_error_block
        return inner if isinstance(inner, bp.Entry) else None
    return None


def _quiet_parse(text: str) -> bibtexparser.Library:
    """bibtexparser's split, without its log lines: broken blocks become our problems."""
    logger = logging.getLogger("bibtexparser.splitter")
    was_disabled = logger.disabled
    logger.disabled = True
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.disabled = was_disabled


def _note_duplicate_key(
    key: str, line: int, first_line: dict[str, int], problems: list[tuple[int, str]]
) -> None:
    where = f" (first on line {first_line[key]})" if key in first_line else ""
    problems.append(
        (
            line,
            f"duplicate citation key '{key}'{where}; rename or delete one "
            "(pandoc uses the last one, and so do we)",
        )
    )


def _check_leftover(comment: str, line: int, key: str, problems: list[tuple[int, str]]) -> None:
    """Text between entries that looks like fields: an extra ``}`` closed an entry early."""
    if re.match(r"\s*,?\s*[A-Za-z][\w:+-]*\s*=", comment):
        problems.append(
            (
                line,
                f"fields after the end of entry '{key}' are ignored: an extra '}}' closed "
                "the entry early; remove it",
            )
        )


# Pandoc's citation-key characters; anything else makes pandoc reject the file.
_KEY_OK = re.compile(r"[\w.:;?!`'()/*@+=\-\[\]&]+")


def _expand_entry(
    entry: bp.Entry, macros: dict[str, str], problems: list[tuple[int, str]]
) -> _RawEntry | None:
    line = (entry.start_line or 0) + 1
    key = entry.key
    if not key:
        problems.append(
            (
                line,
                f"@{entry.entry_type} entry has no citation key; "
                f"add one before the first field, e.g. '@{entry.entry_type}{{key2024,'",
            )
        )
        return None
    if not _KEY_OK.fullmatch(key):
        bad = sorted({c for c in key if not _KEY_OK.fullmatch(c)})
        problems.append(
            (
                line,
                f"citation key '{key}' contains {' '.join(repr(c) for c in bad)}, which pandoc "
                "rejects; use letters, digits and .:;?!`'()/*@_+=-[]&",
            )
        )
    fields: dict[str, str] = {}
    seen: dict[str, int] = {}
    for fld in entry.fields:
        written = fld.key.lower()
        # archivePrefix is pandoc's alias of eprinttype; having both is common and harmless.
        name = _ALIASES.get(written, written)
        field_line = fld.start_line + 1
        if written in seen:
            problems.append(
                (
                    field_line,
                    f"field '{written}' appears twice in entry '{key}' (also on line "
                    f"{seen[written]}); delete one (pandoc uses the last one, and so do we)",
                )
            )
        seen[written] = field_line
        value = _evaluate(str(fld.value), macros)
        if value is None:
            problems.append((field_line, _value_problem(str(fld.value), written, key)))
            continue
        fields[name] = value
    return _RawEntry(key=key, type=entry.entry_type.lower(), fields=fields, line=line)


def _value_problem(raw: str, name: str, key: str) -> str:
    # bibtexparser runs a field into the next one when the comma between them is missing.
    if re.search(r"[}\"\w]\s*\n\s*[A-Za-z][\w:+-]*\s*=", raw):
        return (
            f"a comma is missing after field '{name}' in entry '{key}'; "
            "add one at the end of its value"
        )
    return (
        f"cannot read the value of field '{name}' in entry '{key}'; enclose it "
        'in {braces} or "quotes" (join parts with #)'
    )


def _define_macro(
    block: bp.String, macros: dict[str, str], problems: list[tuple[int, str]], line: int
) -> None:
    value = _evaluate(str(block.value), macros)
    if value is None:
        problems.append(
            (line, f"cannot read @string '{block.key}'; enclose its value in {{braces}}")
        )
        return
    macros[block.key.lower()] = value


_ALIASES = {"archiveprefix": "eprinttype", "primaryclass": "eprintclass"}
_MACRO_NAME = re.compile(r"[\w:+-]+")


def _evaluate(raw: str, macros: dict[str, str]) -> str | None:
    """A field value expression → text: ``{..}``, ``".."``, macros, joined by ``#``.

    Undefined macros expand like pandoc: lower-cased, through biblatex's string table
    (``jun`` stays ``jun``, ``june`` becomes "June"). ``None`` for a malformed value.
    """
    parts: list[str] = []
    pos = 0
    while True:
        pos = _skip_space(raw, pos)
        if pos >= len(raw):
            return None
        char = raw[pos]
        if char == "{":
            end = _matching_brace(raw, pos)
            if end < 0:
                return None
            parts.append(raw[pos + 1 : end])
            pos = end + 1
        elif char == '"':
            end = _closing_quote(raw, pos)
            if end < 0:
                return None
            parts.append(raw[pos + 1 : end])
            pos = end + 1
        else:
            match = _MACRO_NAME.match(raw, pos)
            if match is None:
                return None
            name = match.group().lower()
            name = _ALIASES.get(name, name)
            parts.append(macros[name] if name in macros else resolve_key(name))
            pos = match.end()
        pos = _skip_space(raw, pos)
        if pos >= len(raw):
            return "".join(parts)
        if raw[pos] != "#":
            return None
        pos += 1


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.S)


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(text, start):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return match.start()
    return -1


def _closing_quote(text: str, start: int) -> int:
    depth = 0
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            return i
        i += 1
    return -1


# --------------------------------------------------------------------------- broken blocks


def _failed_block_problem(block: bp.ParsingFailedBlock, lines: list[str]) -> tuple[int, str]:
    line = (block.start_line or 0) + 1
    head = re.match(r"@\s*(\w+)\s*[{(]\s*([^,\s=}]*)", block.raw or "")
    etype = head.group(1).lower() if head else "entry"
    key = head.group(2) if head else ""
    label = f"entry '{key}'" if key else f"this @{etype} entry"
    reason = str(getattr(block.error, "abort_reason", block.error)).strip()
    if reason.startswith("Expected comma after entry key") and "=" in reason:
        return (
            line,
            f"@{etype} entry has no citation key; add one before the first field, "
            f"e.g. '@{etype}{{key2024,'",
        )
    open_field, depth = _scan_braces(lines, line - 1)
    if open_field is not None and depth >= 2:
        field_line, name = open_field
        return (
            field_line,
            f"unbalanced braces in {label}; check the field that starts on this line ('{name}')",
        )
    if depth == 1:
        return (line, f"{label} is never closed; add '}}' after its last field")
    if "after a closed entry field value" in reason:
        return (line, f"cannot parse {label}: a comma is missing between two of its fields")
    return (line, f"cannot parse {label}: {reason}; fix the syntax near this line")


_FIELD_START = re.compile(r"\s*,?\s*([A-Za-z][\w:+-]*)\s*=")
_FIRST_FIELD = re.compile(r"\s*@\w+\s*[{(][^,]*,\s*([A-Za-z][\w:+-]*)\s*=")


def _scan_braces(lines: list[str], start: int) -> tuple[tuple[int, str] | None, int]:
    """Follow an entry's braces line by line: (the field still open, depth at the end).

    The entry ends where its braces close, where the next line starting with ``@``
    begins, or at the end of the file. A line that starts like a new field
    (``name =``) while a value is still open also ends the scan: the open value is the
    one whose braces do not balance.
    """
    depth = 0
    current: tuple[int, str] | None = None
    if start < len(lines) and (m := _FIRST_FIELD.match(lines[start])):
        current = (start + 1, m.group(1).lower())
    for index in range(start, len(lines)):
        text = lines[index]
        if index > start:
            if text.lstrip().startswith("@"):
                break
            starts_field = _FIELD_START.match(text)
            if starts_field and depth >= 2:
                break
            if starts_field and depth == 1:
                current = (index + 1, starts_field.group(1).lower())
        depth = _brace_depth(text, depth)
        if depth <= 0 and index > start:
            return None, 0
    return current, depth


def _brace_depth(text: str, depth: int) -> int:
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        i += 1
    return depth


# --------------------------------------------------------------------------- crossref


def _resolve_crossrefs(entries: list[_RawEntry], variant: str) -> list[_RawEntry]:
    """``crossref``/``xdata``: inherit the fields the entry does not set (pandoc's rules).

    ``xdata`` is applied before ``crossref``, so its fields win; with BibLaTeX, field
    names are mapped by the parent's and child's types (:func:`_transform_key`).
    """
    by_key = {e.key: e for e in entries}
    resolved: list[_RawEntry] = []
    for entry in entries:
        fields = dict(entry.fields)
        for link in ("xdata", "crossref"):
            if link in entry.fields:
                for name, value in _xref_fields(entry, entry.fields[link], by_key, variant, set()):
                    fields.setdefault(name, value)
        resolved.append(_RawEntry(entry.key, entry.type, fields, entry.line))
    return resolved


def _xref_fields(
    base: _RawEntry, keys: str, by_key: dict[str, _RawEntry], variant: str, seen: set[str]
) -> list[tuple[str, str]]:
    """Pandoc's ``getXrefFields``: (name, value) pairs; for a name, the last pair wins."""
    pairs: list[tuple[str, str]] = []
    for key in (k for k in re.split(r"[ ,]", keys) if k):
        parent = by_key.get(key)
        if parent is None or key in seen:
            continue
        for name in sorted(parent.fields):  # pandoc walks a Map: sorted by field name
            value = parent.fields[name]
            if name in ("crossref", "xdata"):
                nested = _xref_fields(base, value, by_key, variant, seen | {key})
                pairs += [(n, v) for n, v in nested if n not in parent.fields]
                continue
            names = [name] if variant == BIBTEX else _transform_key(parent.type, base.type, name)
            pairs += [(n, value) for n in names if n not in base.fields]
    last: dict[str, str] = {}
    for name, value in pairs:
        last[name] = value
    return list(last.items())


_NOT_INHERITED = frozenset(
    {
        "ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label", "options",
        "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
        "shorthandintro", "sortkey",
    }
)  # fmt: skip
_NOT_TITLES = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})
_MAIN_TITLES = {"title": "maintitle", "subtitle": "mainsubtitle", "titleaddon": "maintitleaddon"}
_BOOK_TITLES = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}


def _transform_key(source: str, target: str, name: str) -> list[str]:
    """BibLaTeX's crossref field mapping (its manual, appendix B), as pandoc applies it."""
    if name in _NOT_INHERITED:
        return []
    if name == "author" and (
        (source in ("mvbook", "book") and target in ("inbook", "bookinbook", "suppbook"))
        or (source == "mvbook" and target == "book")
    ):
        return ["bookauthor", "author"]
    table: dict[str, str] | None = None
    if (
        (source == "mvbook" and target in ("book", "inbook", "bookinbook", "suppbook"))
        or (
            source in ("mvcollection", "mvreference")
            and target
            in ("collection", "reference", "incollection", "inreference", "suppcollection")
        )
        or (source == "mvproceedings" and target in ("proceedings", "inproceedings"))
    ):
        table = _MAIN_TITLES
    elif (
        (source == "book" and target in ("inbook", "bookinbook", "suppbook"))
        or (
            source in ("collection", "reference")
            and target in ("incollection", "inreference", "suppcollection")
        )
        or (source == "proceedings" and target == "inproceedings")
    ):
        table = _BOOK_TITLES
    elif source == "periodical" and target in ("article", "suppperiodical"):
        table = {"title": "journaltitle", "subtitle": "journalsubtitle"}
    if table is None:
        return [name]
    if name in _NOT_TITLES:
        return []
    return [table.get(name, name)]


# --------------------------------------------------------------------------- conversion

_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "bookinbook": "chapter",
    "collection": "book",
    "dataset": "dataset",
    "electronic": "webpage",
    "inbook": "chapter",
    "incollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "manual": "book",
    "mastersthesis": "thesis",
    "misc": "",
    "mvbook": "book",
    "mvcollection": "book",
    "mvproceedings": "book",
    "mvreference": "book",
    "online": "webpage",
    "patent": "patent",
    "periodical": "article-journal",
    "phdthesis": "thesis",
    "proceedings": "book",
    "reference": "book",
    "report": "report",
    "software": "software",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "suppperiodical": "article-journal",
    "techreport": "report",
    "thesis": "thesis",
    "www": "webpage",
    "artwork": "graphic",
    "audio": "song",
    "commentary": "book",
    "image": "graphic",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "treaty",
    "letter": "personal_communication",
    "movie": "motion_picture",
    "music": "song",
    "performance": "speech",
    "review": "review",
    "standard": "legislation",
    "video": "motion_picture",
    "data": "dataset",
    "letters": "personal_communication",
    "newsarticle": "article-newspaper",
}
_SUBTYPED = {"article", "periodical", "suppperiodical"}
_ARTICLE_TYPES = {"article", "periodical", "suppperiodical", "review"}
_CHAPTER_TYPES = {"inbook", "incollection", "inproceedings", "inreference", "bookinbook"}
# Types whose ``number`` is a series number rather than an issue or report number.
_SERIES_NUMBER_TYPES = {
    "book",
    "collection",
    "proceedings",
    "reference",
    "mvbook",
    "mvcollection",
    "mvproceedings",
    "mvreference",
    "bookinbook",
    "inbook",
    "incollection",
    "inproceedings",
    "inreference",
    "suppbook",
    "suppcollection",
}
_EPRINT_URLS = {
    "arxiv": "https://arxiv.org/abs/",
    "jstor": "https://www.jstor.org/stable/",
    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "googlebooks": "https://books.google.com?id=",
}
_LANGIDS = {
    "english": "en-US",
    "usenglish": "en-US",
    "american": "en-US",
    "british": "en-GB",
    "ukenglish": "en-GB",
    "canadian": "en-US",
    "australian": "en-GB",
    "newzealand": "en-GB",
    "afrikaans": "af-ZA",
    "arabic": "ar",
    "basque": "eu",
    "bulgarian": "bg-BG",
    "catalan": "ca-AD",
    "croatian": "hr-HR",
    "czech": "cs-CZ",
    "danish": "da-DK",
    "dutch": "nl-NL",
    "estonian": "et-EE",
    "finnish": "fi-FI",
    "canadien": "fr-CA",
    "acadian": "fr-CA",
    "french": "fr-FR",
    "francais": "fr-FR",
    "austrian": "de-AT",
    "naustrian": "de-AT",
    "german": "de-DE",
    "germanb": "de-DE",
    "ngerman": "de-DE",
    "greek": "el-GR",
    "polutonikogreek": "el-GR",
    "hebrew": "he-IL",
    "hungarian": "hu-HU",
    "icelandic": "is-IS",
    "italian": "it-IT",
    "japanese": "ja-JP",
    "latvian": "lv-LV",
    "lithuanian": "lt-LT",
    "magyar": "hu-HU",
    "mongolian": "mn-MN",
    "norsk": "nb-NO",
    "nynorsk": "nn-NO",
    "farsi": "fa-IR",
    "polish": "pl-PL",
    "brazil": "pt-BR",
    "brazilian": "pt-BR",
    "portugues": "pt-PT",
    "portuguese": "pt-PT",
    "romanian": "ro-RO",
    "russian": "ru-RU",
    "serbian": "sr-RS",
    "serbianc": "sr-RS",
    "slovak": "sk-SK",
    "slovene": "sl-SL",
    "spanish": "es-ES",
    "swedish": "sv-SE",
    "thai": "th-TH",
    "turkish": "tr-TR",
    "ukrainian": "uk-UA",
    "vietnamese": "vi-VN",
    "latin": "la",
}
_ENGLISH_VARIANTS = {
    "variant=british": "british",
    "variant=american": "american",
    "variant=us": "american",
    "variant=usmax": "american",
    "variant=uk": "british",
    "variant=australian": "australian",
    "variant=newzealand": "newzealand",
}


class _Entry:
    """One entry's fields with pandoc's accessors (raw, LaTeX-decoded, title-cased)."""

    def __init__(
        self, etype: str, fields: dict[str, str], sentence: bool, variant: str = BIBLATEX
    ) -> None:
        self.type = etype
        self.fields = fields
        self.sentence = sentence  # English: titles are converted to sentence case
        self.biblatex = variant == BIBLATEX
        self._titles: dict[str, list[Inline] | None] = {}

    def raw(self, name: str) -> str | None:
        return self.fields.get(name)

    def inlines(self, name: str) -> list[Inline] | None:
        """The field decoded (freshly, since later steps modify the elements)."""
        value = self.fields.get(name)
        return None if value is None else parse_latex(value)

    def literal_list(self, name: str) -> list[list[Inline]] | None:
        """A list field: its items, split at " and " (``None`` unless one paragraph)."""
        value = self.fields.get(name)
        if value is None:
            return None
        blocks = parse_blocks(value)
        return split_by_and(blocks[0]) if len(blocks) == 1 else None

    def literal_list_text(self, name: str) -> list[Inline] | None:
        """Pandoc's ``getLiteralList'``: the list's items joined with "; "."""
        items = self.literal_list(name)
        if items is None:
            return None
        out: list[Inline] = []
        for i, part in enumerate(items):
            out = concat(out, [Str(";"), Space(), *part] if i else part)
        return out

    def title(self, name: str) -> list[Inline] | None:
        """The field decoded and sentence-cased (callers must not modify the result)."""
        if name not in self._titles:
            inlines = self.inlines(name)
            if inlines is not None and self.sentence:
                inlines = sentence_case(inlines)
            self._titles[name] = inlines
        return self._titles[name]


def entry_to_csl(
    key: str, etype: str, fields: dict[str, str], variant: str = BIBLATEX
) -> dict[str, Any]:
    """One BibTeX entry (expanded, lower-case field names) → a CSL-JSON item."""
    language = _language(fields)
    sentence = language is None or language.startswith("en-")
    entry = _Entry(etype, fields, sentence, variant)
    reftype, genre = _type_and_genre(entry)
    item: dict[str, Any] = {"id": key, "type": reftype}
    opts = _options(fields.get("options", ""))
    _put_text(item, "genre", genre)
    _put_text(item, "language", language)
    _put_text(item, "other-ids", entry.raw("ids"))
    _add_names(item, entry, opts)
    _add_dates(item, entry)
    _add_locators(item, entry)
    _add_titles(item, entry)
    _add_publisher(item, entry)
    _add_jurisdiction(item, entry, reftype)
    _add_identifiers(item, entry, opts)
    _add_notes(item, entry)
    return dict(sorted(item.items()))


def _csl(inlines: list[Inline]) -> str:
    """Our CSL-JSON text: pandoc's, with what its writer loses kept (see ``to_csl``)."""
    return to_csl(inlines, exact=True)


def _put_text(item: dict[str, Any], name: str, value: str | None) -> None:
    if value is not None:
        item[name] = value


def _put_inlines(item: dict[str, Any], name: str, value: list[Inline] | None) -> None:
    if value is not None:
        item[name] = _csl(value)


def _language(fields: dict[str, str]) -> str | None:
    langid = fields.get("langid")
    if langid is not None:
        langid = langid.strip().lower()
        opts = fields.get("langidopts", "")
        opts = "".join(stringify_field(opts).lower().split()) if opts else ""
        if langid == "english" and opts in _ENGLISH_VARIANTS:
            langid = _ENGLISH_VARIANTS[opts]
        return _LANGIDS.get(langid, langid)
    hyphenation = fields.get("hyphenation")
    if hyphenation is not None:
        lowered = hyphenation.lower()
        return _LANGIDS.get(lowered, lowered)
    return None


def stringify_field(value: str) -> str:
    """A field's plain text (LaTeX decoded, markup dropped)."""
    return stringify(parse_latex(value))


def _options(raw: str) -> dict[str, str]:
    opts: dict[str, str] = {}
    for part in raw.split(","):
        name, _, value = part.partition("=")
        opts[name.strip().lower()] = value.strip().lower()
    return opts


def _option_set(opts: dict[str, str], name: str) -> bool:
    """``useprefix`` and ``useprefix=true`` switch an option on; anything else is off."""
    return name in opts and opts[name] in ("", "true")


def _type_and_genre(entry: _Entry) -> tuple[str, str | None]:
    etype = entry.type
    given_type = entry.raw("type")
    type_text = resolve_key(given_type) if given_type else ""
    subtype = entry.raw("entrysubtype") or ""
    if etype in _SUBTYPED and subtype in ("magazine", "newspaper"):
        reftype = f"article-{subtype}"
    elif etype == "unpublished":
        is_event = any(entry.raw(f) is not None for f in ("eventdate", "eventtitle", "venue"))
        reftype = "speech" if is_event else "manuscript"
    else:
        reftype = _TYPES.get(etype, "")
    if etype == "mastersthesis" and not type_text:
        return reftype, resolve_key("mathesis")
    if etype == "phdthesis" and not type_text:
        return reftype, resolve_key("phdthesis")
    return reftype, type_text or None


# -- names


def _add_names(item: dict[str, Any], entry: _Entry, opts: dict[str, str]) -> None:
    def names(name: str) -> list[dict[str, Any]] | None:
        value = entry.raw(name)
        if value is None:
            return None
        return parse_names(
            value,
            useprefix=_option_set(opts, "useprefix"),
            juniorcomma=_option_set(opts, "juniorcomma"),
        )

    editor, director = names("editor"), names("director")
    if (entry.raw("editortype") or "") == "director":
        editor, director = None, editor
    for csl_name, value in (
        ("author", names("author")),
        ("container-author", names("bookauthor")),
        ("translator", names("translator")),
        ("editor", editor),
        ("director", director),
    ):
        if value is not None:
            item[csl_name] = value


# -- dates

_EDTF_SPECIAL = re.compile(r"[~?%T].*$")


def parse_edtf(raw: str) -> dict[str, Any] | None:
    """Citeproc's EDTF reader (``2020``, ``2020-05``, ``2020-05-01``, ranges, ``~``)."""
    text = raw
    pieces = text.split("/")
    if len(pieces) == 1 and "u" in pieces[0]:
        text = pieces[0].replace("u", "0") + "/" + pieces[0].replace("u", "9")
    elif len(pieces) == 2 and pieces[1] in ("open", "unknown"):
        text = pieces[0] + "/"
    ranges = [r.strip() for r in text.split("/")]
    parts: list[list[int]] = []
    for piece in ranges:
        date = _edtf_part(piece)
        if date is None:
            return None
        parts.append(date)
    result: dict[str, Any] = {"date-parts": parts}
    if any(r.endswith("~") for r in ranges):
        result["circa"] = True
    return result


def _edtf_part(piece: str) -> list[int] | None:
    long_year = piece.startswith("y")
    if long_year:
        piece = piece[1:]
    negative = piece.startswith("-")
    if negative:
        piece = piece[1:]
    piece = _EDTF_SPECIAL.sub("", piece)
    fields = piece.split("-")
    if fields == [""]:
        return [0]
    if len(fields) > 3:
        return None
    year = fields[0]
    if not (len(year) == 4 or (long_year and len(year) >= 4)):
        return None
    if any(len(f) != 2 for f in fields[1:]):
        return None
    numbers = [_read_int(f) for f in fields]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if negative:
        values[0] = -values[0] - 1  # year 0 is 1 BC
    return values


def _read_int(text: str) -> int | None:
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _read_may(text: str) -> int | None:
    """Haskell's ``readMay`` for an Int: surrounding blanks allowed, nothing else."""
    stripped = text.strip()
    return int(stripped) if re.fullmatch(r"-?\d+", stripped) else None


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _parse_month(text: str) -> int | None:
    lowered = text.lower()
    if lowered in _MONTHS:
        return _MONTHS.index(lowered) + 1
    return _read_may(text)


def _fix_leading_dash(text: str) -> str:
    # A BC year may be written with -- or ---, which LaTeX turned into a dash.
    if len(text) > 1 and text[0] in "–—" and text[1].isdigit():
        return "–" + text[1:]
    return text


def _get_date(entry: _Entry, name: str) -> dict[str, Any] | None:
    raw = entry.raw(name)
    if raw is None:
        return None
    return parse_edtf(raw.replace("\xa0", "~"))


def _old_date(entry: _Entry, prefix: str) -> dict[str, Any] | None:
    def number(field_name: str, decode: bool) -> int | None:
        value = entry.raw(field_name)
        if value is None:
            return None
        text = stringify_field(value) if decode else value
        return _read_may(_fix_leading_dash(text))

    def month(field_name: str, decode: bool) -> int | None:
        value = entry.raw(field_name)
        if value is None:
            return None
        return _parse_month(stringify_field(value) if decode else value)

    start = _date_parts(
        number(f"{prefix}year", True), month(f"{prefix}month", False), number(f"{prefix}day", False)
    )
    end = _date_parts(
        number(f"{prefix}endyear", True),
        month(f"{prefix}endmonth", True),
        number(f"{prefix}endday", True),
    )
    parts = [p for p in (start, end) if p]
    if parts:
        return {"date-parts": parts}
    literal = entry.raw(f"{prefix}year")
    return None if literal is None else {"literal": literal}


def _date_parts(year: int | None, month: int | None, day: int | None) -> list[int]:
    if year is None:
        return []
    if month is None:
        return [year]
    return [year, month] if day is None else [year, month, day]


def _date(entry: _Entry, name: str, prefix: str) -> dict[str, Any] | None:
    return _get_date(entry, name) or _old_date(entry, prefix)


def _add_dates(item: dict[str, Any], entry: _Entry) -> None:
    for csl_name, name, prefix in (
        ("issued", "date", ""),
        ("event-date", "eventdate", "event"),
        ("original-date", "origdate", "orig"),
        ("accessed", "urldate", "url"),
    ):
        date = _date(entry, name, prefix)
        if date is not None:
            item[csl_name] = date


# -- locators


def _add_locators(item: dict[str, Any], entry: _Entry) -> None:
    pages = entry.inlines("pages")
    if pages is not None:
        # Pandoc writes page ranges with a hyphen; styles add the en dash when rendering.
        item["page"] = _csl(map_text(pages, lambda t: t.replace("–", "-")))
    _put_inlines(item, "number-of-pages", entry.inlines("pagetotal"))
    volume, part = entry.inlines("volume"), entry.inlines("part")
    if volume is not None and part is not None:
        item["volume"] = _csl(concat(volume, [Str("."), *part]))
    elif volume is not None or part is not None:
        item["volume"] = _csl(volume or part or [])
    _put_inlines(item, "number-of-volumes", entry.inlines("volumes"))
    _put_inlines(item, "chapter-number", entry.inlines("chapter"))
    _put_inlines(item, "edition", entry.inlines("edition"))
    _put_inlines(item, "version", entry.inlines("version"))
    _add_number(item, entry)


def _add_number(item: dict[str, Any], entry: _Entry) -> None:
    number = entry.inlines("number")
    if number is None:
        return
    if entry.type in _SERIES_NUMBER_TYPES:
        item["collection-number"] = _csl(number)
    elif entry.type in _ARTICLE_TYPES:
        issue = entry.inlines("issue")
        item["issue"] = _csl(concat_with(",", [number, issue or []]))
    else:
        item["number"] = _csl(number)


def concat_with(sep: str, parts: list[list[Inline]]) -> list[Inline]:
    """Pandoc's ``concatWith``: join non-empty parts with ``sep`` and a space.

    No separator is added after text already ending in punctuation ("Why?: X" is
    avoided).
    """
    out: list[Inline] = []
    for part in parts:
        if not part:
            continue
        if out:
            last = out[-1]
            if isinstance(last, Str) and last.text and last.text[-1] in "!?.,:;":
                out = concat(out, [Space()])
            else:
                out = concat(out, [Str(sep), Space()])
        out = concat(out, part)
    return out


# -- titles


def _add_titles(item: dict[str, Any], entry: _Entry) -> None:
    etype = entry.type
    periodical = etype == "periodical"
    chapterlike = etype in _CHAPTER_TYPES
    has_main = entry.raw("maintitle") is not None
    main_not_chapter = has_main and not chapterlike

    title = _first(
        entry, [("issuetitle", periodical), ("maintitle", main_not_chapter), ("title", True)]
    )
    subtitle = _first(
        entry,
        [("issuesubtitle", periodical), ("mainsubtitle", main_not_chapter), ("subtitle", True)],
    )
    addon = _first(entry, [("maintitleaddon", main_not_chapter), ("titleaddon", True)])
    if title is not None:
        item["title"] = _csl(_full_title(title, subtitle, addon))

    if has_main:
        source = "title" if not chapterlike else "booktitle"
        volume_title = entry.title(source)
        if volume_title is not None:
            vsub = entry.title("subtitle" if not chapterlike else "booksubtitle")
            vaddon = entry.title("titleaddon" if not chapterlike else "booktitleaddon")
            item["volume-title"] = _csl(_full_title(volume_title, vsub, vaddon))

    container = _container_title(entry, periodical, chapterlike)
    if container is not None:
        csub = _first_of(
            entry,
            [
                ("subtitle", periodical, False),
                ("mainsubtitle", chapterlike, True),
                ("booksubtitle", chapterlike, True),
                ("journalsubtitle", True, False),
            ],
        )
        caddon = _first_of(
            entry,
            [
                ("titleaddon", periodical, False),
                ("maintitleaddon", chapterlike, True),
                ("booktitleaddon", chapterlike, True),
            ],
        )
        item["container-title"] = _csl(_full_title(container, csub, caddon))

    short_journal = (
        entry.inlines("shorttitle") if periodical and not has_main else None
    ) or entry.inlines("shortjournal")
    _put_inlines(item, "container-title-short", short_journal)

    series = entry.title("series")
    if series is not None:
        item["collection-title"] = _csl(_series_title(copy.deepcopy(series)))

    short = _short_title(entry, has_main, chapterlike, bool(subtitle) or bool(addon))
    _put_inlines(item, "title-short", short)
    _put_inlines(item, "event", entry.title("eventtitle"))
    _put_inlines(item, "original-title", entry.title("origtitle"))


def _first(entry: _Entry, choices: list[tuple[str, bool]]) -> list[Inline] | None:
    for name, allowed in choices:
        if allowed and entry.raw(name) is not None:
            return entry.title(name)
    return None


def _first_of(entry: _Entry, choices: list[tuple[str, bool, bool]]) -> list[Inline]:
    """First allowed, present field; the flag says whether it is sentence-cased."""
    for name, allowed, is_title in choices:
        if allowed and entry.raw(name) is not None:
            value = entry.title(name) if is_title else entry.inlines(name)
            return value or []
    return []


def _container_title(entry: _Entry, periodical: bool, chapterlike: bool) -> list[Inline] | None:
    if periodical and entry.raw("title") is not None:
        return entry.inlines("title")
    if chapterlike:
        for name in ("maintitle", "booktitle"):
            if entry.raw(name) is not None:
                return entry.title(name)
    # Journal names are not sentence-cased: pandoc leaves them as written.
    for name in ("journaltitle", "journal"):
        if entry.raw(name) is not None:
            return entry.inlines(name)
    return None


def _full_title(
    title: list[Inline], subtitle: list[Inline] | None, addon: list[Inline] | None
) -> list[Inline]:
    return concat_with(".", [concat_with(":", [title, subtitle or []]), addon or []])


def _series_title(series: list[Inline]) -> list[Inline]:
    words = map_text(series, resolve_key)
    if len(words) == 1 and isinstance(words[0], Str) and re.fullmatch(r"-?\d+", words[0].text):
        # A numbered series ("2") reads "2nd series", as biblatex prints it.
        number = words[0].text
        return [Str(number + _ordinal_suffix(number)), Space(), Str(resolve_key("jourser"))]
    return words


def _ordinal_suffix(number: str) -> str:
    # Citeproc looks up "ordinal-NN" (two digits, zero-padded) in the en-US locale.
    padded = number.rjust(2, "0")
    return {"01": "st", "02": "nd", "03": "rd"}.get(padded, "th")


def _short_title(
    entry: _Entry, has_main: bool, chapterlike: bool, has_subtitle: bool
) -> list[Inline] | None:
    if (not has_main or chapterlike) and entry.raw("shorttitle") is not None:
        return entry.title("shorttitle")
    title = entry.title("title")
    if title is None:
        return None
    pieces = split_str_when(title, lambda c: c == ":")
    require_colon = not (has_subtitle and not has_main)
    if require_colon and Str(":") not in pieces:
        return None
    return _up_to_colon(pieces)


def _up_to_colon(pieces: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for node in pieces:
        if node == Str(":"):
            break
        out.append(node)
    return out


# -- publisher, places


def _add_publisher(item: dict[str, Any], entry: _Entry) -> None:
    parts = [
        entry.literal_list_text(name)
        if entry.biblatex and name != "howpublished"
        else entry.inlines(name)
        for name in ("school", "institution", "organization", "howpublished", "publisher")
    ]
    present = [p for p in parts if p is not None]
    if present:
        item["publisher"] = _csl(concat_with(";", present))
    _put_inlines(item, "original-publisher", entry.inlines("origpublisher"))
    _put_inlines(item, "event-place", entry.inlines("venue"))
    if entry.biblatex:
        address = entry.literal_list_text("address")
        if address is None and entry.type != "patent":
            address = entry.literal_list_text("location")
        _put_inlines(item, "publisher-place", address)
        _put_inlines(item, "original-publisher-place", entry.literal_list_text("origlocation"))
    else:
        _put_inlines(item, "publisher-place", entry.inlines("address"))
        _put_inlines(item, "original-publisher-place", entry.inlines("origlocation"))


def _add_jurisdiction(item: dict[str, Any], entry: _Entry, reftype: str) -> None:
    """A patent's ``location`` list ("us and de") is its jurisdiction ("us; de")."""
    if reftype != "patent":
        return
    places = entry.literal_list("location")
    if places is not None:
        item["jurisdiction"] = _csl(
            concat_with(";", [map_text(place, resolve_key) for place in places])
        )


# -- identifiers


def _add_identifiers(item: dict[str, Any], entry: _Entry, opts: dict[str, str]) -> None:
    url = entry.raw("url")
    if url is not None and (entry.type == "online" or opts.get("url") != "false"):
        item["URL"] = url  # raw, exactly as written (pandoc does not decode URLs)
    else:
        eprint_type, eprint = entry.raw("eprinttype"), entry.raw("eprint")
        if eprint_type is not None and eprint is not None:
            base = _EPRINT_URLS.get(eprint_type.lower())
            if base:
                item["URL"] = base + eprint
    doi = entry.raw("doi")
    if doi is not None and opts.get("doi") != "false":
        item["DOI"] = doi
    for csl_name, name in (
        ("ISBN", "isbn"),
        ("ISSN", "issn"),
        ("PMID", "pmid"),
        ("PMCID", "pmcid"),
        ("call-number", "library"),
    ):
        _put_text(item, csl_name, entry.raw(name))


# -- notes


def _add_notes(item: dict[str, Any], entry: _Entry) -> None:
    annotation = entry.inlines("annotation")
    if annotation is None:
        annotation = entry.inlines("annote")
    _put_inlines(item, "annote", annotation)
    _put_inlines(item, "abstract", entry.inlines("abstract"))
    _put_inlines(item, "keyword", entry.inlines("keywords"))
    notes = [entry.inlines("note") if entry.type != "periodical" else None]
    if entry.biblatex:
        notes.append(entry.inlines("addendum"))
    present = [n for n in notes if n is not None]
    if present:
        item["note"] = _csl(concat_with(".", present))
    status = _status(entry, item.get("issued"))
    if status is not None:
        item["status"] = status


def _status(entry: _Entry, issued: dict[str, Any] | None) -> str | None:
    pubstate = entry.inlines("pubstate")
    if pubstate is not None:
        return _csl(map_text(pubstate, resolve_key))
    if issued is not None and issued.get("literal") == "forthcoming":
        return "forthcoming"
    return None
