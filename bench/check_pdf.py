"""``make compat``: check the structure of a built book PDF with pypdf.

Checks: one bookmark per chapter opening page; every internal link resolves to a named
destination (and none is left pointing at another piece, ``mlsysgen-dest:``); no
unresolved reference (``??``, ``?@``) in the text; numbered figures ("Figure 3.2");
page labels in roman numerals for the front matter, arabic from 1 for the rest. Prints
what it found; exits 1 when a check fails.

    python bench/check_pdf.py BOOK.pdf
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pypdf import PdfReader

CHAPTER_OPENER = re.compile(r"^(CHAPTER|APPENDIX) ([0-9A-Z]+)\b")


def outline_titles(reader: PdfReader) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return found


def check(path: Path) -> list[str]:
    reader = PdfReader(path)
    problems: list[str] = []
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    openers = {i: m[0] for i, t in enumerate(texts) if (m := CHAPTER_OPENER.match(t))}
    outline = outline_titles(reader)
    chapters = {
        page: title for title, page in outline if title.startswith(("Chapter ", "Appendix "))
    }
    print(f"{path.name}: {len(reader.pages)} pages, {len(outline)} bookmarks, "
          f"{len(chapters)} chapter bookmarks, {len(openers)} chapter opening pages")  # fmt: skip
    if set(chapters) != set(openers):
        problems.append(f"chapter pages without a bookmark: {sorted(set(openers) - set(chapters))}; "
                        f"bookmarks not on a chapter's first page: {sorted(set(chapters) - set(openers))}")  # fmt: skip
    names = reader.named_destinations
    links = unresolved = leftover = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot:
                links += 1
                unresolved += str(annot["/Dest"]) not in names
            uri = str((annot.get("/A") or {}).get("/URI", ""))
            leftover += uri.startswith(("mlsysgen-dest:", "mlsysgen-unlinked:"))
    print(f"internal links: {links}, {unresolved} unresolved; {len(names)} named destinations")
    if unresolved or leftover:
        problems.append(f"{unresolved} links to missing destinations, {leftover} left unmerged")
    text = "\n".join(texts)
    for bad in ("??", "?@"):
        if bad in text:
            where = [i for i, t in enumerate(texts) if bad in t][:5]
            problems.append(f"'{bad}' in the text (pages {where})")
    figures = re.findall(r"Figure \d+\.\d+", text)
    print(f"numbered figure mentions: {len(figures)}")
    if not figures:
        problems.append("no numbered figure (Figure N.M) in the text")
    labels = reader.page_labels
    first_main = labels.index("1") if "1" in labels else -1
    print(f"page labels: {labels[0]} … {labels[first_main - 1]}, then 1 … {labels[-1]}")
    if first_main < 1 or not all(re.fullmatch(r"[ivxlc]+", lb) for lb in labels[:first_main]):
        problems.append("front matter is not labelled in roman numerals before page 1")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    problems = check(Path(argv[0]))
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
