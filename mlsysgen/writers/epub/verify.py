"""Re-open a written EPUB and check that every chapter kept its text.

ebooklib writes an empty document, without an error, when it cannot handle a chapter's
markup; an empty chapter in a book is a bug to report, never to ship. The check reads
the chapter files straight from the archive (the images need not be loaded).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from ...errors import MlsysgenError

_BODY = "{http://www.w3.org/1999/xhtml}body"


def check_chapters(path: Path, folder: str, chapters: dict[str, str]) -> None:
    """Raise if a chapter file (name → source path, for the message) is missing or empty."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        empty = [
            f"{source} (EPUB file {name})"
            for name, source in chapters.items()
            if f"{folder}/{name}" not in names or not _has_text(archive.read(f"{folder}/{name}"))
        ]
    if empty:
        raise MlsysgenError(
            f"{path.name}: these chapters came out empty in the EPUB: {'; '.join(empty)}; "
            "please report this as an mlsysgen bug"
        )


def _has_text(content: bytes) -> bool:
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError:
        return False
    body = root.find(_BODY)
    return body is not None and bool("".join(body.itertext()).strip())
