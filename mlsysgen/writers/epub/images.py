"""Image files of the book as EPUB items: EPUB 3 core media types only, named safely.

The media type comes from the file's first bytes, not its extension (a ``.png`` that
is really a JPEG would fail validation). Item names are flat (``images/roofline.svg``),
made of characters every reader accepts, with the extension of their real type, and
unique.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = "images"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
}


def media_type(head: bytes, suffix: str) -> str | None:
    """The EPUB core media type of a file starting with ``head``, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if suffix == ".svg" and b"<svg" in head:
        return "image/svg+xml"
    return None


@dataclass
class ImageItem:
    name: str
    """Path inside the EPUB (relative to the package document)."""
    path: Path
    media_type: str


@dataclass
class Images:
    """The images chapters refer to, looked up by their path relative to the project root."""

    root: Path
    by_source: dict[str, ImageItem | None] = field(default_factory=dict)
    by_name: dict[str, ImageItem] = field(default_factory=dict)

    def item(self, rel: str) -> ImageItem | None:
        """The item for ``rel`` (registered on first use); None if it cannot be packaged."""
        if rel not in self.by_source:
            self.by_source[rel] = self._register(rel)
        return self.by_source[rel]

    def unsupported(self, rel: str) -> bool:
        """The file exists but is not an image every EPUB reader can show."""
        return self.item(rel) is None and (self.root / rel).is_file()

    def _register(self, rel: str) -> ImageItem | None:
        path = self.root / rel
        if rel.startswith("../") or not path.is_file():
            return None
        with path.open("rb") as f:
            head = f.read(1024)
        kind = media_type(head, path.suffix.lower())
        if kind is None:
            return None
        stem = posixpath.splitext(posixpath.basename(rel))[0]
        base, ext = _SAFE.sub("-", stem).strip("-") or "image", _EXTENSIONS[kind]
        name, n = f"{FOLDER}/{base}{ext}", 1
        while name in self.by_name:
            n += 1
            name = f"{FOLDER}/{base}-{n}{ext}"
        item = ImageItem(name, path, kind)
        self.by_name[name] = item
        return item
