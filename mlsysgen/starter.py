"""``mlsysgen new DIR``: a minimal book that builds cleanly and shows the basics."""

from __future__ import annotations

from pathlib import Path

from .errors import MlsysgenError

FILES = {
    "book.yml": """title: "My Book"
authors: ["Your Name"]
language: en
front-matter:
  - index.md
chapters:
  - part: "Part One"
    chapters:
      - chapters/first.md
html:
  number-sections: true
""",
    "index.md": """# Preface {.unnumbered}

Welcome. Start reading at @sec-first.
""",
    "chapters/first.md": """# A First Chapter {#sec-first}

Text with a footnote[^fn-hello] and a reference to @fig-box.

![A box.](box.svg){#fig-box width=40%}

## Some Math {#sec-first-math}

Inline $E = mc^2$ and display math:

$$
\\sum_{i=1}^{n} x_i
$$ {#eq-sum}

[^fn-hello]: Footnotes become margin notes on wide screens.
""",
    "chapters/box.svg": """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
<rect x="1" y="1" width="198" height="98" fill="#fff" stroke="#333" stroke-width="2"/>
<text x="100" y="55" font-family="sans-serif" font-size="16" text-anchor="middle">a box</text>
</svg>
""",
}


def write_starter(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise MlsysgenError(f"{directory} is not empty; choose a new folder for the starter book")
    for name, text in FILES.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
