"""Converter SVG → markup that can sit inline in HTML and XHTML, many to a page.

:func:`clean_svg` runs once per drawing (its result is what the cache holds): it drops
the XML prolog, comments and characters XML forbids, shrinks the numbers and gradients
(:mod:`.shrink`), turns ``style`` declarations into presentation attributes, and writes
the tree back with double-quoted attributes and local names. :func:`place_svg` runs per use: it prefixes
every id and every reference to one (``url(#…)``, ``href="#…"``), since converters
number their ids from 1 and two drawings on one page or in one EPUB file would
otherwise share ``glyph0-1``, and adds the accessible name.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from .shrink import shrink

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_PREFIXES = {XLINK_NS: "xlink", XML_NS: "xml"}
# SVG properties that are also presentation attributes (the ones converters write).
_PRESENTATION = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-miterlimit", "stroke-linejoin", "stroke-linecap", "stroke-dasharray",
    "stroke-dashoffset", "stop-color", "stop-opacity", "opacity", "clip-rule",
    "color", "display", "visibility", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor",
})  # fmt: skip

# XML 1.0 forbids C0 controls other than tab, newline and return (and DEL is unwanted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID = re.compile(r'(\sid=")([^"]*")')
_HREF = re.compile(r'(\s(?:xlink:)?href="#)')
_URL = re.compile(r"url\(\s*(['\"]?)#")


class SvgError(ValueError):
    """The converter's output is not well-formed SVG."""


def clean_svg(raw: str) -> str:
    """Well-formed SVG markup without prolog, doctype, comments or control characters."""
    try:
        root = ET.fromstring(_CONTROL.sub("", raw))
    except ET.ParseError as exc:
        raise SvgError(f"not well-formed XML ({exc})") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError(f"the root element is {root.tag}, not svg")
    shrink(root)
    for element in root.iter():
        _style_to_attributes(element)
    root.attrib.pop("version", None)  # "1.2" is not an SVG version EPUB checkers accept
    out: list[str] = []
    _write(root, out, top=True)
    return "".join(out)


def place_svg(svg: str, prefix: str, label: str) -> str:
    """``svg`` (from :func:`clean_svg`) with ids prefixed by ``prefix`` and the accessible
    name ``label`` (``role="img"``, ``aria-label`` and a ``<title>``)."""
    svg = _ID.sub(lambda m: f"{m[1]}{prefix}{m[2]}", svg)
    svg = _HREF.sub(lambda m: f"{m[1]}{prefix}", svg)
    svg = _URL.sub(lambda m: f"url({m[1]}#{prefix}", svg)
    head, _, body = svg.partition(">")
    text = html.escape(" ".join(label.split()), quote=True)
    head = head.rstrip("/")  # an empty drawing is written as <svg … />
    name = f' aria-label="{text}"' if text else ""
    title = f"<title>{text}</title>" if text else ""
    if not body:
        body = "</svg>"
    return f'{head} class="diagram" role="img"{name}>{title}{body}'


def _style_to_attributes(element: ET.Element) -> None:
    """``style="fill:red;stroke:none"`` → ``fill="red" stroke="none"``: the same drawing,
    but WeasyPrint (which reads every ``style`` attribute as HTML CSS) no longer warns
    about each SVG property it finds there."""
    style = element.attrib.pop("style", None)
    if style is None:
        return
    kept = []
    for declaration in style.split(";"):
        name, colon, value = (part.strip() for part in declaration.partition(":"))
        if not colon or not name:
            continue
        if name in _PRESENTATION and name not in element.attrib:
            element.attrib[name] = value
        else:
            kept.append(f"{name}:{value}")
    if kept:
        element.attrib["style"] = ";".join(kept)


def _write(element: ET.Element, out: list[str], top: bool = False) -> None:
    tag = _local(element.tag)
    attrs = "".join(f' {_name(k)}="{_attr(v)}"' for k, v in element.attrib.items())
    if top:
        attrs = f' xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"' + attrs
    children = [c for c in element if _drawn(c)]
    text = element.text if element.text and element.text.strip() else ""
    if not children and not text:
        out.append(f"<{tag}{attrs}/>")
    else:
        out.append(f"<{tag}{attrs}>{html.escape(text, quote=False)}")
        for child in children:
            _write(child, out)
            tail = child.tail or ""
            if tail.strip():
                out.append(html.escape(tail, quote=False))
        out.append(f"</{tag}>")
    if top:
        out.append("\n")


def _drawn(element: ET.Element) -> bool:
    """SVG elements other than scripts (not editor metadata in other namespaces)."""
    tag = element.tag
    return isinstance(tag, str) and tag.startswith(f"{{{SVG_NS}}}") and _local(tag) != "script"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _name(key: str) -> str:
    if key.startswith("{"):
        ns, _, local = key[1:].partition("}")
        return f"{_PREFIXES[ns]}:{local}" if ns in _PREFIXES else local
    return key


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


__all__ = ["SvgError", "clean_svg", "place_svg"]
