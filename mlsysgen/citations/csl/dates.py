"""Rendering ``cs:date``: localized forms, date parts, ranges and seasons."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .elements import Date, DatePart, Formatting, Term
from .output import NULL, Formatted, Literal, Output, Tagged, formatted, literal
from .reference import DateValue

if TYPE_CHECKING:
    from .render import Evaluator

_PART_ORDER = {"year": 0, "month": 1, "day": 2}


def _effective_parts(ev: Evaluator, el: Date) -> tuple[list[DatePart], Formatting]:
    """The date parts to print and the date's formatting, after locale lookups."""
    parts, fmt = el.parts, el.formatting
    localized = ev.locale.dates.get(el.date_type) if el.date_type != "non-localized" else None
    if localized is not None:
        overrides = {p.name: p for p in el.parts}
        merged = []
        for base in localized.parts:
            o = overrides.get(base.name)
            merged.append(
                base if o is None else replace(o, formatting=base.formatting.combine(o.formatting))
            )
        parts, fmt = merged, el.formatting.combine(localized.formatting)
    if el.show_parts == "year":
        parts = [p for p in parts if p.name == "year"]
    elif el.show_parts == "year-month":
        parts = [p for p in parts if p.name in ("year", "month")]
    return parts, fmt


def eval_date(ev: Evaluator, el: Date) -> Output:
    """Render a ``cs:date`` for the current reference (``NULL`` when the date is absent)."""
    if not el.variable:
        return NULL
    val = ev.ask_variable(el.variable)
    if val is None:
        return NULL
    if val.kind != "date":
        return NULL
    date: DateValue = val.value  # type: ignore[assignment]
    parts, fmt = _effective_parts(ev, el)
    if date.literal is not None:
        return formatted(fmt, [literal(date.literal)])
    if ev.in_sort_key:
        # Pandoc's citeproc sorts dates inside sort macros chronologically: the shown
        # parts become numbers, year first, whatever the display order.
        shown = {p.name for p in parts}
        return Tagged(("date", date), formatted(fmt, [literal(_sortable(date, shown))]))
    dps = list(date.parts)
    if date.season is not None and len(dps) == 1 and len(dps[0]) == 1:
        dps = [(dps[0][0], 12 + date.season)]  # seasons render as pseudo-months
    first = dps[0] if dps else ()
    second = dps[1] if len(dps) > 1 else None
    xs = _format_parts(ev, parts, first, second)
    if all(x is NULL for x in xs):
        # Only unprinted parts were present: do not count the date as non-empty.
        ev.update_var_count(0, -1)
    suffix = ev.year_suffix()
    return Tagged(("date", date), formatted(fmt, xs + ([suffix] if suffix else [])))


def _bind(dp: tuple[int, ...]) -> dict[str, int | None]:
    return {
        "year": dp[0] if len(dp) > 0 else None,
        "month": dp[1] if len(dp) > 1 else None,
        "day": dp[2] if len(dp) > 2 else None,
    }


def _format_parts(
    ev: Evaluator, specs: list[DatePart], date: tuple[int, ...], nxt: tuple[int, ...] | None
) -> list[Output]:
    a = _bind(date)
    if nxt is None:
        return [_date_part(ev, a, p) for p in specs]
    b = _bind(nxt)
    is_open = b["year"] == 0 and b["month"] is None and b["day"] is None
    same = []
    for name in sorted((p.name for p in specs), key=_PART_ORDER.__getitem__):
        if a[name] != b[name]:
            break
        same.append(name)
    i = 0
    while i < len(specs) and specs[i].name in same:
        i += 1
    j = i
    while j < len(specs) and specs[j].name not in same:
        j += 1
    sames1, diffs, sames2 = specs[:i], specs[i:j], specs[j:]

    def clean(xs: list[Output]) -> list[Output]:
        return [x for x in xs if x is not NULL]

    s1 = clean([_date_part(ev, a, p) for p in sames1])
    dl = clean([_date_part(ev, a, p) for p in diffs])
    dr = clean([_date_part(ev, b, p) for p in diffs])
    s2 = clean([_date_part(ev, a, p) for p in sames2])
    ordered = sorted(diffs, key=lambda p: _PART_ORDER[p.name])
    delim = ordered[0].range_delimiter if ordered else None
    if is_open:
        return [Formatted(Formatting(suffix=delim), _remove_last_suffix(s1 + dl))]
    left, right = _remove_last_suffix(dl), _remove_first_prefix(dr)
    if left:
        ranged = [
            *left[:-1],
            Formatted(Formatting(delimiter=delim), [left[-1], right[0] if right else literal("")]),
            *right[1:],
        ]
    else:
        ranged = left + right
    return _remove_last_suffix(s1 + ranged + s2)


def _remove_first_prefix(xs: list[Output]) -> list[Output]:
    if xs and isinstance(xs[0], Formatted):
        x = xs[0]
        return [Formatted(replace(x.fmt, prefix=None), x.children), *xs[1:]]
    return xs


def _remove_last_suffix(xs: list[Output]) -> list[Output]:
    if xs and isinstance(xs[-1], Formatted):
        x = xs[-1]
        return [*xs[:-1], Formatted(replace(x.fmt, suffix=None), x.children)]
    return xs


def _date_part(ev: Evaluator, d: dict[str, int | None], dp: DatePart) -> Output:
    n = d[dp.name]
    if n is None:
        return NULL
    if n == 0 and dp.name == "year":
        return Literal([])  # open-ended range
    suffix: list[Output] = []
    if dp.name == "year" and n < 0:
        suffix = [ev.term_output(Term("bc"))]
    elif dp.name == "year" and 0 < n < 1000:
        suffix = [ev.term_output(Term("ad"))]
    value = abs(n) if dp.name == "year" else n
    return formatted(dp.formatting, [_part_value(ev, dp, value), *suffix])


def _part_value(ev: Evaluator, dp: DatePart, n: int) -> Output:
    if dp.form == "numeric":
        return literal(str(n))
    if dp.form == "numeric-leading-zeros":
        return literal(f"{n:02d}")
    if dp.form == "ordinal":
        if ev.locale.limit_day_ordinals_to_day_1 and n != 1:
            return literal(str(n))
        return ev.ordinal(n)
    if dp.name != "month":
        return literal(str(n))
    form = "short" if dp.form == "short" else "long"
    if n <= 0:
        return NULL
    if n <= 12:
        return ev.term_output(Term(f"month-{n:02d}", form))
    season = n - 12 if n <= 16 else (n - 16 if n <= 20 else n - 20)
    return ev.term_output(Term(f"season-{season:02d}", form))


def _sortable(date: DateValue, shown: set[str]) -> str:
    out = []
    for dp in date.parts:
        fields = []
        if len(dp) > 0 and "year" in shown:
            y = dp[0]
            fields.append(f"{y:04d}" if y >= 0 else f"-{9999 + y:04d}")
        if len(dp) > 1 and "month" in shown:
            fields.append(f"{dp[1]:02d}")
        if len(dp) > 2 and "day" in shown:
            fields.append(f"{dp[2]:02d}")
        out.append("".join(fields))
    return "/".join(out)
