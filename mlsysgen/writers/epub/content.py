"""The EPUB rules for one chapter's tree: what a reading system must not be given.

- ids become XML names (``1-intro`` → ``x1-intro``), unique in the file; links to
  them are renamed the same way (:func:`xml_id`), and checked once every file is known;
- ``<script>`` and ``<style>`` are dropped with a warning (an EPUB needs no JavaScript,
  and the book's stylesheet is ``static/epub.css``); ``<object>``/``<embed>`` too;
- an ``<iframe>`` (a ``{{< video >}}`` embed) or remote ``<audio>``/``<video>`` becomes a
  link; local media are not packaged (warned);
- an image whose file is missing is dropped (the build already warned); a remote image
  becomes a link;
- ``<details>``/``<summary>`` become divs; ``target``, ``loading``, event handlers and
  attributes in undeclared namespaces go; a link inside a link is unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .xhtml import MATHML_NS, SVG_NS, XHTML_NS, Element

MISSING = "mlsysgen-missing:"
"""Prefix of a link target the EPUB does not contain (set by the writer's link mapping)."""

_ID_BAD = re.compile(r"[^\w.\-]")
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_URL_BAD = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})')
_LISTS = frozenset({"ul", "ol", "menu"})
_DROP = frozenset({"link", "meta", "base", "title", "template"})
_HTML_PREFIXES = ("epub:", "xml:")
_FOREIGN_PREFIXES = ("xlink:", "xml:")


def xml_id(value: str) -> str:
    """``value`` as an XML name without colons (the form EPUB validators require)."""
    out = _ID_BAD.sub("-", value)
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = "x" + out
    return out


@dataclass
class ChapterContent:
    """What the package needs to know about a chapter's cleaned trees."""

    ids: set[str] = field(default_factory=set)
    """Ids in the chapter's file (the template's own included)."""
    links: list[Element] = field(default_factory=list)
    """``<a>`` elements with a link into the book, checked once every file is known."""
    images: set[str] = field(default_factory=set)
    """Image items the chapter shows."""
    mathml: bool = False
    svg: bool = False
    images_without_alt: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Cleaner:
    """Applies the rules to the fragments of one chapter, recording into ``content``;
    ``is_page``/``is_image`` tell whether a name is one of the package's files."""

    is_page: Callable[[str], bool]
    is_image: Callable[[str], bool]
    relink: Callable[[str, str], str]
    """(attribute, value) → the packaged target: for links the writer's re-linking of the
    fragment did not see (author HTML with single-quoted attributes)."""
    content: ChapterContent

    def clean(self, root: Element) -> Element:
        """Clean ``root`` in place (ids stay unique across every call) and return it."""
        self._walk(root, in_link=False)
        return root

    # ---- traversal ---------------------------------------------------------------------
    def _walk(self, parent: Element, in_link: bool) -> None:
        children: list[Element | str] = []
        for child in parent.children:
            if isinstance(child, str):
                children.append(child)
            elif child.ns == XHTML_NS:
                children.extend(self._html(child, in_link))
            else:
                children.extend(self._foreign(child, in_link))
        if parent.tag not in _LISTS and any(_is_li(c) for c in children):
            children = _wrap_stray_items(children)
        parent.children = children

    def _html(self, el: Element, in_link: bool) -> list[Element | str]:
        tag = el.tag
        handler = _HANDLERS.get(tag)
        if handler is not None:
            return handler(self, el, in_link)
        if tag in _DROP:
            return []
        self._attributes(el, _HTML_PREFIXES)
        self._walk(el, in_link)
        return [el]

    def _foreign(self, el: Element, in_link: bool) -> list[Element | str]:
        if ":" in el.tag or el.tag.lower() == "script":
            return []  # editor metadata (sodipodi:…) and SVG scripts
        if el.ns == MATHML_NS:
            self.content.mathml = True
        elif el.ns == SVG_NS:
            self.content.svg = True
        self._attributes(el, _FOREIGN_PREFIXES)
        if el.ns == SVG_NS and el.tag in ("a", "image"):
            for name in [n for n in ("href", "xlink:href") if n in el.attrs]:
                value = el.attrs[name] = self._target(name, el.attrs[name])
                if el.tag == "image" and self.is_image(value):
                    self.content.images.add(value)
                elif el.tag == "image" and not value.startswith("data:image/"):
                    return []  # a picture the EPUB does not hold
                elif el.tag == "a" and not self._link_ok(value):
                    del el.attrs[name]
        self._walk(el, in_link)
        return [el]

    def _attributes(self, el: Element, prefixes: tuple[str, ...]) -> None:
        attrs = el.attrs
        for name in [n for n in attrs if _unwanted(n, prefixes)]:
            del attrs[name]
        if "id" in attrs:
            ident = xml_id(attrs["id"])
            if ident in self.content.ids:
                del attrs["id"]  # the first element with an id keeps it, as links expect
            else:
                attrs["id"] = ident
                self.content.ids.add(ident)

    def _target(self, name: str, value: str) -> str:
        """``value`` as re-linked by the writer (once: names of the package stay as they are)."""
        if (
            value.startswith(("#", MISSING))
            or _EXTERNAL.match(value)
            or self.is_page(value.partition("#")[0])
            or self.is_image(value)
        ):
            return value
        return self.relink(name, value)

    def _link_ok(self, href: str) -> bool:
        """A target the EPUB can follow: another site, or a page of the book."""
        if href.startswith(MISSING):
            return False
        if _EXTERNAL.match(href):
            return not href.lower().startswith(("javascript:", "data:", "file:"))
        return href.startswith("#") or self.is_page(href.partition("#")[0])

    # ---- element rules -----------------------------------------------------------------
    def _a(self, el: Element, in_link: bool) -> list[Element | str]:
        if in_link:  # a link inside a link: keep its text (and id) in a span
            el.tag, el.attrs = "span", {k: v for k, v in el.attrs.items() if k in ("id", "class")}
            return self._html(el, in_link)
        self._attributes(el, _HTML_PREFIXES)
        self._walk(el, in_link=True)
        el.attrs.pop("name", None)
        if "href" not in el.attrs:
            return [el]
        href = el.attrs["href"] = self._target("href", el.attrs["href"])
        if not self._link_ok(href):
            return list(el.children)
        if _EXTERNAL.match(href):
            el.attrs["href"] = valid_url(href)
        else:
            self.content.links.append(el)
        return [el]

    def _img(self, el: Element, in_link: bool) -> list[Element | str]:
        self._attributes(el, _HTML_PREFIXES)
        for name in ("srcset", "sizes"):
            el.attrs.pop(name, None)
        src = el.attrs["src"] = self._target("src", el.attrs.get("src", ""))
        alt = el.attrs.setdefault("alt", "")
        if src.startswith(("http://", "https://")):
            return [_link(src, alt or src, in_link)]
        if self.is_image(src):
            self.content.images.add(src)
        elif not src.startswith("data:image/"):
            return []  # the build already warned that the file is missing
        if not alt.strip():
            self.content.images_without_alt += 1
        return [el]

    def _iframe(self, el: Element, in_link: bool) -> list[Element | str]:
        src = el.attrs.get("src", "")
        if not src.startswith(("http://", "https://")):
            self.content.warnings.append(f"embedded frame '{src}' left out of the EPUB")
            return []
        title = el.attrs.get("title", "").strip()
        title = "" if title == "Video" else title  # the {{< video >}} default says nothing
        url = _watch_url(src)
        if url != src or "youtu" in src or "vimeo" in src:
            text = f"Video: {title}" if title else "Watch the video online"
        else:
            text = title or src
        return [_link(url, text, in_link, "media-link")]

    def _media(self, el: Element, in_link: bool) -> list[Element | str]:
        sources = [el.attrs.get("src", "")] + [
            c.attrs.get("src", "")
            for c in el.children
            if isinstance(c, Element) and c.tag == "source"
        ]
        sources = [self._target("src", s) for s in sources if s]
        remote = next((s for s in sources if s.startswith(("http://", "https://"))), "")
        if remote:
            word = "Listen to the recording" if el.tag == "audio" else "Watch the video"
            return [_link(remote, f"{word} online", in_link, "media-link")]
        local = [s for s in sources if s and not s.startswith(MISSING)]
        if local:
            self.content.warnings.append(
                f"{el.tag} file '{local[0]}' is not packaged in the EPUB (no reader plays it "
                "everywhere); link to an online copy instead"
            )
        return []

    def _dropped(self, el: Element, in_link: bool) -> list[Element | str]:
        what, why = _DROPPED[el.tag]
        self.content.warnings.append(f"{what} in raw HTML left out of the EPUB ({why})")
        return []

    def _unwrap(self, el: Element, in_link: bool) -> list[Element | str]:
        self._walk(el, in_link)
        return list(el.children)

    def _as_div(self, el: Element, in_link: bool) -> list[Element | str]:
        """``<details>``/``<summary>`` as plain divs (shown open): readers vary in support."""
        classes = " ".join(c for c in (el.tag, el.attrs.get("class", "")) if c)
        el.attrs.pop("open", None)
        el.tag = "div"
        el.attrs["class"] = classes
        self._attributes(el, _HTML_PREFIXES)
        self._walk(el, in_link)
        return [el]


_DROPPED = {
    "script": ("a <script>", "EPUB readers need no JavaScript"),
    "style": ("a <style> element", "put the rules in static/epub.css"),
    "object": ("an <object>", "readers cannot show it"),
    "embed": ("an <embed>", "readers cannot show it"),
}
_HANDLERS: dict[str, Callable[[Cleaner, Element, bool], list[Element | str]]] = {
    "a": Cleaner._a,
    "img": Cleaner._img,
    "iframe": Cleaner._iframe,
    "audio": Cleaner._media,
    "video": Cleaner._media,
    "script": Cleaner._dropped,
    "style": Cleaner._dropped,
    "object": Cleaner._dropped,
    "embed": Cleaner._dropped,
    "noscript": Cleaner._unwrap,
    "details": Cleaner._as_div,
    "summary": Cleaner._as_div,
}


def _is_li(node: Element | str) -> bool:
    return isinstance(node, Element) and node.tag == "li" and node.ns == XHTML_NS


def _wrap_stray_items(children: list[Element | str]) -> list[Element | str]:
    """List items outside a list (a table cell holding bullet lines) go into a ``<ul>``."""
    out: list[Element | str] = []
    run: Element | None = None
    for child in children:
        if _is_li(child):
            if run is None:
                run = Element("ul", {})
                out.append(run)
            run.children.append(child)
        elif run is not None and isinstance(child, str) and not child.strip():
            run.children.append(child)
        else:
            run = None
            out.append(child)
    return out


def _unwanted(name: str, prefixes: tuple[str, ...]) -> bool:
    if name in ("target", "loading") or name.startswith("on"):
        return True
    return ":" in name and not name.startswith(prefixes)


def valid_url(url: str) -> str:
    """``url`` with the characters URLs may not hold percent-encoded (validators reject
    spaces, backslashes and ``<`` that bibliography data sometimes carries)."""
    return _URL_BAD.sub(lambda m: quote(m.group(), safe=""), url.strip())


def _link(href: str, text: str, in_link: bool, css: str = "") -> Element | str:
    if in_link:
        return text
    href = valid_url(href)
    attrs = {"class": css, "href": href} if css else {"href": href}
    a = Element("a", attrs)
    a.children.append(text)
    return a


def _watch_url(src: str) -> str:
    """A YouTube or Vimeo embed address as the page a reader opens in a browser."""
    parts = urlsplit(src)
    host = parts.netloc.lower()
    if "youtube" in host and parts.path.startswith("/embed/"):
        return f"https://www.youtube.com/watch?v={parts.path.split('/')[2]}"
    if host == "player.vimeo.com" and parts.path.startswith("/video/"):
        return f"https://vimeo.com/{parts.path.split('/')[2]}"
    return src


def resolve_links(files: dict[str, ChapterContent]) -> None:
    """Point every in-book link at an id that exists: a missing anchor links to the file."""
    for name, content in files.items():
        for a in content.links:
            page, _, anchor = a.attrs["href"].partition("#")
            target = files.get(page or name)
            if target is None or not anchor or anchor in target.ids:
                continue
            if page:
                a.attrs["href"] = page
            else:
                del a.attrs["href"]
