"""The parsed form of a CSL style: formatting attributes and rendering elements.

Every element keeps its formatting (affixes, fonts, text case, quotes, display) in a
:class:`Formatting`; macros are expanded at parse time, so a ``<text macro>`` call becomes
a :class:`Group` flagged ``is_macro``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from xml.etree.ElementTree import Element as XmlElement

CSL_NS = "{http://purl.org/net/xbiblio/csl}"


@dataclass(frozen=True)
class Formatting:
    """CSL formatting attributes; ``None``/``False`` mean "not set"."""

    lang: str | None = None
    font_style: str | None = None
    font_variant: str | None = None
    font_weight: str | None = None
    text_decoration: str | None = None
    vertical_align: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    display: str | None = None
    text_case: str | None = None
    delimiter: str | None = None
    strip_periods: bool = False
    quotes: bool = False
    affixes_inside: bool = False

    def combine(self, other: Formatting) -> Formatting:
        """Left-biased union (citeproc's ``<>`` on Formatting)."""
        values = {}
        for f in fields(self):
            a = getattr(self, f.name)
            b = getattr(other, f.name)
            values[f.name] = (a or b) if isinstance(a, bool) else (a if a is not None else b)
        return Formatting(**values)


EMPTY = Formatting()


def local_name(node: XmlElement) -> str:
    """Tag name without the XML namespace."""
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def children(node: XmlElement, name: str | None = None) -> list[XmlElement]:
    """Child elements, optionally only those named ``name``."""
    return [c for c in node if isinstance(c.tag, str) and (name is None or local_name(c) == name)]


_FONT_STYLE = {"italic": "italic", "oblique": "italic", "normal": "normal"}


def get_formatting(attrs: dict[str, str]) -> Formatting:
    """Read the formatting attributes of an element."""
    return Formatting(
        font_style=_FONT_STYLE.get(attrs.get("font-style", "")),
        font_variant=attrs.get("font-variant")
        if attrs.get("font-variant") in ("small-caps", "normal")
        else None,
        font_weight=attrs.get("font-weight")
        if attrs.get("font-weight") in ("bold", "light", "normal")
        else None,
        text_decoration=attrs.get("text-decoration")
        if attrs.get("text-decoration") in ("underline", "none")
        else None,
        vertical_align=attrs.get("vertical-align")
        if attrs.get("vertical-align") in ("sup", "sub", "baseline")
        else None,
        prefix=attrs.get("prefix"),
        suffix=attrs.get("suffix"),
        display=attrs.get("display")
        if attrs.get("display") in ("block", "left-margin", "right-inline", "indent")
        else None,
        text_case=attrs.get("text-case"),
        delimiter=attrs.get("delimiter"),
        strip_periods=attrs.get("strip-periods") == "true",
        quotes=attrs.get("quotes") == "true",
    )


# --- elements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A locale term query or definition; ``None`` attributes match anything."""

    name: str
    form: str = "long"
    number: str | None = None
    gender: str | None = None
    gender_form: str | None = None
    match: str | None = None

    def matches(self, other: Term) -> bool:
        return (
            self.name == other.name
            and self.form == other.form
            and _wild(self.number, other.number)
            and _wild(self.gender, other.gender)
            and _wild(self.gender_form, other.gender_form)
            and _wild(self.match, other.match)
        )


def _wild(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


@dataclass
class Node:
    """Base of all rendering elements."""

    formatting: Formatting = EMPTY


@dataclass
class TextVariable(Node):
    variable: str = ""
    short: bool = False


@dataclass
class TextTerm(Node):
    term: Term = field(default_factory=lambda: Term(""))


@dataclass
class TextValue(Node):
    value: str = ""


@dataclass
class Number(Node):
    variable: str = ""
    form: str = "numeric"


@dataclass
class Label(Node):
    variable: str = ""
    form: str = "long"
    plural: str = "contextual"


@dataclass
class Group(Node):
    children: list[Node] = field(default_factory=list)
    is_macro: bool = False
    macro: str | None = None  # the macro's name, kept for debugging


@dataclass
class Condition:
    """One test of a ``cs:if``: kind is variable, type, is-numeric, is-uncertain-date,
    locator, position or disambiguate."""

    kind: str
    value: object = None


@dataclass
class Branch:
    match: str
    conditions: list[Condition]
    children: list[Node]


@dataclass
class Choose(Node):
    branches: list[Branch] = field(default_factory=list)


@dataclass(frozen=True)
class DatePart:
    name: str
    form: str
    range_delimiter: str
    formatting: Formatting


@dataclass
class Date(Node):
    variable: str = ""
    date_type: str = "non-localized"  # or "text" / "numeric"
    show_parts: str | None = None
    parts: list[DatePart] = field(default_factory=list)


@dataclass(frozen=True)
class NameFormat:
    """Attributes of ``cs:name``."""

    given_formatting: Formatting | None = None
    family_formatting: Formatting | None = None
    and_style: str | None = None  # "long" (text) or "symbol"
    delimiter: str = ", "
    delimiter_precedes_et_al: str = "contextual"
    delimiter_precedes_last: str = "contextual"
    et_al_min: int | None = None
    et_al_use_first: int | None = None
    et_al_subsequent_min: int | None = None
    et_al_subsequent_use_first: int | None = None
    et_al_use_last: bool = False
    form: str = "long"
    initialize: bool = True
    initialize_with: str | None = None
    name_as_sort_order: str | None = None
    sort_separator: str = ", "

    def with_(self, **kw: object) -> NameFormat:
        return replace(self, **kw)


@dataclass(frozen=True)
class NamesFormat:
    """Children of ``cs:names``: label, et-al and name specifications."""

    label: tuple[str, str, Formatting] | None = None  # (form, plural, formatting)
    et_al: tuple[str, Formatting] | None = None  # (term, formatting)
    name: tuple[NameFormat, Formatting] | None = None
    label_before_name: bool = False


@dataclass
class Names(Node):
    variables: list[str] = field(default_factory=list)
    names_format: NamesFormat = field(default_factory=NamesFormat)
    substitute: list[Node] = field(default_factory=list)
    # Name options inherited from the layout, used when there is no cs:name child.
    default_name: tuple[NameFormat, Formatting] = field(
        default_factory=lambda: (NameFormat(), EMPTY)
    )


def parse_date_part(node: XmlElement) -> DatePart:
    """Parse a ``cs:date-part``; forms default to numeric days and long months/years."""
    attrs = dict(node.attrib)
    name = attrs.get("name", "year")
    if name not in ("day", "month"):
        name = "year"
    form = attrs.get("form")
    if form not in ("numeric", "numeric-leading-zeros", "ordinal", "long", "short"):
        form = "numeric" if name == "day" else "long"
    return DatePart(name, form, attrs.get("range-delimiter", "\u2013"), get_formatting(attrs))


def parse_date(node: XmlElement) -> Date:
    """Parse a ``cs:date`` (in a style or a locale)."""
    attrs = dict(node.attrib)
    form = attrs.get("form")
    return Date(
        formatting=get_formatting(attrs),
        variable=attrs.get("variable", ""),
        date_type=form if form in ("text", "numeric") else "non-localized",
        show_parts=attrs.get("date-parts"),
        parts=[parse_date_part(p) for p in children(node, "date-part")],
    )
