"""HTML5 fragments → a small element tree → well-formed XHTML.

The renderer writes HTML5, and author raw HTML passes through it: void elements
without a slash, named entities, unclosed ``<li>``/``<p>``, SVG with camelCase names.
:func:`parse_fragment` builds a tree with the HTML rules a fragment needs (void
elements, implied end tags, SVG and MathML as foreign content whose names keep their
case); :func:`serialize` writes it back as XML, declaring the SVG/MathML namespaces.
The standard library's tokenizer turns every character reference into a character.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
                  "meta", "param", "source", "track", "wbr"})  # fmt: skip
# Start tags that end an open <p> (HTML's "close a p element" list).
_CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "details", "dialog", "div",
                       "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
                       "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav",
                       "ol", "p", "pre", "section", "summary", "table", "ul"})  # fmt: skip
# Elements an open <p> (or <li>, …) is never searched past.
_SCOPE = frozenset({"table", "td", "th", "caption", "html", "object", "button", "template",
                    "svg", "math"})  # fmt: skip
# tag → (the open element it ends, elements that bound the search for it)
_LISTS = frozenset({"ul", "ol", "menu"}) | _SCOPE
_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), _LISTS),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"}) | _SCOPE),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"}) | _SCOPE),
    "tr": (frozenset({"tr"}), _SECTIONS | {"table"}),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (_SECTIONS, frozenset({"table"})),
    "tbody": (_SECTIONS, frozenset({"table"})),
    "tfoot": (_SECTIONS, frozenset({"table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
}
# End tags that close open cells on their way (``</table>`` ends an unclosed ``<td>``).
_CELLS = frozenset({"td", "th"})
_CLOSES_THROUGH = {"table": _CELLS | {"caption"}, "tr": _CELLS, "tbody": _CELLS,
                   "thead": _CELLS, "tfoot": _CELLS}  # fmt: skip
_FOREIGN_ROOTS = {"svg": SVG_NS, "math": MATHML_NS}
_NAME = re.compile(r"^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?$")
_RAW_NAME = re.compile(r"<\s*([^\s/>]+)")
_RAW_ATTR = re.compile(r"""([^\s/>"'=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
# Characters XML 1.0 forbids (C0 controls but tab/newline/return, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Element:
    """One element: its tag (original case in SVG/MathML), attributes and children."""

    __slots__ = ("attrs", "children", "ns", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], ns: str = XHTML_NS) -> None:
        self.tag = tag
        self.attrs = attrs
        self.ns = ns
        self.children: list[Element | str] = []

    def __repr__(self) -> str:
        return f"<Element {self.tag} {self.attrs}>"


def parse_fragment(html_text: str) -> Element:
    """Parse an HTML5 fragment into a tree under a ``div`` root (returned)."""
    builder = _TreeBuilder()
    builder.feed(html_text)
    builder.close()
    return builder.root


def serialize(node: Element) -> str:
    """The children of ``node`` as XHTML (the root's own tag is not written)."""
    out: list[str] = []
    _write_children(node, out)
    return "".join(out)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("div", {})
        self.stack: list[Element] = [self.root]

    # ---- tokenizer events ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag.lower()
            if name == tag:
                del self.stack[i:]
                return
            if name in _SCOPE and name not in _CLOSES_THROUGH.get(tag, ()):
                return  # a stray end tag closes nothing outside its cell, table or formula

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)

    # Comments, doctypes and processing instructions carry nothing a reader shows.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass

    # ---- tree construction ---------------------------------------------------------------
    def _start(self, tag: str, raw_attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        parent = self.stack[-1]
        foreign = parent.ns != XHTML_NS and not (
            parent.ns == SVG_NS and parent.tag.lower() == "foreignobject"
        )
        if foreign:
            element = self._foreign(tag, raw_attrs, parent.ns)
        else:
            self._close_implied(tag)
            ns = _FOREIGN_ROOTS.get(tag, XHTML_NS)
            element = (
                self._foreign(tag, raw_attrs, ns)
                if ns != XHTML_NS
                else Element(tag, _attrs(raw_attrs))
            )
        self.stack[-1].children.append(element)
        void = element.ns == XHTML_NS and tag in VOID
        if not void and not (self_closing and element.ns != XHTML_NS):
            self.stack.append(element)

    def _foreign(self, tag: str, raw_attrs: list[tuple[str, str | None]], ns: str) -> Element:
        """An SVG/MathML element: names keep the case they have in the source."""
        raw = self.get_starttag_text() or ""
        if raw == raw.lower():
            return Element(tag, _attrs(raw_attrs), ns)
        m = _RAW_NAME.match(raw)
        name = m.group(1) if m else tag
        names = [a.group(1) for a in _RAW_ATTR.finditer(raw, m.end() if m else 0)]
        cased = {n.lower(): n for n in names}
        attrs = _attrs([(cased.get(k, k), v) for k, v in raw_attrs])
        return Element(name, attrs, ns)

    def _close_implied(self, tag: str) -> None:
        if tag in _CLOSES_P:
            self._close_in_scope(frozenset({"p"}), _SCOPE)
        rule = _IMPLIED.get(tag)
        if rule is not None:
            self._close_in_scope(*rule)

    def _close_in_scope(self, targets: frozenset[str], bounds: frozenset[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            element = self.stack[i]
            if element.ns == XHTML_NS and element.tag in targets:
                del self.stack[i:]
                return
            if element.ns != XHTML_NS or element.tag in bounds:
                return


def _attrs(raw: list[tuple[str, str | None]]) -> dict[str, str]:
    """First value of each attribute whose name is a valid XML name (HTML keeps the first).
    Namespace declarations are dropped: the serialiser writes its own."""
    out: dict[str, str] = {}
    for name, value in raw:
        if name not in out and _usable(name):
            out[name] = name if value is None else value
    return out


@functools.lru_cache(maxsize=1024)
def _usable(name: str) -> bool:
    return bool(_NAME.match(name)) and not name.startswith("xmlns")


# ---- serialisation --------------------------------------------------------------------------
def _write_children(node: Element, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.append(_escape_text(child))
        else:
            _write_element(child, node.ns, out)


def _write_element(element: Element, parent_ns: str, out: list[str]) -> None:
    attrs = "".join(f' {k}="{_escape_attr(v)}"' for k, v in element.attrs.items())
    if element.ns != parent_ns:
        attrs = f' xmlns="{element.ns}"' + attrs
        if element.ns == SVG_NS:
            attrs = f' xmlns:xlink="{XLINK_NS}"' + attrs
    tag = element.tag
    if not element.children and (element.ns != XHTML_NS or tag in VOID):
        out.append(f"<{tag}{attrs}/>")
        return
    out.append(f"<{tag}{attrs}>")
    _write_children(element, out)
    out.append(f"</{tag}>")


def _escape_text(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")
