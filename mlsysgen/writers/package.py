"""Re-link rendered page fragments for packaging (one print document, EPUB files).

The renderer writes fragments for the HTML site: links are relative between pages
(``../b/c.html#fig-x``) and ids are unique per page. A packaging writer moves those
fragments: the PDF joins every page into one document (so ids must be unique
book-wide and page links become ``#anchors``), the EPUB renames pages (``.xhtml``).
:class:`Relinker` rewrites ``id``, ``href`` and ``src`` attributes (and the ``url(#id)``
references inside inline SVG) through the writer's own mapping functions; it never
changes anything else.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_ATTR = re.compile(r'(?P<pre>\s(?P<name>id|href|src|xlink:href)=")(?P<value>[^"]*)(?P<post>")')
# An SVG paint server or clip path on the same page (fill="url(#g1)", clip-path="url(#c1)").
_URL_REF = re.compile(r"url\(#(?P<id>[^)\s\"']+)\)")

PageAnchor = Callable[[str, str], str]
"""(page href relative to the site root, anchor or "") → the new link target."""
IdMap = Callable[[str, str], str]
"""(page href, id) → the id to write."""
AssetMap = Callable[[str], str]
"""(asset path relative to the site root) → the URL to write."""


@dataclass
class Relinker:
    """Rewrites the fragments of the pages in ``pages`` (hrefs relative to the site root)."""

    pages: set[str]
    link: PageAnchor
    rename_id: IdMap
    asset: AssetMap

    def rewrite(self, html: str, page: str) -> str:
        """Rewrite one page's fragment; ``page`` is its href relative to the site root."""

        def replace(m: re.Match[str]) -> str:
            name, value = m["name"], m["value"]
            new = self.rename_id(page, value) if name == "id" else self._target(value, page)
            return f"{m['pre']}{new}{m['post']}"

        html = _ATTR.sub(replace, html)
        if "url(#" not in html:
            return html
        return _URL_REF.sub(lambda m: f"url(#{self.rename_id(page, m['id'])})", html)

    def _target(self, value: str, page: str) -> str:
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith(("mailto:", "data:", "javascript:")):
            return value
        if value.startswith("#"):
            return self.link(page, unquote(value[1:]))
        if not parts.path or value.startswith("/"):
            return value
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if target in self.pages:
            return self.link(target, unquote(parts.fragment))
        return self.asset(target)


def page_slug(page: str) -> str:
    """A short id-safe name for a page: ``contents/core/ops/ops.html`` → ``ops``."""
    stem = posixpath.splitext(posixpath.basename(page))[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem) or "page"
