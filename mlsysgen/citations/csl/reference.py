"""CSL-JSON items as typed references: names, dates, numbers and rich text.

Follows pandoc's reading of a CSL-JSON bibliography: rich-text fields are parsed as CSL
markup, name particles are split off, ``key: value`` lines in ``note`` become variables,
and DOI/URL/ISBN/PMID/PMCID become links (``link-bibliography``, pandoc's default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .inline import Str, is_letter, is_lower, stringify, wrap
from .markup import parse_markup

DATE_VARS = frozenset(
    [
        "accessed",
        "available-date",
        "container",
        "event-date",
        "issued",
        "original-date",
        "submitted",
    ]
)
NAME_VARS = frozenset(
    [
        "author",
        "chair",
        "collection-editor",
        "composer",
        "compiler",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editor-translator",
        "editorial-director",
        "executive-producer",
        "guest",
        "host",
        "illustrator",
        "interviewer",
        "narrator",
        "original-author",
        "organizer",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    ]
)
NUMBER_VARS = frozenset(
    [
        "chapter-number",
        "citation-number",
        "collection-number",
        "edition",
        "first-reference-note-number",
        "issue",
        "locator",
        "number",
        "number-of-pages",
        "number-of-volumes",
        "page",
        "page-first",
        "part-number",
        "printing-number",
        "section",
        "supplement-number",
        "version",
        "volume",
    ]
)
STRING_VARS = frozenset(["doi", "isbn", "issn", "pmid", "pmcid", "url"])
_LINK_PREFIX = {
    "url": "https://",
    "doi": "https://doi.org/",
    "isbn": "https://worldcat.org/isbn/",
    "pmid": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
}


class Val:
    """A variable value: kind is text, fancy (inlines), num, names or date."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: object) -> None:
        self.kind = kind
        self.value = value

    def __repr__(self) -> str:
        return f"Val({self.kind}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Val) and other.kind == self.kind and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.kind)

    def to_text(self) -> str | None:
        """Plain text of a text, fancy or number value (citeproc's ``valToText``)."""
        if self.kind == "text":
            return self.value  # type: ignore[return-value]
        if self.kind == "fancy":
            return stringify(self.value)  # type: ignore[arg-type]
        if self.kind == "num":
            return str(self.value)
        return None

    def non_empty(self) -> bool:
        if self.kind in ("text", "fancy", "names"):
            return bool(self.value)
        if self.kind == "date":
            d: DateValue = self.value  # type: ignore[assignment]
            return bool(d.parts) or d.season is not None or d.literal is not None
        return True


@dataclass(frozen=True)
class Name:
    family: str | None = None
    given: str | None = None
    dropping_particle: str | None = None
    non_dropping_particle: str | None = None
    suffix: str | None = None
    comma_suffix: bool = False
    static_ordering: bool = False
    literal: str | None = None


@dataclass(frozen=True)
class DateValue:
    parts: tuple[tuple[int, ...], ...] = ()
    circa: bool = False
    season: int | None = None
    literal: str | None = None


@dataclass
class Reference:
    id: str
    type: str = ""
    variables: dict[str, Val] = field(default_factory=dict)

    def lookup(self, var: str) -> Val | None:
        var = var.lower()
        if var == "id":
            return Val("text", self.id) if self.id else None
        if var == "type":
            return Val("text", self.type) if self.type else None
        if var == "page-first" and "page-first" not in self.variables:
            page = self.variables.get("pages")
            return _page_first(page) if page is not None else None
        return self.variables.get(var)


def _page_first(page: Val) -> Val | None:
    if page.kind == "num":
        return page
    digits = re.match(r"\d*", page.to_text() or "").group(0)
    return Val("num", int(digits)) if digits else None


# --- names --------------------------------------------------------------------------------


def _is_particle_punct(c: str) -> bool:
    return c in "'\u2019-\u2013."


def _is_particle_word(w: str) -> bool:
    return all(is_lower(c) or _is_particle_punct(c) for c in w)


def _extract_suffix(n: dict) -> dict:
    given = n.get("given")
    if n.get("suffix") is not None or given is None:
        return n
    if given.startswith('"') and given.endswith('"'):
        return {**n, "given": given[1:-1]}
    a, sep, b = given.partition(",")
    if not a or not sep:
        return n
    if b.startswith("!"):
        return {**n, "given": a, "suffix": b[1:].strip(), "comma-suffix": True}
    return {**n, "given": a, "suffix": b.strip()}


def _extract_non_dropping(n: dict) -> dict:
    family = n.get("family")
    if n.get("non-dropping-particle") is not None or family is None:
        return n
    if family.startswith('"') and family.endswith('"'):
        return {**n, "family": family[1:-1]}
    words = family.split()
    k = 0
    while k < len(words) and _is_particle_word(words[k]):
        k += 1
    if k == 0:
        pieces = re.split(r"['\u2019\-\u2013.]", family)
        if len(pieces) == 2 and _is_particle_word(pieces[0]):
            punct = family[len(pieces[0])]
            return {**n, "family": pieces[1], "non-dropping-particle": pieces[0] + punct}
        return n
    if k == len(words):
        return n
    return {**n, "family": " ".join(words[k:]), "non-dropping-particle": " ".join(words[:k])}


def _extract_dropping(n: dict) -> dict:
    given = n.get("given")
    if n.get("dropping-particle") is not None or given is None:
        return n
    words = given.split()
    k = next((i for i, w in enumerate(words) if _is_particle_word(w)), len(words))
    if k in (0, len(words)) or not all(_is_particle_word(w) for w in words[k:]):
        return n
    return {**n, "given": " ".join(words[:k]), "dropping-particle": " ".join(words[k:])}


def _fix_apos(s: object) -> str | None:
    return None if s is None else str(s).replace("'", "\u2019")


def parse_name(raw: object) -> Name:
    """Parse a CSL-JSON name object (or pandoc's ``Family || Given`` string shorthand)."""
    if isinstance(raw, str):
        fam, sep, giv = raw.partition("||")
        n: dict = {"family": fam.strip(), "given": giv.strip() if sep else None}
    else:
        n = {
            k: _fix_apos(raw.get(k))
            for k in (
                "family",
                "given",
                "dropping-particle",
                "non-dropping-particle",
                "suffix",
                "literal",
            )
        }
        n["comma-suffix"] = _as_bool(raw.get("comma-suffix"))
        n["static-ordering"] = _as_bool(raw.get("static-ordering"))
    n = _extract_non_dropping(_extract_dropping(_extract_suffix(n)))
    return Name(
        family=n.get("family"),
        given=n.get("given"),
        dropping_particle=n.get("dropping-particle"),
        non_dropping_particle=n.get("non-dropping-particle"),
        suffix=n.get("suffix"),
        comma_suffix=bool(n.get("comma-suffix")),
        static_ordering=bool(n.get("static-ordering")),
        literal=n.get("literal"),
    )


def _as_bool(v: object) -> bool:
    if isinstance(v, str):
        return v == "true"
    return bool(v)


# --- dates ----------------------------------------------------------------------------------


def _read_int(t: str) -> int | None:
    return int(t) if re.fullmatch(r"-?\d+", t) else None


def _as_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return _read_int(v)
    return None


def _iso_part(t: str) -> tuple[int, ...] | None:
    has_y = t.startswith("y")
    t = t[1:] if has_y else t
    neg = t.startswith("-")
    t = t[1:] if neg else t
    t = re.split(r"[~?%T]", t, maxsplit=1)[0]
    pieces = t.split("-")
    if pieces == [""]:
        return (0,)

    def year(y: str) -> int | None:
        if not (len(y) == 4 or (has_y and len(y) >= 4)):
            return None
        n = _read_int(y)
        if n is None:
            return None
        return -n - 1 if neg else (-1 if n == 0 else n)

    if len(pieces) > 3 or any(len(p) != 2 for p in pieces[1:]):
        return None
    y = year(pieces[0])
    rest = [_read_int(p) for p in pieces[1:]]
    if y is None or any(r is None for r in rest):
        return None
    return (y, *rest)  # type: ignore[arg-type]


def _raw_edtf(raw: str) -> DateValue | None:
    ranges = raw.split("/")
    if len(ranges) == 1 and "u" in raw:
        raw = raw.replace("u", "0") + "/" + raw.replace("u", "9")
    elif len(ranges) == 2 and ranges[1] in ("open", "unknown"):
        raw = ranges[0] + "/"
    pieces = [p.strip() for p in raw.split("/")]
    parts = [_iso_part(p) for p in pieces]
    if any(p is None for p in parts):
        return None
    circa = any(p.endswith("~") for p in pieces)
    return DateValue(tuple(parts), circa)  # type: ignore[arg-type]


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_SEASONS = ["spr", "sum", "fal", "win"]


def _text_month(t: str) -> int | None:
    key = t[:3].lower()
    if key in _MONTHS:
        return _MONTHS.index(key) + 1
    if key in _SEASONS:
        return _SEASONS.index(key) + 13
    return None


def _raw_old(raw: str) -> DateValue | None:
    parts = []
    for piece in raw.split("-"):
        fields = re.split(r"[ /,]", piece.strip())
        if fields == [""]:
            parts.append(())
            continue
        if len(fields) > 3:
            return None
        y = _read_int(fields[-1])
        m = None
        if len(fields) >= 2:
            m = _read_int(fields[0])
            m = m if m is not None else _text_month(fields[0])
        d = _read_int(fields[1]) if len(fields) == 3 else None
        if y is None or (len(fields) >= 2 and m is None) or (len(fields) == 3 and d is None):
            return None
        parts.append(tuple(x for x in (y, m, d) if x is not None))
    return DateValue(tuple(parts))


def raw_date(raw: str) -> DateValue:
    """Parse a date string: EDTF/ISO first, then ``Month Year`` forms, else a literal."""
    return _raw_edtf(raw) or _raw_old(raw) or DateValue(literal=raw)


def parse_date_value(raw: object) -> DateValue:
    """Parse a CSL-JSON date: ``date-parts``, ``raw``, ``literal``, ``season``, ``circa``."""
    if isinstance(raw, str):
        return raw_date(raw)
    if not isinstance(raw, dict):
        return DateValue()
    if isinstance(raw.get("raw"), str):
        return raw_date(raw["raw"])
    parts = []
    for dp in raw.get("date-parts") or []:
        vals = [_as_int(v) for v in dp if v != ""]
        if any(v is None for v in vals):
            vals = [v for v in vals if v is not None]
        parts.append(tuple(vals))
    return DateValue(
        tuple(parts),
        _as_bool(raw.get("circa")),
        _as_int(raw.get("season")),
        raw.get("literal") if isinstance(raw.get("literal"), str) else None,
    )


def _legacy_range(d: DateValue) -> DateValue:
    # Pandoc reads a literal "2001_2003" as a date range.
    if not d.parts and d.literal and d.literal.count("_") == 1:
        x, y = d.literal.split("_")
        return _raw_edtf(f"{x}/{y}") or d
    return d


# --- notes ----------------------------------------------------------------------------------

_VARNAME = r"[^\W\d_](?:[^\W\d_]|-)*|-(?:[^\W\d_]|-)*"


def parse_note(note: str) -> tuple[list[tuple[str, str]], str]:
    """Split ``key: value`` lines and ``{:key: value}`` fields off the front of a note."""
    kvs: list[tuple[str, str]] = []
    pos = 0
    braced = re.compile(r"\{:(" + _VARNAME + r"):([^}]*)\}")
    line = re.compile(r"(" + _VARNAME + r"):([^\n]*)(?:\n|$)")
    while pos < len(note):
        m = braced.match(note, pos) or line.match(note, pos)
        if not m or m.end() == pos:
            break
        kvs.append((m.group(1).lower(), m.group(2).strip()))
        pos = m.end()
    return kvs, note[pos:]


# --- items ----------------------------------------------------------------------------------


def _read_string(v: object) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return None


def _value(key: str, v: object) -> Val | None:
    if key in DATE_VARS:
        return Val("date", _legacy_range(parse_date_value(v)))
    if key in NAME_VARS:
        if isinstance(v, list):
            return Val("names", tuple(parse_name(n) for n in v if isinstance(n, (dict, str))))
        return None
    if key in NUMBER_VARS:
        if isinstance(v, int) and not isinstance(v, bool):
            return Val("num", v)
        return Val("fancy", parse_markup(v)) if isinstance(v, str) else None
    s = _read_string(v)
    if s is None:
        return None
    if key in STRING_VARS:
        return Val("text", s)
    if isinstance(v, int):
        return Val("text", s)
    return Val("fancy", parse_markup(s))


def _linkify(key: str, val: Val) -> Val:
    t = val.to_text() or ""
    if key == "doi" and t.startswith("10/"):
        t = t[3:]
        val = Val("text", t)
    if not t:
        return val
    url = t if "://" in t else _LINK_PREFIX[key] + t
    return Val("fancy", wrap("link", [Str(t)], url))


def _apply(ref: Reference, key: str, v: object) -> None:
    if key == "id":
        ref.id = _read_string(v) or ""
    elif key == "type":
        ref.type = _read_string(v) or ""
    elif key in ("journalabbreviation", "shorttitle"):
        _apply(ref, "container-title-short", v)
    elif key == "note":
        _apply_note(ref, v)
    else:
        val = _value(key, v)
        if val is not None:
            ref.variables[key] = val


def _apply_note(ref: Reference, v: object) -> None:
    s = _read_string(v)
    if s is None:
        return
    kvs, rest = parse_note(s)
    names: dict[str, list[str]] = {}
    for k, val in kvs:
        if k in NAME_VARS:
            names.setdefault(k, []).append(val)
    done: set[str] = set()
    for k, val in kvs:
        if k in NAME_VARS:
            if k not in done:
                _apply(ref, k, names[k])
                done.add(k)
        else:
            _apply(ref, k, val)
    if rest:
        ref.variables["note"] = Val("text", rest)


def make_reference(item: dict) -> Reference:
    """Build a :class:`Reference` from one CSL-JSON item."""
    ref = Reference(id="")
    # citeproc folds over a map keyed case-insensitively, so later keys override fields
    # set from the note; reproduce that order.
    for key in sorted(item, key=str.lower):
        _apply(ref, key.lower(), item[key])
    for key in _LINK_PREFIX:
        if key in ref.variables:
            ref.variables[key] = _linkify(key, ref.variables[key])
    return ref


def has_nonstandard_case(name: Name) -> bool:
    """A name part starting with a lowercase letter (kept out of case changes)."""

    def starts_lower(t: str | None) -> bool:
        for c in t or "":
            if is_letter(c):
                return is_lower(c)
        return False

    return starts_lower(name.given) or starts_lower(name.family) or starts_lower(name.literal)
