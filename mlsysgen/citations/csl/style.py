"""Parse a CSL 1.0.2 style file into :mod:`.elements` trees.

Macros are expanded where they are called; name attributes inherited from ``cs:style``,
``cs:citation``, ``cs:bibliography`` and ``cs:key`` are threaded through the parse, with
the same precedence citeproc applies (an element's own attribute wins over an inherited
one; among inherited ones the outer element wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.etree.ElementTree import Element as XmlElement

from .elements import (
    EMPTY,
    Branch,
    Choose,
    Condition,
    Formatting,
    Group,
    Label,
    NameFormat,
    Names,
    NamesFormat,
    Node,
    Number,
    Term,
    TextTerm,
    TextValue,
    TextVariable,
    children,
    get_formatting,
    local_name,
    parse_date,
)
from .locale import Locale, parse_locale

# Inheritable name attributes and the attribute each becomes on cs:name / cs:names.
_INHERITABLE = {
    "and": "and",
    "delimiter-precedes-et-al": "delimiter-precedes-et-al",
    "delimiter-precedes-last": "delimiter-precedes-last",
    "et-al-min": "et-al-min",
    "et-al-use-first": "et-al-use-first",
    "et-al-use-last": "et-al-use-last",
    "et-al-subsequent-min": "et-al-subsequent-min",
    "et-al-subsequent-use-first": "et-al-subsequent-use-first",
    "initialize": "initialize",
    "initialize-with": "initialize-with",
    "name-as-sort-order": "name-as-sort-order",
    "sort-separator": "sort-separator",
    "name-form": "form",
    "name-delimiter": "delimiter",
    "names-delimiter": "delimiter",
    "names-min": "names-min",
    "names-use-first": "names-use-first",
    "names-use-last": "names-use-last",
}
_TERM_FORMS = ("short", "verb", "verb-short", "symbol")
_MAX_MACRO_DEPTH = 50


@dataclass
class SortKey:
    descending: bool
    variable: str | None = None
    elements: list[Node] | None = None


@dataclass
class Layout:
    formatting: Formatting
    elements: list[Node]
    sort_keys: list[SortKey]
    collapse: str | None = None
    year_suffix_delimiter: str | None = None
    after_collapse_delimiter: str | None = None


@dataclass
class StyleOptions:
    is_note: bool = False
    default_locale: str | None = None
    demote_non_dropping_particle: str = "display-and-sort"
    initialize_with_hyphen: bool = True
    page_range_format: str | None = None
    disambiguate_add_names: bool = False
    disambiguate_add_givenname: bool = False
    givenname_rule: str = "by-cite"
    disambiguate_add_year_suffix: bool = False
    cite_group_delimiter: str | None = None
    hanging_indent: bool = False
    second_field_align: str | None = None
    subsequent_author_substitute: str | None = None
    subsequent_author_substitute_rule: str = "complete-all"
    uses_year_suffix_variable: bool = False


@dataclass
class Style:
    options: StyleOptions
    citation: Layout
    bibliography: Layout | None
    locales: list[Locale] = field(default_factory=list)


def _to_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _inheritable(node: XmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    # Reverse key order so that, of two attributes mapping to one name, the
    # alphabetically first wins (citeproc folds a sorted map from the right).
    for key in sorted(node.attrib, reverse=True):
        if key in _INHERITABLE:
            out[_INHERITABLE[key]] = node.attrib[key]
    return out


class _Parser:
    def __init__(self, macros: dict[str, XmlElement]) -> None:
        self.macros = macros
        self.depth = 0
        # Parsed macro bodies, shared between call sites: the trees are never mutated,
        # and re-parsing each call would blow up (Chicago calls macros ~100k times).
        self.cache: dict[tuple, list[Node]] = {}

    # --- generic -----------------------------------------------------------------

    def elements(self, nodes: list[XmlElement], ctx: dict[str, str]) -> list[Node]:
        out = []
        for n in nodes:
            el = self.element(n, ctx)
            if el is not None:
                out.append(el)
        return out

    def element(self, node: XmlElement, ctx: dict[str, str]) -> Node | None:
        name = local_name(node)
        handler = {
            "text": self.text,
            "group": self.group,
            "choose": self.choose,
            "number": self.number,
            "label": self.label,
            "names": self.names,
        }.get(name)
        if name == "date":
            return parse_date(node)
        return handler(node, ctx) if handler else None

    # --- simple elements -----------------------------------------------------------------

    def text(self, node: XmlElement, ctx: dict[str, str]) -> Node:
        attrs = node.attrib
        fmt = get_formatting(attrs)
        if "variable" in attrs:
            return TextVariable(fmt, attrs["variable"], attrs.get("form") == "short")
        if "macro" in attrs:
            return Group(fmt, self.macro(attrs["macro"], ctx), True, attrs["macro"])
        if "term" in attrs:
            form = attrs.get("form", "long")
            plural = {"true": "plural", "false": "singular"}.get(attrs.get("plural", ""))
            term = Term(attrs["term"], form if form in _TERM_FORMS else "long", plural)
            return TextTerm(fmt, term)
        return TextValue(fmt, attrs.get("value", ""))

    def macro(self, name: str, ctx: dict[str, str]) -> list[Node]:
        key = (name, tuple(sorted(ctx.items())))
        if key in self.cache:
            return self.cache[key]
        node = self.macros.get(name)
        if node is None:
            raise ValueError(f"CSL macro {name!r} not found")
        self.depth += 1
        if self.depth > _MAX_MACRO_DEPTH:
            raise ValueError(f"CSL macro {name!r} recurses")
        try:
            self.cache[key] = self.elements(children(node), ctx)
        finally:
            self.depth -= 1
        return self.cache[key]

    def group(self, node: XmlElement, ctx: dict[str, str]) -> Node:
        return Group(get_formatting(node.attrib), self.elements(children(node), ctx))

    def number(self, node: XmlElement, ctx: dict[str, str]) -> Node:
        form = node.attrib.get("form", "numeric")
        if form not in ("ordinal", "long-ordinal", "roman"):
            form = "numeric"
        return Number(get_formatting(node.attrib), node.attrib.get("variable", ""), form)

    def label(self, node: XmlElement, ctx: dict[str, str] | None = None) -> Label:
        attrs = node.attrib
        form = attrs.get("form", "long")
        plural = attrs.get("plural", "contextual")
        return Label(
            get_formatting(attrs),
            attrs.get("variable", ""),
            form if form in _TERM_FORMS else "long",
            plural if plural in ("always", "never") else "contextual",
        )

    # --- choose --------------------------------------------------------------------------

    def choose(self, node: XmlElement, ctx: dict[str, str]) -> Node:
        branches = []
        for tag in ("if", "else-if", "else"):
            for b in children(node, tag):
                branches.append(self.branch(b, ctx))
        return Choose(EMPTY, branches)

    def branch(self, node: XmlElement, ctx: dict[str, str]) -> Branch:
        attrs = node.attrib
        match = attrs.get("match", "all")
        conds: list[Condition] = []
        if attrs.get("disambiguate") == "true":
            conds.append(Condition("disambiguate"))
        for attr, kind in (
            ("is-numeric", "is-numeric"),
            ("is-uncertain-date", "is-uncertain-date"),
            ("locator", "locator"),
            ("position", "position"),
            ("variable", "variable"),
        ):
            conds += [Condition(kind, v) for v in attrs.get(attr, "").split()]
        if "type" in attrs:
            # Pandoc's citeproc treats a list of types as one test that any type passes.
            conds.append(Condition("type", tuple(attrs["type"].split())))
        return Branch(match, conds, self.elements(children(node), ctx))

    # --- names ---------------------------------------------------------------------------

    def names(self, node: XmlElement, ctx: dict[str, str]) -> Node:
        attrs = {**ctx, **node.attrib}
        nf = NamesFormat()
        subst: list[Node] = []
        for child in children(node):
            kind = local_name(child)
            if kind == "label":
                lab = self.label(child)
                nf = NamesFormat(
                    (lab.form, lab.plural, lab.formatting), nf.et_al, nf.name, nf.name is None
                )
            elif kind == "substitute":
                subst = self.elements(children(child), ctx)
            elif kind == "et-al":
                term = child.attrib.get("term", "et-al")
                nf = NamesFormat(
                    nf.label, (term, get_formatting(child.attrib)), nf.name, nf.label_before_name
                )
            elif kind == "name":
                nf = NamesFormat(nf.label, nf.et_al, self.name(child, ctx), nf.label_before_name)
        # Without a cs:name child the inherited name options still apply (unless a
        # parent cs:names passes its own down through cs:substitute).
        return Names(
            get_formatting(attrs),
            attrs.get("variable", "").split(),
            nf,
            subst,
            self.name(None, ctx),
        )

    def name(self, node: XmlElement | None, ctx: dict[str, str]) -> tuple[NameFormat, Formatting]:
        attrs = {**ctx, **(node.attrib if node is not None else {})}
        parts = {}
        for part in children(node, "name-part") if node is not None else []:
            parts.setdefault(part.attrib.get("name"), get_formatting(part.attrib))
        and_style = {"text": "long", "symbol": "symbol"}.get(attrs.get("and", ""))
        use_last = attrs.get("names-use-last", attrs.get("et-al-use-last"))
        form = attrs.get("form", "long")
        nas = attrs.get("name-as-sort-order")
        fmt = NameFormat(
            given_formatting=parts.get("given"),
            family_formatting=parts.get("family"),
            and_style=and_style,
            delimiter=attrs.get("delimiter", ", "),
            delimiter_precedes_et_al=_precedes(attrs.get("delimiter-precedes-et-al")),
            delimiter_precedes_last=_precedes(attrs.get("delimiter-precedes-last")),
            et_al_min=_to_int(attrs.get("names-min", attrs.get("et-al-min"))),
            et_al_use_first=_to_int(attrs.get("names-use-first", attrs.get("et-al-use-first"))),
            et_al_subsequent_min=_to_int(attrs.get("et-al-subsequent-min")),
            et_al_subsequent_use_first=_to_int(attrs.get("et-al-subsequent-use-first")),
            et_al_use_last=use_last == "true",
            form=form if form in ("short", "count") else "long",
            initialize=attrs.get("initialize") != "false",
            initialize_with=attrs.get("initialize-with"),
            name_as_sort_order=nas if nas in ("all", "first") else None,
            sort_separator=attrs.get("sort-separator", ", "),
        )
        return fmt, get_formatting(attrs)

    # --- layouts ---------------------------------------------------------------------------

    def layout(self, node: XmlElement, ctx: dict[str, str]) -> Layout:
        ctx = {**_inheritable(node), **ctx}
        layouts = children(node, "layout")
        fmt = EMPTY
        for lay in layouts:
            fmt = fmt.combine(get_formatting(lay.attrib))
        fmt = Formatting(**{**fmt.__dict__, "affixes_inside": True})
        elements = [el for lay in layouts for el in self.elements(children(lay), ctx)]
        keys = [self.sort_key(k, ctx) for s in children(node, "sort") for k in children(s, "key")]
        attrs = node.attrib
        return Layout(
            fmt,
            elements,
            keys,
            collapse=attrs.get("collapse"),
            year_suffix_delimiter=attrs.get("year-suffix-delimiter", fmt.delimiter),
            after_collapse_delimiter=attrs.get("after-collapse-delimiter", fmt.delimiter),
        )

    def sort_key(self, node: XmlElement, ctx: dict[str, str]) -> SortKey:
        ctx = {**_inheritable(node), **ctx}
        descending = node.attrib.get("sort") == "descending"
        if "macro" in node.attrib:
            return SortKey(descending, elements=self.macro(node.attrib["macro"], ctx))
        return SortKey(descending, variable=node.attrib.get("variable", ""))


def _precedes(value: str | None) -> str:
    return value if value in ("after-inverted-name", "always", "never") else "contextual"


def _uses_year_suffix(nodes: list[Node]) -> bool:
    for n in nodes:
        if isinstance(n, TextVariable) and n.variable == "year-suffix":
            return True
        if isinstance(n, Group) and _uses_year_suffix(n.children):
            return True
        if isinstance(n, Choose) and any(_uses_year_suffix(b.children) for b in n.branches):
            return True
    return False


def parse_style(source: str | Path) -> Style:
    """Parse a CSL style from a path or XML text (``ValueError`` if it is not one)."""
    try:
        if isinstance(source, Path) or not source.lstrip().startswith("<"):
            root = ElementTree.parse(source).getroot()
        else:
            root = ElementTree.fromstring(source)
    except (ElementTree.ParseError, OSError) as exc:
        raise ValueError(f"cannot read CSL style {str(source)[:80]!r}: {exc}") from exc
    if local_name(root) != "style":
        raise ValueError("not a CSL style (the root element is not cs:style)")
    macros = {m.attrib["name"]: m for m in children(root, "macro") if "name" in m.attrib}
    parser = _Parser(macros)
    ctx = _inheritable(root)
    cit_nodes = children(root, "citation")
    if len(cit_nodes) != 1:
        raise ValueError("a CSL style needs exactly one cs:citation")
    citation = parser.layout(cit_nodes[0], ctx)
    bib_nodes = children(root, "bibliography")
    bibliography = parser.layout(bib_nodes[0], ctx) if bib_nodes else None
    return Style(
        _options(root, cit_nodes[0], bib_nodes[0] if bib_nodes else None, citation, bibliography),
        citation,
        bibliography,
        [parse_locale(loc) for loc in children(root, "locale")],
    )


def _options(
    root: XmlElement,
    cit: XmlElement,
    bib: XmlElement | None,
    citation: Layout,
    bibliography: Layout | None,
) -> StyleOptions:
    attr, cattr = root.attrib, cit.attrib
    battr = bib.attrib if bib is not None else {}
    prf = attr.get("page-range-format")
    rule = cattr.get("givenname-disambiguation-rule", "by-cite")
    if rule not in (
        "all-names",
        "all-names-with-initials",
        "primary-name",
        "primary-name-with-initials",
    ):
        rule = "by-cite"
    uses_ys = _uses_year_suffix(citation.elements) or (
        bibliography is not None and _uses_year_suffix(bibliography.elements)
    )
    return StyleOptions(
        is_note=attr.get("class") == "note",
        default_locale=attr.get("default-locale"),
        demote_non_dropping_particle=attr.get("demote-non-dropping-particle", "display-and-sort"),
        initialize_with_hyphen=attr.get("initialize-with-hyphen", "true") == "true",
        page_range_format=prf
        if prf in ("chicago", "chicago-15", "chicago-16", "expanded", "minimal", "minimal-two")
        else None,
        disambiguate_add_names=cattr.get("disambiguate-add-names") == "true",
        disambiguate_add_givenname=cattr.get("disambiguate-add-givenname") == "true",
        givenname_rule=rule,
        disambiguate_add_year_suffix=cattr.get("disambiguate-add-year-suffix") == "true",
        cite_group_delimiter=cattr.get("cite-group-delimiter")
        or (", " if "collapse" in cattr else None),
        hanging_indent=battr.get("hanging-indent") == "true",
        second_field_align=battr.get("second-field-align")
        if battr.get("second-field-align") in ("flush", "margin")
        else None,
        subsequent_author_substitute=battr.get("subsequent-author-substitute"),
        subsequent_author_substitute_rule=battr.get(
            "subsequent-author-substitute-rule", "complete-all"
        ),
        uses_year_suffix_variable=uses_ys,
    )
