"""CSL locales: terms, localized date formats and punctuation options.

A style may carry ``cs:locale`` overrides; they are merged in front of the shipped
``locales-xx-XX.xml`` (style terms win, the locale file fills the gaps), as citeproc's
``mergeLocales`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .elements import Date, Term, children, local_name, parse_date

STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Locale:
    lang: str | None = None
    punctuation_in_quote: bool | None = None
    limit_day_ordinals_to_day_1: bool | None = None
    dates: dict[str, Date] = field(default_factory=dict)
    terms: dict[str, list[tuple[Term, str]]] = field(default_factory=dict)

    def merge(self, fallback: Locale) -> Locale:
        """Left-biased union: this locale's settings win, ``fallback`` fills the gaps."""
        terms = {k: list(v) for k, v in self.terms.items()}
        for name, defs in fallback.terms.items():
            terms[name] = terms.get(name, []) + defs
        return Locale(
            lang=self.lang or fallback.lang,
            punctuation_in_quote=_first(self.punctuation_in_quote, fallback.punctuation_in_quote),
            limit_day_ordinals_to_day_1=_first(
                self.limit_day_ordinals_to_day_1, fallback.limit_day_ordinals_to_day_1
            ),
            dates={**fallback.dates, **self.dates},
            terms=terms,
        )

    def lookup(self, query: Term) -> list[tuple[Term, str]]:
        """All definitions matching ``query``, in precedence order."""
        return [(t, s) for t, s in self.terms.get(query.name, ()) if query.matches(t)]

    def term_text(self, name: str) -> str | None:
        defs = self.terms.get(name)
        return defs[0][1] if defs else None

    def quotes(self) -> tuple[str, str, str, str]:
        """Outer open/close and inner open/close quotation marks."""
        return (
            self.term_text("open-quote") or "\u201c",
            self.term_text("close-quote") or "\u201d",
            self.term_text("open-inner-quote") or "\u2018",
            self.term_text("close-inner-quote") or "\u2019",
        )


def _first(a: bool | None, b: bool | None) -> bool | None:
    return a if a is not None else b


def _text_content(node: ElementTree.Element) -> str:
    # Only direct text, like xml-conduit's getTextContent on the element's own nodes.
    parts = [node.text or ""]
    parts += [c.tail or "" for c in node]
    return "".join(parts)


def _parse_term(node: ElementTree.Element) -> list[tuple[Term, str]]:
    attrs = node.attrib
    form = attrs.get("form", "long")
    if form not in ("short", "verb", "verb-short", "symbol"):
        form = "long"
    gender = attrs.get("gender") if attrs.get("gender") in ("masculine", "feminine") else None
    match = attrs.get("match")
    if match not in ("last-digit", "last-two-digits", "whole-number"):
        match = None
    term = Term(attrs["name"], form, None, gender, gender, match)
    single = "".join(_text_content(c) for c in children(node, "single"))
    multiple = "".join(_text_content(c) for c in children(node, "multiple"))
    if not single:
        return [(term, _text_content(node))]
    return [
        (Term(term.name, form, "singular", gender, gender, match), single),
        (Term(term.name, form, "plural", gender, gender, match), multiple),
    ]


def parse_locale(node: ElementTree.Element) -> Locale:
    """Parse a ``cs:locale`` element (from a locale file or a style)."""
    options: dict[str, str] = {}
    for opt in children(node, "style-options"):
        options.update(opt.attrib)
    dates: dict[str, Date] = {}
    for d in children(node, "date"):
        date = parse_date(d)
        dates[date.date_type] = date
    terms: dict[str, list[tuple[Term, str]]] = {}
    for terms_node in children(node, "terms"):
        for t in children(terms_node, "term"):
            if "name" not in t.attrib:
                continue
            # Later definitions take precedence, as citeproc prepends each one.
            terms[t.attrib["name"]] = _parse_term(t) + terms.get(t.attrib["name"], [])
    pq = options.get("punctuation-in-quote")
    ld = options.get("limit-day-ordinals-to-day-1")
    return Locale(
        lang=node.attrib.get(_XML_LANG),
        punctuation_in_quote=None if pq is None else pq == "true",
        limit_day_ordinals_to_day_1=None if ld is None else ld == "true",
        dates=dates,
        terms=terms,
    )


def load_locale(lang: str) -> Locale:
    """Load a shipped locale file (``locales-en-US.xml`` and so on)."""
    path = STYLES_DIR / f"locales-{lang}.xml"
    if not path.exists():
        path = STYLES_DIR / "locales-en-US.xml"
    root = ElementTree.parse(path).getroot()
    assert local_name(root) == "locale"
    return parse_locale(root)


def merge_style_locales(style_locales: list[Locale], lang: str, default: Locale) -> Locale:
    """Combine the style's locale overrides for ``lang`` with the default locale."""
    primary = lang.split("-")[0]
    ordered = [loc for loc in style_locales if loc.lang == lang]
    ordered += [loc for loc in style_locales if loc.lang == primary]
    ordered += [loc for loc in style_locales if loc.lang is None]
    merged = default
    for loc in reversed(ordered):
        merged = loc.merge(merged)
    return merged
