"""Sort keys (``cs:sort``/``cs:key``) and a Unicode-collation-like comparison.

Pandoc's citeproc compares sort keys word by word with the Unicode Collation Algorithm
(root collation, "shifted" so punctuation and spaces are ignored unless everything else
ties). Python has no UCA without ICU, so :func:`collation_key` approximates it: base
letters and digits first (digits before letters), then accents, then case, then the
ignored punctuation. Ties between whole keys keep the references' original order.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING

from . import inline as il
from .output import RenderOptions, grouped, render
from .reference import DateValue, Name, Reference, Val
from .style import Layout, SortKey

if TYPE_CHECKING:
    from .render import Evaluator

# A sort value: (descending, words) with words None when the value is missing.
SortValue = tuple[bool, "tuple | None"]
_EXPANSIONS = {"æ": "ae", "œ": "oe", "ß": "ss", "þ": "th", "ø": "o", "đ": "d", "ł": "l", "ı": "i"}
_WORD_SEPS = frozenset(" \t\n\r'\u2019,\u02be\u02bf")
_NO_LINKS = RenderOptions(link_bibliography=False)


def _primary(c: str) -> tuple[int, int] | None:
    cat = unicodedata.category(c)
    if cat[0] in "PZC":
        return None  # variable (ignorable) under shifted weighting
    if cat == "Nd":
        return (1, unicodedata.digit(c, 0))
    if cat[0] == "L":
        return (2 if ord(c) < 0x370 else 3, ord(c))
    return (0, ord(c))


@functools.lru_cache(maxsize=65536)
def collation_key(word: str) -> tuple:
    """Multi-level key for one word (already case-folded)."""
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    quaternary: list[int] = []
    for ch in word:
        base = _EXPANSIONS.get(ch, ch)
        for c in unicodedata.normalize("NFKD", base):
            if unicodedata.category(c) in ("Mn", "Mc", "Me"):
                secondary.append(ord(c))
                continue
            p = _primary(c)
            if p is None:
                quaternary.append(ord(c))
                continue
            primary.append(p)
            secondary.append(0)
            tertiary.append(1 if il.is_upper(c) else 0)
            quaternary.append(0x10FFFF)
    return (tuple(primary), tuple(secondary), tuple(tertiary), tuple(quaternary))


def normalize_sort_key(t: str) -> tuple[str, ...]:
    """Case-fold and split a key into words (on spaces, apostrophes and commas)."""
    words: list[str] = []
    buf: list[str] = []
    for c in t.casefold():
        if c in _WORD_SEPS or c.isspace():
            if buf:
                words.append("".join(buf))
                buf = []
        else:
            buf.append(c)
    if buf:
        words.append("".join(buf))
    return tuple(words)


def _date_text(d: DateValue) -> str:
    out = []
    for parts in d.parts:
        if not parts:
            continue
        y = parts[0]
        year = f"N{999999999 + y:09d}" if y < 0 else f"P{y:09d}"
        m = f"{parts[1]:02d}" if len(parts) > 1 else "00"
        day = f"{parts[2]:02d}" if len(parts) > 2 else "00"
        out.append(year + m + day)
    return "".join(out).lower()


def name_sort_parts(ev: Evaluator, name: Name) -> list[str]:
    """The parts of a name a variable sort key uses, in order."""
    from .names import is_byzantine

    if name.literal is not None:
        return [name.literal]
    if not is_byzantine(name):
        return [name.family or "", name.given or ""]
    ndp, dp = name.non_dropping_particle, name.dropping_particle
    if ev.style.options.demote_non_dropping_particle == "never":
        first = (ndp or "") + (name.family or "") if (ndp or name.family) is not None else ""
        return [first, dp or "", name.given or "", name.suffix or ""]
    particles = (dp or "") + (ndp or "")
    return [name.family or "", particles, name.given or "", name.suffix or ""]


def _variable_value(ev: Evaluator, val: Val | None) -> tuple | None:
    if val is None:
        return None
    if val.kind == "text":
        return normalize_sort_key(val.value)  # type: ignore[arg-type]
    if val.kind == "num":
        return (f"{val.value:09d}",)
    if val.kind == "fancy":
        return normalize_sort_key(val.to_text() or "")
    if val.kind == "names":
        joined = ",".join(" ".join(name_sort_parts(ev, n)) for n in val.value)  # type: ignore[union-attr]
        return normalize_sort_key(joined)
    if val.kind == "date":
        return (_date_text(val.value),)
    return None


def sort_values(ev: Evaluator, layout: Layout, ref: Reference) -> list[SortValue]:
    """Evaluate every sort key of ``layout`` for ``ref``."""
    saved = ev.in_sort_key
    ev.in_sort_key = True
    try:
        return [_sort_value(ev, key, ref) for key in layout.sort_keys]
    finally:
        ev.in_sort_key = saved


def _sort_value(ev: Evaluator, key: SortKey, ref: Reference) -> SortValue:
    if key.elements is None:
        return (key.descending, _variable_value(ev, ref.lookup(key.variable or "")))
    ev.start_item(ref)
    out = grouped(ev.eval_elements(key.elements))
    # Quotation marks added by the style do not take part in sorting (pandoc).
    text = il.stringify(render(out, _NO_LINKS), quotes=False)
    return (key.descending, normalize_sort_key(text))


def _compare_words(a: tuple, b: tuple) -> int:
    for x, y in zip(a, b, strict=False):
        kx, ky = collation_key(x), collation_key(y)
        if kx != ky:
            return -1 if kx < ky else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def compare_sort_values(a: list[SortValue], b: list[SortValue]) -> int:
    """Compare two items' sort values; missing values sort after present ones."""
    for (desc_a, wa), (desc_b, wb) in zip(a, b, strict=False):
        if wa is None and wb is None:
            continue
        if wa is None:
            return 1
        if wb is None:
            return -1
        if desc_a != desc_b:
            continue
        c = _compare_words(wb, wa) if desc_a else _compare_words(wa, wb)
        if c:
            return c
    return (len(a) > len(b)) - (len(a) < len(b))


def sort_ids(ids: list[str], values: dict[str, list[SortValue]]) -> list[str]:
    """Stable sort of ``ids`` by their sort values."""
    return sorted(
        ids, key=functools.cmp_to_key(lambda x, y: compare_sort_values(values[x], values[y]))
    )
