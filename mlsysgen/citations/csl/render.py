"""Evaluate CSL elements against one reference, producing an output tree.

The :class:`Evaluator` holds the style, the merged locale, the references and their
disambiguation state, plus the dynamic context of the item being rendered (locator,
position, whether we are inside ``cs:substitute`` or a sort key...). Group suppression
follows citeproc: a group (or macro call) that reads variables but finds them all empty
renders nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from . import inline as il
from .dates import eval_date
from .elements import (
    EMPTY,
    Choose,
    Condition,
    Date,
    Formatting,
    Group,
    Label,
    Names,
    NamesFormat,
    Node,
    Number,
    Term,
    TextTerm,
    TextValue,
    TextVariable,
)
from .locale import Locale
from .markup import parse_markup
from .names import eval_names
from .output import (
    NULL,
    Linked,
    Literal,
    Output,
    Tagged,
    formatted,
    grouped,
    literal,
    transform,
)
from .reference import Name, Reference, Val
from .style import Layout, Style

EN_DASH = "\u2013"
_IDENT_PREFIX = {
    "doi": "https://doi.org/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
    "pmid": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "url": "https://",
}


@dataclass
class Disamb:
    """Per-reference disambiguation results."""

    year_suffix: int | None = None
    name_map: dict[Name, str] = field(default_factory=dict)
    et_al_names: int | None = None
    condition: bool = False


@dataclass
class Item:
    """One cited item: key, locator/label, affixes and author mode."""

    id: str
    locator: str | None = None
    label: str | None = None
    prefix: il.Inlines | None = None
    suffix: il.Inlines | None = None
    mode: str = "normal"  # normal, author-only, suppress-author


def year_suffix_text(n: int) -> str:
    """Year suffix letters: 1 → "a", 26 → "z", 27 → "aa"."""
    if n < 27:
        return chr(ord("a") + n - 1)
    m = n - 1
    return chr(ord("a") - 1 + m // 26) + chr(ord("a") + m % 26)


def _roman(n: int) -> str:
    if n < 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _split_nums(t: str) -> list[Val]:
    """Split on separators (``,;-–`` and spaces), keeping numbers apart from the rest."""
    out: list[Val] = []
    for chunk in re.findall(r"[,;\-\u2013\s]+|[^,;\-\u2013\s]+", t):
        if re.fullmatch(r"-?[0-9]+", chunk):
            out.append(Val("num", int(chunk)))
        else:
            out.append(Val("text", EN_DASH if chunk == "-" else chunk))
    return out


_NUMERIC_CHUNK = re.compile(r"[^\W\d_]*[0-9]+[^\W\d_]*")


def _is_numeric(t: str) -> bool:
    """CSL ``is-numeric``: numbers with optional letter affixes ("2b", "L2"), joined by
    commas, hyphens, en dashes or ampersands."""
    return all(_NUMERIC_CHUNK.fullmatch(c.strip()) for c in re.split(r"[,\-\u2013&]", t))


class Evaluator:
    """Renders elements for references (not thread-safe: it carries the item context)."""

    def __init__(self, style: Style, locale: Locale, refs: dict[str, Reference]) -> None:
        self.style = style
        self.locale = locale
        self.refs = refs
        self.disamb: dict[str, Disamb] = {}
        self.start_item(None)
        self.var_count = [0, 0]
        self.in_substitute = False
        self.substitute_used: set[str] = set()
        self.in_sort_key = False
        self.in_bibliography = False
        self.substitute_names_form: NamesFormat | None = None

    def start_item(self, ref: Reference | None, item: Item | None = None) -> None:
        """Begin rendering ``ref``; substitution marks go to a copy of its variables."""
        self.ref = None if ref is None else Reference(ref.id, ref.type, dict(ref.variables))
        self.locator = item.locator if item else None
        self.label = item.label if item else None
        self.position: tuple[str, ...] = ()
        self.used_year_suffix = False
        self.used_identifier = False
        self.used_title = False

    # --- variables and terms ---------------------------------------------------------------

    def update_var_count(self, total: int, nonempty: int) -> None:
        self.var_count[0] += total
        self.var_count[1] += nonempty

    def ask_variable(self, var: str) -> Val | None:
        """A variable's value, counted for group suppression (empty values → None)."""
        var = var.lower()
        if var == "page-first":
            page = self.ask_variable("page")
            if page is None or page.kind == "num":
                return page
            return Val("text", re.split(r"[,;\-\u2013]", page.to_text() or "")[0])
        val = self.ref.lookup(var) if self.ref else None
        if val is not None and val.non_empty():
            self.update_var_count(1, 1)
            if self.in_substitute:
                self.substitute_used.add(var)
            return val
        self.update_var_count(1, 0)
        return None

    def delete_variable(self, var: str) -> None:
        """Mark a variable used by cs:substitute: it no longer renders, but still counts
        as present for conditions and group suppression (citeproc's ``SubstitutedVal``)."""
        if self.ref is not None and var.lower() in self.ref.variables:
            self.ref.variables[var.lower()] = Val("substituted", None)

    def disamb_of(self) -> Disamb | None:
        return self.disamb.get(self.ref.id) if self.ref else None

    def name_hint(self, name: Name) -> str | None:
        d = self.disamb_of()
        return d.name_map.get(name) if d else None

    def et_al_names(self) -> int | None:
        d = self.disamb_of()
        return d.et_al_names if d else None

    def lookup_term(self, term: Term) -> list[tuple[Term, str]]:
        return self.locale.lookup(term)

    def term_output(self, term: Term) -> Output:
        """A term's text, falling back verb-short → verb → long, symbol → short → long."""
        found = self.locale.lookup(term)
        if not found:
            fallback = {"verb-short": "verb", "symbol": "short", "verb": "long", "short": "long"}
            if term.form in fallback:
                return self.term_output(replace(term, form=fallback[term.form]))
            return NULL
        return literal(found[0][1]) if found[0][1] else NULL

    def year_suffix(self) -> Output | None:
        d = self.disamb_of()
        if d is None or d.year_suffix is None:
            return None
        if self.style.options.uses_year_suffix_variable or self.used_year_suffix:
            return None
        self.used_year_suffix = True
        return Tagged(("year-suffix", d.year_suffix), literal(year_suffix_text(d.year_suffix)))

    # --- element dispatch ------------------------------------------------------------------

    def eval_elements(self, nodes: list[Node]) -> list[Output]:
        out: list[Output] = []
        for n in nodes:
            out.extend(self.eval_element(n))
        return out

    def eval_element(self, node: Node) -> list[Output]:
        if isinstance(node, Choose):
            return self.eval_choose(node)
        if isinstance(node, Group):
            return [self.eval_group(node)]
        if isinstance(node, Label):
            return [self.eval_label(node.variable, node.form, node.plural, node.formatting)]
        if isinstance(node, Date):
            return [eval_date(self, node)]
        if isinstance(node, Names):
            return [eval_names(self, node)]
        if isinstance(node, TextVariable):
            return [self.with_formatting(node.formatting, self.eval_text_variable(node))]
        if isinstance(node, TextTerm):
            return [self.with_formatting(node.formatting, self.eval_text_term(node.term))]
        if isinstance(node, TextValue):
            return [
                self.with_formatting(node.formatting, Literal(parse_markup(node.value, affix=True)))
            ]
        if isinstance(node, Number):
            return [self.with_formatting(node.formatting, self.eval_number(node))]
        return []

    def with_formatting(self, fmt: Formatting, out: Output) -> Output:
        if fmt == EMPTY:
            return out
        if fmt.text_case == "title" and not self._is_english():
            fmt = replace(fmt, text_case=None)
        return formatted(fmt, [out])

    def _is_english(self) -> bool:
        lang = None
        val = self.ref.variables.get("language") if self.ref else None
        if val is not None:
            m = re.fullmatch(
                r"([A-Za-z]{2,8})(?:[-_][A-Za-z0-9]{1,8})*", (val.to_text() or "").strip()
            )
            lang = m.group(1).lower() if m else None
        if lang is None:
            lang = (self.locale.lang or "en-US").split("-")[0].lower()
        return lang == "en"

    # --- text ------------------------------------------------------------------------------

    def eval_text_variable(self, node: TextVariable) -> Output:
        v = node.variable.lower()
        if v == "id":
            self.update_var_count(1, 1)
            return literal(self.ref.id if self.ref else "")
        if v == "type":
            self.update_var_count(1, 1)
            return literal(self.ref.type if self.ref else "")
        if v == "locator":
            return self._locator()
        if v == "year-suffix":
            d = self.disamb_of()
            if d is None or d.year_suffix is None:
                return NULL
            return Tagged(("year-suffix", d.year_suffix), literal(year_suffix_text(d.year_suffix)))
        if v == "citation-number":
            val = self.ask_variable(v)
            if val is None or val.kind != "num":
                return NULL
            return Tagged(("citation-number", val.value), literal(str(val.value)))
        if v == "citation-label":
            val = self.ask_variable(v)
            if val is None:
                return NULL
            suff = self.year_suffix()
            text_out = literal(val.to_text() or "")
            return Tagged(("citation-label",), grouped([text_out, *([suff] if suff else [])]))
        if v in _IDENT_PREFIX:
            return self._identifier(v)
        return self._plain_variable(v, node.short)

    def _plain_variable(self, v: str, short: bool) -> Output:
        if short:
            short_val = self.ask_variable(v + "-short")
            long_val = self.ask_variable(v)
            val = short_val or long_val
        else:
            val = self.ask_variable(v)
        res: Output = NULL
        if val is not None:
            if val.kind in ("text", "fancy") and v == "page":
                res = self.page_range(val.to_text() or "")
            elif val.kind == "text":
                res = literal(val.value)  # type: ignore[arg-type]
            elif val.kind == "fancy":
                res = Literal(val.value)  # type: ignore[arg-type]
            elif val.kind == "num":
                res = literal(str(val.value))
        self._handle_subst(v)
        if v == "title" and res is not NULL:
            self.used_title = True
            return Tagged(("title",), res)
        return res

    def _handle_subst(self, v: str) -> None:
        if self.in_substitute:
            self.delete_variable(v)

    def _identifier(self, v: str) -> Output:
        val = self.ask_variable(v)
        self._handle_subst(v)
        t = val.to_text() if val is not None else None
        if t is None:
            return NULL
        if v == "doi" and t.startswith("10/"):
            t = t[3:]
        self.used_identifier = True
        url = t if (not t or "://" in t) else _IDENT_PREFIX[v] + t
        return Linked(url, [literal(t)])

    def _locator(self) -> Output:
        loc = self.locator
        if loc is not None and "&" in loc:
            found = self.locale.lookup(Term("and", "symbol"))
            if found:
                loc = loc.replace("&", found[0][1])
        if loc is None:
            self.update_var_count(1, 0)
            return NULL
        self.update_var_count(1, 1)
        if self.label in (None, "page"):
            return Tagged(("locator",), self.page_range(loc))
        return Tagged(("locator",), format_page_range(None, literal(EN_DASH), loc))

    def eval_text_term(self, term: Term) -> Output:
        out = self.term_output(term)
        if term.name == "no date":
            suff = self.year_suffix()
            if suff is not None:
                parts = [out, literal(" "), suff] if term.form == "long" else [out, suff]
                out = grouped(parts)
        return Tagged(("term", term), out)

    # --- numbers and labels --------------------------------------------------------------

    def eval_number(self, node: Number) -> Output:
        val = self.ask_variable(node.variable)
        if val is None:
            return NULL
        if val.kind == "num":
            parts = [val]
        elif val.kind in ("text", "fancy"):
            parts = _split_nums(val.to_text() or "")
        else:
            parts = []
        return grouped([self.number_part(node.form, p) for p in parts])

    def number_part(self, form: str, val: Val) -> Output:
        if val.kind != "num":
            return literal(val.to_text() or "")
        n: int = val.value  # type: ignore[assignment]
        if form == "ordinal":
            return self.ordinal(n)
        if form == "long-ordinal":
            if 1 <= n <= 10:
                found = self.lookup_term(Term(f"long-ordinal-{n:02d}"))
                if found:
                    return literal(found[0][1])
            return self.ordinal(n)
        if form == "roman":
            return literal(_roman(n))
        return literal(str(n))

    def ordinal(self, n: int) -> Output:
        two = [
            (t, s)
            for t, s in self.lookup_term(Term(f"ordinal-{n % 100:02d}"))
            if not (n > 99 and t.match == "whole-number")
        ]
        if two:
            return literal(f"{n}{two[0][1]}")
        one = [
            (t, s)
            for t, s in self.lookup_term(Term(f"ordinal-{n % 10:02d}"))
            if n <= 10 or t.match in (None, "last-digit")
        ]
        if one:
            return literal(f"{n}{one[0][1]}")
        fallback = self.lookup_term(Term("ordinal"))
        return literal(f"{n}{fallback[0][1]}" if fallback else str(n))

    def eval_label(self, var: str, form: str, plural: str, fmt: Formatting) -> Output:
        var = var.lower()
        term_out = self._label_term(var, form, plural)
        if fmt.suffix and fmt.suffix.startswith(".") and isinstance(term_out, Literal):
            text = il.stringify(term_out.inl)
            if text.endswith(".") and not fmt.strip_periods:
                suffix = fmt.suffix[1:] or None
                return formatted(replace(fmt, suffix=suffix), [term_out])
        return formatted(fmt, [term_out])

    def _label_term(self, var: str, form: str, plural: str) -> Output:
        def get(name: str, val: Val) -> Output:
            number = _plurality(var, plural, val)
            return self.term_output(Term(name, form, number))

        loc, lab = self.locator, self.label
        if var == "locator" and loc is not None:
            if lab is not None:
                return get(lab, Val("text", loc))
            # "chap. 3" style locators carry their own label; a leading space means none.
            if loc[:1].isspace() or re.match(r"[^\W\d_]*\. ", loc):
                return NULL
            return get("page", Val("text", loc))
        if var == "page" and loc is not None:
            return get("page", Val("text", loc))
        val = self.ref.lookup("editor" if var == "editortranslator" else var) if self.ref else None
        if val is None:
            return NULL
        return get(var, val)

    # --- page ranges -------------------------------------------------------------------------

    def page_range(self, x: str) -> Output:
        delim = self.term_output(Term("page-range-delimiter"))
        if delim is NULL:
            delim = literal(EN_DASH)
        fmt = self.style.options.page_range_format
        chunks = [c.strip() for c in re.findall(r"[,&]|[^,&]+", x)]
        return formatted(
            Formatting(delimiter=" "), [format_page_range(fmt, delim, c) for c in chunks]
        )

    # --- groups and conditions ----------------------------------------------------------------

    def eval_group(self, node: Group) -> Output:
        old_total, old_nonempty = self.var_count
        xs = self.eval_elements(node.children)
        new_total, new_nonempty = self.var_count
        if node.is_macro and any(x is not NULL for x in xs):
            # A non-empty macro counts as a non-empty variable for enclosing groups.
            self.update_var_count(1, 1)
        if old_total == new_total or new_nonempty > old_nonempty:
            return formatted(node.formatting, xs)
        return NULL

    def eval_choose(self, node: Choose) -> list[Output]:
        for branch in node.branches:
            tests = [self._test(c) for c in branch.conditions]
            if branch.match == "any":
                ok = any(tests)
            elif branch.match == "none":
                ok = not any(tests)
            else:
                ok = all(tests)
            if ok:
                return self.eval_elements(branch.children)
        return []

    def _test(self, cond: Condition) -> bool:
        ref = self.ref
        kind, value = cond.kind, cond.value
        if kind == "variable":
            if str(value).lower() == "locator":
                return self.locator is not None
            val = ref.lookup(str(value)) if ref else None
            return val is not None and val.non_empty()
        if kind == "type":
            return bool(ref and ref.type) and ref.type in value  # type: ignore[operator]
        if kind == "is-uncertain-date":
            val = ref.lookup(str(value)) if ref else None
            return val is not None and val.kind == "date" and val.value.circa  # type: ignore[union-attr]
        if kind == "is-numeric":
            if str(value).lower() == "locator":
                return self.locator is not None and _is_numeric(self.locator)
            val = ref.lookup(str(value)) if ref else None
            if val is None:
                return False
            if val.kind == "num":
                return True
            return val.kind in ("text", "fancy") and _is_numeric(val.to_text() or "")
        if kind == "locator":
            if self.label == "sub verbo":
                return value == "sub-verbo"
            if self.label:
                return self.label == value
            # A bare locator counts as a page; no locator matches no locator type.
            return value == "page" and self.locator is not None
        if kind == "position":
            return value in self.position
        if kind == "disambiguate":
            d = self.disamb_of()
            return bool(d and d.condition)
        return False

    # --- substitution ---------------------------------------------------------------------

    def substitute(self, nodes: list[Node], names_form: NamesFormat) -> list[Output]:
        """Render the first ``cs:substitute`` child that produces output; whatever it
        printed is then not printed again in the rest of the entry."""
        saved = (self.in_substitute, self.substitute_names_form)
        self.in_substitute, self.substitute_names_form = True, names_form
        try:
            for node in nodes:
                self.substitute_used = set()
                res = [x for x in self.eval_element(node) if x is not NULL]
                if res:
                    for var in self.substitute_used:
                        self.delete_variable(var)
                    return res
            return []
        finally:
            self.in_substitute, self.substitute_names_form = saved

    # --- items ----------------------------------------------------------------------------

    def eval_item(self, layout: Layout, item: Item, position: tuple[str, ...]) -> list[Output]:
        ref = self.refs.get(item.id)
        if ref is None:
            return [Literal(il.wrap("strong", il.text(item.id + "?")))]
        self.start_item(ref, item)
        self.position = position
        xs = self.eval_elements(layout.elements)
        if self.used_identifier or not self.in_bibliography:
            return xs
        url = _identifier_url(ref)
        if url is None:
            return xs
        if self.used_title:
            return [transform(x, lambda n, u=url: _link_title(n, u)) for x in xs]
        return [Linked(url, xs)]


def _link_title(node: Output, url: str) -> Output:
    if isinstance(node, Tagged) and node.tag[0] == "title":
        return Linked(url, [node])
    return node


def _identifier_url(ref: Reference) -> str | None:
    """The hyperlink target for an entry that prints none: DOI, PMCID, PMID or URL."""
    for key in ("doi", "pmcid", "pmid", "url"):
        val = ref.variables.get(key)
        t = val.to_text() if val is not None else None
        if t is not None:
            if key == "doi" and t.startswith("10/"):
                t = t[3:]
            return t if (not t or "://" in t) else _IDENT_PREFIX[key] + t
    return None


def _plurality(var: str, plural: str, val: Val) -> str:
    if plural == "always":
        return "plural"
    if plural == "never":
        return "singular"
    if val.kind == "names":
        return "plural" if len(val.value) > 1 else "singular"  # type: ignore[arg-type]
    if val.kind not in ("text", "fancy"):
        return "singular"
    t = val.to_text() or ""
    if var == "number-of-volumes" and t not in ("1", "0"):
        return "plural"
    if "\\-" in t:
        return "singular"
    return "plural" if len(_split_nums(t)) > 1 else "singular"


# --- page ranges ----------------------------------------------------------------------------


def _in_range(pref: str, xs: list[str], delim: Output) -> Output:
    parts: list[Output] = [literal(pref)] if pref else []
    for i, x in enumerate(xs):
        if i:
            parts.append(delim)
        parts.append(literal(x))
    return grouped(parts)


def _minimal(threshold: int, pref: str, x: str, y: str, delim: Output) -> Output:
    k = 0
    while k < min(len(x), len(y)) and x[k] == y[k]:
        k += 1
    if k == 0:
        return _in_range(pref, [x, y], delim)
    rest_y = y[k:]
    if len(rest_y) < threshold and len(y) >= threshold:
        return _in_range(pref, [x, y[-threshold:]], delim)
    return _in_range(pref, [x, rest_y], delim)


def format_page_range(fmt: str | None, delim: Output, t: str) -> Output:
    """Format one page range per ``page-range-format`` (citeproc's ``formatPageRange``)."""
    if t in ("&", ","):
        return literal(t)
    if "\\-" in t:
        parts = [t.replace("\\-", "-")]
    else:
        parts = [p.strip() for p in re.split(r"[-\u2013]", t)]
    if not parts:
        return NULL
    if len(parts) == 1:
        return literal(parts[0])
    if len(parts) > 2:
        return literal(t)
    w, v = parts
    if fmt is None:
        return _in_range("", [w, v], delim)
    w_pref = w.rstrip("0123456789")
    v_pref = v.rstrip("0123456789")
    if w_pref != v_pref:
        return _in_range("", [w, v], delim)
    x, y = w[len(w_pref) :], v[len(v_pref) :]
    y2 = x[: len(x) - len(y)] + y if len(y) < len(x) else y
    if fmt in ("chicago", "chicago-15", "chicago-16"):
        if len(x) < 3 or x.endswith("00"):
            return _in_range(w_pref, [x, y2], delim)
        if x[-2:-1] == "0":
            return _minimal(1, w_pref, x, y2, delim)
        changed = sum(1 for a, b in zip(x.ljust(len(y2)), y2, strict=False) if a != b)
        if fmt != "chicago-16" and len(x) == 4 and changed >= 3:
            return _in_range(w_pref, [x, y2], delim)
        return _minimal(2, w_pref, x, y2, delim)
    if fmt == "expanded":
        return _in_range("", [w_pref + x, w_pref + y2], delim)
    if fmt == "minimal":
        return _minimal(1, w_pref, x, y2, delim)
    if fmt == "minimal-two":
        return _minimal(2, w_pref, x, y2, delim)
    return _in_range("", [w, v], delim)


__all__ = ["Disamb", "Evaluator", "Item", "format_page_range", "year_suffix_text"]
