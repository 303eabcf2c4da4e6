"""Rendering ``cs:names``/``cs:name``: et-al rules, "and", sort order, initials, particles,
substitution and the name hints that disambiguation adds."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .elements import EMPTY, Formatting, NameFormat, Names, NamesFormat, Term
from .inline import is_lower, is_upper
from .output import (
    NULL,
    Formatted,
    Linked,
    Literal,
    Output,
    Tagged,
    formatted,
    literal,
    output_text,
    universe,
)
from .reference import Name, Val

if TYPE_CHECKING:
    from .render import Evaluator

# Latin, Greek, Cyrillic, Hebrew, Arabic, Thai...: names written "Given Family" with a space.
_BYZANTINE_RANGES = (
    ("0", "9"), ("a", "z"), ("A", "Z"), ("\u0e01", "\u0e5b"), ("\u00c0", "\u017f"),
    ("\u0370", "\u03ff"), ("\u0400", "\u052f"), ("\u0590", "\u05d4"), ("\u05d6", "\u05ff"),
    ("\u1f00", "\u1fff"), ("\u0600", "\u06ff"), ("\u200c", "\u200e"), ("\u2018", "\u2019"),
    ("\u021a", "\u021b"), ("\u202a", "\u202e"),
)  # fmt: skip


def is_byzantine(name: Name) -> bool:
    """Whether a name is written in a script that puts given name first with a space."""
    fam = name.family
    if fam is None:
        return False
    return any(c == "-" or any(lo <= c <= hi for lo, hi in _BYZANTINE_RANGES) for c in fam)


# --- initials -------------------------------------------------------------------------------


def _split_words(t: str) -> list[tuple[bool, str]]:
    """Split a given name into (is_initial, text) words, as citeproc's initializer does."""
    words: list[tuple[bool, str]] = []
    cs: list[str] = []
    for c in t:
        if c == ".":
            if cs:
                words.append((True, "".join(cs)))
            cs = []
        elif c == "-":
            if cs:
                words.append((False, "".join(cs)))
            cs = ["-"]
        elif c == " ":
            if len(cs) == 1:
                words.append((True, cs[0]))
            elif cs:
                words.append((False, "".join(cs)))
            cs = []
        else:
            cs.append(c)
    if len(cs) == 1:
        words.append((True, cs[0]))
    elif cs:
        words.append((False, "".join(cs)))
    return words


def _to_initial(t: str, use_hyphen: bool) -> str:
    if t.startswith("-"):
        c = t[1:2]
        if c and is_upper(c):
            return ("-" if use_hyphen else "") + c.upper()
        return ""  # e.g. Ji-ping -> J. not J.-p.
    c = t[:1]
    if c and is_upper(c):
        d, rest = t[1:2], t[2:]
        if d and is_upper(d) and rest and all(is_lower(x) for x in rest):
            return c + d.lower()
        return c
    return t


def initialize(make_initials: bool, use_hyphen: bool, with_: str, t: str) -> str:
    """Turn given names into initials (citeproc's ``initialize``): "Jean-Pierre" → "J.-P."."""
    out: list[str] = []
    for is_initial, w in _split_words(t):
        if is_initial:
            out.append(w + with_ if w else "")
        elif all(is_lower(c) for c in w):
            out.append(w + " " if with_.endswith(" ") else " " + w + " ")
        elif make_initials:
            init = _to_initial(w, use_hyphen)
            out.append(init + with_ if init else "")
        else:
            out.append(w + " ")
    return "".join(out).replace(" -", "-").strip(" ")


# --- joining name parts ---------------------------------------------------------------------


def _join_space(x: Output, y: Output, byzantine: bool) -> Output:
    """citeproc's ``<+>``: join name parts with a space where the script uses one."""
    if y is NULL:
        return x
    if x is NULL:
        return y
    while isinstance(x, Tagged):
        x = x.child
    if isinstance(x, Literal):
        t = output_text(x)
        if t and t[-1] in "\u2019'-\u2013\xa0":
            return formatted(EMPTY, [x, y])
        if byzantine:
            return formatted(Formatting(delimiter=" "), [x, y])
        return formatted(EMPTY, [x, y])
    if isinstance(x, Formatted):
        suffix = x.fmt.suffix
        delim = None if suffix and suffix[-1].isspace() else " "
        return formatted(Formatting(delimiter=delim), [formatted(x.fmt, x.children), y])
    if isinstance(x, Linked):
        return formatted(Formatting(delimiter=" "), [x, y])
    return formatted(EMPTY, [x, y])


def _join_sep(x: Output, y: Output, sep: str) -> Output:
    """citeproc's ``<:>``: join with the sort separator."""
    if y is NULL:
        return x
    if x is NULL:
        return y
    while isinstance(x, Tagged):
        x = x.child
    return formatted(Formatting(delimiter=sep), [x, y])


def _affixes_only(f: Formatting | None) -> Formatting:
    return EMPTY if f is None else Formatting(prefix=f.prefix, suffix=f.suffix)


def _without_affixes(f: Formatting | None) -> Formatting:
    return EMPTY if f is None else replace(f, prefix=None, suffix=None)


def display_name(ev: Evaluator, nf: NameFormat, fmt: Formatting, order: int, name: Name) -> Output:
    """Render one personal name (citeproc's ``getDisplayName``)."""
    opts = ev.style.options
    given_text = name.given
    # Sort keys use the given names as written (pandoc), not their initials.
    if (
        given_text is not None
        and name.family is not None
        and nf.initialize_with is not None
        and not ev.in_sort_key
    ):
        given_text = initialize(
            nf.initialize, opts.initialize_with_hyphen, nf.initialize_with, given_text
        )
    fam_fmt, giv_fmt = _without_affixes(nf.family_formatting), _without_affixes(nf.given_formatting)

    def part(t: str | None, f: Formatting) -> Output:
        return NULL if t is None else formatted(f, [literal(t)])

    def fam_aff(xs: list[Output]) -> Output:
        return formatted(_affixes_only(nf.family_formatting), xs)

    def giv_aff(xs: list[Output]) -> Output:
        return formatted(_affixes_only(nf.given_formatting), xs)

    ndp = part(name.non_dropping_particle, fam_fmt)
    dp = part(name.dropping_particle, giv_fmt)
    given = part(given_text, giv_fmt)
    family = part(name.family, fam_fmt)
    suffix = NULL if name.suffix is None else literal(name.suffix)
    sort_order = (
        ev.in_sort_key
        or nf.name_as_sort_order == "all"
        or (nf.name_as_sort_order == "first" and order == 1)
    )
    if not is_byzantine(name):
        if nf.form == "long":
            return formatted(fmt, [formatted(EMPTY, [fam_aff([family]), giv_aff([given])])])
        if nf.form == "short":
            return formatted(fmt, [fam_aff([family])])
        return NULL
    byz = True

    def sp(a: Output, b: Output) -> Output:
        return _join_space(a, b, byz)

    def sep(a: Output, b: Output) -> Output:
        return _join_sep(a, b, nf.sort_separator)

    demote = opts.demote_non_dropping_particle
    if nf.form == "short":
        out = fam_aff([sp(ndp, family)])
    elif nf.form != "long":
        return NULL
    elif sort_order and demote in ("never", "sort-only"):
        out = sep(sep(fam_aff([sp(ndp, family)]), giv_aff([sp(given, dp)])), suffix)
    elif sort_order:
        out = sep(sep(fam_aff([family]), giv_aff([sp(sp(given, dp), ndp)])), suffix)
    elif name.comma_suffix:
        out = sp(giv_aff([given]), fam_aff([sep(sp(sp(dp, ndp), family), suffix)]))
    else:
        out = sp(giv_aff([given]), fam_aff([sp(sp(sp(dp, ndp), family), suffix)]))
    return formatted(fmt, [out])


def format_name(ev: Evaluator, nf: NameFormat, fmt: Formatting, order: int, name: Name) -> Output:
    """One name, with any hint disambiguation added (more given name, initials)."""
    hint = ev.name_hint(name)
    if hint == "add-initials" or (hint == "add-initials-if-primary" and order == 1):
        nf = nf.with_(form="long")
    elif hint == "add-given-name" or (hint == "add-given-name-if-primary" and order == 1):
        nf = nf.with_(form="long", initialize=False)
    if name.literal is not None:
        inner: list[Output] = [literal(name.literal)]
        if nf.family_formatting is not None:
            inner = [Formatted(nf.family_formatting, inner)]
        return Tagged(("name", name), formatted(fmt, inner))
    return Tagged(("name", name), display_name(ev, nf, fmt, order, name))


# --- cs:names ---------------------------------------------------------------------------------


def _and_term(ev: Evaluator, nf: NameFormat) -> str | None:
    if nf.and_style == "symbol":
        found = ev.locale.lookup(Term("and", "symbol"))
        return found[0][1] if found else "&"
    if nf.and_style is not None:
        found = ev.locale.lookup(Term("and"))
        return found[0][1] if found else None
    return None


def _strip_delim(delim: str, fmt: Formatting) -> str:
    suffix_space = fmt.suffix is not None and fmt.suffix[:1].isspace()
    prefix_space = fmt.prefix is not None and fmt.prefix[-1:].isspace()
    if suffix_space and prefix_space:
        return delim.strip()
    if suffix_space:
        return delim.lstrip()
    if prefix_space:
        return delim.rstrip()
    return delim


def _et_al_limits(ev: Evaluator, nf: NameFormat) -> tuple[int | None, int | None]:
    if not ev.in_bibliography and "subsequent" in ev.position:
        return (
            nf.et_al_subsequent_min if nf.et_al_subsequent_min is not None else nf.et_al_min,
            nf.et_al_subsequent_use_first
            if nf.et_al_subsequent_use_first is not None
            else nf.et_al_use_first,
        )
    return nf.et_al_min, nf.et_al_use_first


def _threshold(ev: Evaluator, nf: NameFormat, names: tuple[Name, ...]) -> int | None:
    et_al_min, use_first = _et_al_limits(ev, nf)
    n = len(names)
    if et_al_min is None:
        return None
    if n >= et_al_min:
        extra = ev.et_al_names()
        if extra is not None and use_first is not None:
            return max(use_first, extra)
        return use_first
    # BibTeX's "and others" arrives as a last literal name "others": render it "et al."
    if names and names[-1].literal == "others":
        return n - 1
    return None


def _before_last(nf: NameFormat, n: int, delim: str, has_and: bool) -> str:
    if not has_and:
        return delim
    rule = nf.delimiter_precedes_last
    if rule == "contextual":
        return delim if n > 2 else ""
    if rule == "after-inverted-name":
        if nf.name_as_sort_order == "all" or (nf.name_as_sort_order == "first" and n < 3):
            return delim
        return ""
    return delim if rule == "always" else ""


def _before_et_al(nf: NameFormat, n: int, threshold: int | None, delim: str, pre: str) -> str:
    rule = nf.delimiter_precedes_et_al
    if rule == "contextual":
        return delim if n > 2 and threshold is not None and threshold > 1 else pre
    if rule == "after-inverted-name":
        if nf.name_as_sort_order == "all":
            return delim
        if nf.name_as_sort_order == "first" and (threshold is None or threshold < 2):
            return delim
        return pre
    return delim if rule == "always" else pre


def _et_al_output(ev: Evaluator, names_fmt: NamesFormat, nf: NameFormat, before: str) -> Output:
    if names_fmt.et_al is not None:
        term, f = names_fmt.et_al
        prefix = (before + (f.prefix or "")).replace("  ", " ")
        return ev.with_formatting(replace(f, prefix=prefix), ev.term_output(Term(term)))
    if nf.et_al_use_last:
        return Formatted(Formatting(prefix=before), [literal("\u2026 ")])
    return formatted(Formatting(prefix=before), [ev.term_output(Term("et-al"))])


def format_names(
    ev: Evaluator,
    names_fmt: NamesFormat,
    nf: NameFormat,
    fmt: Formatting,
    var: str,
    val: Val,
) -> Output:
    """Render one name variable (citeproc's ``formatNames``)."""
    if val.kind != "names":
        return NULL
    names: tuple[Name, ...] = val.value  # type: ignore[assignment]
    if names and names[-1].literal == "others" and nf.et_al_use_last:
        # A BibTeX "and others" is an "et al.", never a last name to repeat.
        nf = nf.with_(et_al_use_last=False)
    n = len(names)
    threshold = _threshold(ev, nf, names)
    # Only names that can appear are rendered (long author lists are cut by et-al).
    rendered = [
        format_name(ev, nf, fmt, i, name)
        if threshold is None or i <= threshold or (i == n and nf.et_al_use_last)
        else NULL
        for i, name in enumerate(names, 1)
    ]
    delim = _strip_delim(fmt.delimiter if fmt.delimiter is not None else nf.delimiter, fmt)
    label: list[Output] = []
    if names_fmt.label is not None and not ev.in_sort_key:
        form, plural, lf = names_fmt.label
        label = [ev.eval_label(var, form, plural, lf)]
    and_term = _and_term(ev, nf)
    before_last = _before_last(nf, n, delim, and_term is not None)
    if before_last == "":
        and_pre = "" if fmt.suffix and fmt.suffix[-1].isspace() else " "
    else:
        and_pre = "" if before_last[-1].isspace() else " "
    and_post = "" if fmt.prefix and fmt.prefix[0].isspace() else " "
    and_delim = None if and_term is None else and_pre + and_term + and_post
    et_al_pre = "" if fmt.suffix and fmt.suffix[-1].isspace() else " "
    et_al = _et_al_output(ev, names_fmt, nf, _before_et_al(nf, n, threshold, delim, et_al_pre))
    items = []
    for idx, name_out in enumerate(rendered, 1):
        items.append(
            _name_slot(ev, nf, idx, n, name_out, threshold, et_al, delim, before_last, and_delim)
        )
    parts = label + items if names_fmt.label_before_name else items + label
    return Tagged(("names", var, names_fmt, names), formatted(EMPTY, parts))


def _name_slot(
    ev: Evaluator,
    nf: NameFormat,
    idx: int,
    n: int,
    name_out: Output,
    threshold: int | None,
    et_al: Output,
    delim: str,
    before_last: str,
    and_delim: str | None,
) -> Output:
    if threshold == 0:
        return NULL
    if idx == 1:
        return name_out
    if idx == n and nf.et_al_use_last and threshold is not None and idx - 1 >= threshold:
        return name_out
    if threshold is not None and idx - 1 > threshold:
        return NULL
    if threshold is not None and idx - 1 == threshold:
        return NULL if ev.in_sort_key else et_al
    if ev.in_sort_key:
        return name_out
    if idx == n:
        return formatted(Formatting(prefix=before_last + (and_delim or "")), [name_out])
    return formatted(Formatting(prefix=delim), [name_out])


# --- the cs:names element ---------------------------------------------------------------------


def _effective_names_format(ev: Evaluator, el: Names) -> NamesFormat:
    own = el.names_format
    subs = ev.substitute_names_form
    if subs is None:
        return own
    return NamesFormat(
        label=None if ev.in_sort_key else (own.label or subs.label),
        et_al=own.et_al or subs.et_al,
        name=own.name or subs.name,
        label_before_name=own.label_before_name
        if own.name is not None and own.label is not None
        else subs.label_before_name,
    )


def _variables(ev: Evaluator, el: Names, nfmt: NamesFormat) -> list[str]:
    vars_ = [v.lower() for v in el.variables]
    if "editor" in vars_ and "translator" in vars_:
        ed = ev.ask_variable("editor")
        tr = ev.ask_variable("translator")
        form = nfmt.label[0] if nfmt.label is not None else "long"
        term = ev.term_output(Term("editortranslator", form))
        if ed == tr and term is not NULL:
            return ["editortranslator"] + [v for v in vars_ if v not in ("editor", "translator")]
    return vars_


def eval_names(ev: Evaluator, el: Names) -> Output:
    """Render a ``cs:names`` element, substituting when all its variables are empty."""
    nfmt = _effective_names_format(ev, el)
    fmt = el.formatting
    name_format, name_fmt0 = nfmt.name or el.default_name
    name_fmt = name_fmt0.combine(replace(fmt, prefix=None, suffix=None, delimiter=None))
    vars_ = _variables(ev, el, nfmt)
    contribs = [(v, ev.ask_variable("editor" if v == "editortranslator" else v)) for v in vars_]
    if all(val is None for _, val in contribs):
        if el.substitute and not ev.in_substitute:
            res = ev.substitute(el.substitute, nfmt)
            if res and isinstance(res[0], Tagged) and res[0].tag[0] == "names":
                return formatted(fmt, res)
            return formatted(fmt, [Tagged(("names", "", nfmt, ()), formatted(EMPTY, res))])
        return NULL
    xs = [
        format_names(ev, nfmt, name_format, name_fmt, v, val)
        for v, val in contribs
        if val is not None
    ]
    if ev.in_substitute:
        # Substituted variables are not printed again (citeproc deletes them by the
        # requested name, so "editortranslator" leaves "editor" in place).
        for v, val in contribs:
            if val is not None:
                ev.delete_variable(v)
    if name_format.form == "count":
        count = sum(
            1
            for x in xs
            for node in universe(x)
            if isinstance(node, Tagged) and node.tag[0] == "name"
        )
        return literal(str(count))
    return formatted(Formatting(prefix=fmt.prefix, suffix=fmt.suffix, delimiter=fmt.delimiter), xs)
