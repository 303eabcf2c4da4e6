"""The project configuration, declared once: typed options, one docstring each.

``book.yml`` maps onto :class:`BookConfig` directly (keys are kebab-case, fields
snake_case). ``_quarto.yml`` projects are translated into the same shape by
:mod:`mlsysgen.config.quarto`. Validation lives in :mod:`mlsysgen.config.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Format = Literal["html", "pdf", "epub"]
NoteLocation = Literal["margin", "document", "section", "block"]


@dataclass
class NavItem:
    """One entry of the book outline: a chapter file, or an external link."""

    file: str = ""
    """Chapter source, relative to the project root (``.md`` or ``.qmd``)."""
    title: str = ""
    """Label in the navigation; defaults to the chapter's own title."""
    url: str = ""
    """An external link shown in the navigation instead of a chapter."""

    @classmethod
    def shorthand(cls, value: object) -> NavItem | None:
        return cls(file=value) if isinstance(value, str) else None


@dataclass
class Part:
    """A group of chapters with a title (a part of the book, a sidebar section)."""

    part: str
    """The part's title."""
    chapters: list[NavItem] = field(default_factory=list)
    """Chapters (or links) in this part, in reading order."""
    id: str = ""
    """Identifier for the part (used in anchors and navigation state)."""
    file: str = ""
    """Optional page that introduces the part (rendered as a chapter without a number)."""


@dataclass
class CrossrefOptions:
    """How cross-references are labelled (Quarto's ``crossref:`` keys)."""

    fig_prefix: str = "Figure"
    """Word before a figure number in references and captions."""
    tbl_prefix: str = "Table"
    """Word before a table number."""
    lst_prefix: str = "Listing"
    """Word before a listing number."""
    eq_prefix: str = "Equation"
    """Word before an equation number."""
    sec_prefix: str = "Section"
    """Word before a section number."""
    ch_prefix: str = "Chapter"
    """Word before a chapter number."""
    vol_prefix: str = "Volume"
    """Word before a volume number ("Volume II"), in the navigation and in references
    into another volume ("Volume II, Chapter 3")."""
    appendix_title: str = "Appendix"
    """Word before an appendix letter."""
    appendix_delim: str = ":"
    """Separator between an appendix label and its title."""
    appendices_title: str = "Appendices"
    """Title of the group of appendices in the navigation."""
    chapters: bool | None = None
    """Prefix figure/table numbers with the chapter number ("3.2"). Default: when sections are numbered."""
    title_delim: str = ":"
    """Separator between a caption's label ("Figure 3.2") and its text."""
    references_title: str = "References"
    """Heading of a chapter's reference list (Quarto's ``biblio-title``)."""


@dataclass
class FormatOptions:
    """Options that change the rendering of one output format."""

    toc: bool = True
    """Show a table of contents for each page (HTML) or the book (PDF, EPUB)."""
    toc_depth: int = 3
    """Deepest heading level listed in the table of contents."""
    toc_title: str = "On this page"
    """Heading of the per-page table of contents."""
    number_sections: bool = False
    """Number chapters and sections ("3.2.1")."""
    number_depth: int = 3
    """Deepest heading level that gets a number."""
    reference_location: NoteLocation = "document"
    """Where footnotes go: ``margin`` (sidenotes) or ``document`` (end of the page)."""
    citation_location: Literal["margin", "document"] = "document"
    """Where full references go: next to the citing paragraph, or a list at the chapter end."""
    code_copy: bool = True
    """Add a copy button to code blocks."""
    link_external_newwindow: bool = False
    """Open external links in a new window."""


@dataclass
class PackageOptions(FormatOptions):
    """The PDF's and the EPUB's options: those of every format, and the book as its cover
    and metadata show it (a Quarto book's ``_quarto-pdf.yml`` and ``_quarto-epub.yml``
    may title the printed book and the e-book otherwise than the site)."""

    title: str = ""
    """Title on the cover and in the metadata; default: the book's."""
    subtitle: str = ""
    """Subtitle on the cover and in the metadata; default: the book's."""
    authors: list[str] = field(default_factory=list)
    """Authors on the cover and in the metadata; default: the book's."""
    date: str = ""
    """Date on the cover and in the metadata (``today`` for the day of the build);
    default: the book's."""
    cover: str = ""
    """Cover image, relative to the project root; default: the edition's own
    (``combined.cover``, a volume's ``cover``), else ``metadata.cover-image``."""


@dataclass
class SiteOptions:
    """Where and how the HTML site is published."""

    url: str = ""
    """Public URL of the site; enables sitemap.xml, canonical links and og:url."""
    repo_url: str = ""
    """Source repository, linked from the page footer."""
    footer: str = ""
    """HTML shown in every page's footer (written by the author, passed through)."""
    og_image: str = ""
    """Image for Open Graph previews, relative to the project root."""
    favicon: str = ""
    """Favicon file, relative to the project root."""
    announcement: str = ""
    """Markdown shown in a bar at the top of every page."""
    cname: str = ""
    """Custom domain for GitHub Pages (``book.example.org``): ``deploy --github-pages``
    writes it to the site's ``CNAME`` file. Quarto projects: read from a ``CNAME`` file
    at the project root."""


@dataclass
class LabsOptions:
    """Runnable lab snippets (the ``mlsysgen.plugins.labs`` plugin's ``labs:`` keys)."""

    tinytorch: str = "labs/tinytorch"
    """TinyTorch package folder (holding ``tinytorch/``), relative to the project; point it
    at another TinyTorch checkout to run the labs against that one."""
    folder: str = "labs"
    """Folder that ``file=`` attributes are resolved in, relative to the project."""
    timeout: float = 30.0
    """Default time limit of one snippet or session, in seconds (``timeout=`` overrides)."""
    memory_mb: int = 2048
    """Address-space limit of the child process running a snippet, in MiB."""
    output_limit: int = 65536
    """Characters of captured output kept per snippet; the rest is cut with a marker."""
    output_lines: int = 200
    """Lines of captured output kept per snippet; the rest is cut with a marker."""
    micropython: str = "labs/micropython"
    """MicroPython mock modules (with their ``boards.json`` manifest), relative to the
    project: what ``simulate=`` labs import instead of the board's hardware modules."""
    jobs: int = 0
    """TinyTorch snippets run at the same time; 0 means one per CPU core."""
    png_dpi: int = 150
    """Resolution of the PNG copies of lab figures (the EPUB shows PNG)."""
    pyodide_url: str = "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/"
    """Where the browser loads Pyodide (and numpy) from for TinyTorch's Run button."""


@dataclass
class DiagramOptions:
    """``{.tikz}`` blocks drawn to SVG by TeX (Quarto projects: the ``diagram:`` key of
    pandoc-ext/diagram, ``diagram.engine.tikz``)."""

    tikz: bool = True
    """Draw TikZ blocks; ``false`` shows each as a placeholder with its source."""
    engine: str = ""
    """TeX engine (``lualatex``, ``pdflatex``, ``xelatex`` or a path); when empty or not
    installed, the first of those three found on PATH."""
    converter: Literal["", "dvisvgm", "pdftocairo"] = ""
    """PDF to SVG converter; when empty, pdftocairo if installed, else dvisvgm."""
    header_includes: list[str] = field(default_factory=list)
    """LaTeX lines placed before ``\\begin{document}`` of every diagram, after
    ``\\documentclass{standalone}`` and ``\\usepackage{tikz}``: packages, TikZ libraries,
    colours (Quarto: ``diagram.engine.tikz.header-includes``)."""
    preamble: str = ""
    """A ``.tex`` file, relative to the project root, whose text follows
    ``header-includes`` (for a preamble too long for the config)."""
    cache_dir: str = "_diagrams"
    """Folder, relative to the project root, holding drawn SVGs by content hash. Commit it:
    a machine without TeX then builds the same book. When the project folder is read-only,
    new drawings go to the per-user build cache instead."""
    timeout: float = 120.0
    """Seconds one diagram may take to compile before it is reported as an error."""
    jobs: int = 0
    """Diagrams compiled at once; 0 means one per CPU core."""


@dataclass
class Volume:
    """One volume of a multi-volume book: its own title, chapters, cover and file names.
    Front matter, back matter and the top-level ``appendices:`` are shared by every volume."""

    title: str
    """The volume's own title ("Foundations"); it is shown after the volume's label
    ("Volume I: Foundations") in the navigation, on the cover and in EPUB metadata."""
    subtitle: str = ""
    """Subtitle of the volume's PDF and EPUB (default: the book's subtitle)."""
    id: str = ""
    """Identifier (``vol1``): ``build --volume vol1`` picks the volume by it, and the
    navigation group is anchored by it. Default: ``vol`` and the volume's position."""
    chapters: list[NavItem | Part] = field(default_factory=list)
    """The volume's numbered chapters in reading order, optionally grouped into parts
    (the same shape as the top-level ``chapters:``, which a book with volumes leaves empty)."""
    appendices: list[NavItem] = field(default_factory=list)
    """Appendices of this volume, lettered after its chapters (see ``numbering``)."""
    cover: str = ""
    """Cover image of the volume's PDF and EPUB (PNG, JPEG, GIF or SVG), relative to the
    project root; default: a plain cover with the titles."""
    output_name: str = ""
    """Base name of the volume's PDF and EPUB files; default: the book's file name
    followed by the volume's id (``machine-learning-systems-vol1``)."""
    numbering: Literal["restart", "continue"] = "restart"
    """``restart``: chapters (and parts, and appendix letters) start again at 1 (I, A) in
    this volume; ``continue``: they go on from the previous volume."""


@dataclass
class CombinedEdition:
    """The combined edition of a multi-volume book: every volume in one PDF and one EPUB.
    It is what ``build`` packages when no ``--volume`` is given (or with ``--volume all``)."""

    title: str = ""
    """Title of the combined PDF and EPUB; default: the book's title."""
    subtitle: str = ""
    """Subtitle of the combined edition; default: the book's subtitle."""
    output_name: str = ""
    """Base name of the combined PDF and EPUB files; default: the book's ``output-name``."""
    cover: str = ""
    """Cover image of the combined PDF and EPUB, relative to the project root; default:
    ``metadata.cover-image``, else a plain cover with the titles."""


@dataclass
class BookConfig:
    """A book project: metadata, outline and output options."""

    title: str = "Untitled Book"
    """Book title, shown in the header, on the PDF cover and in EPUB metadata."""
    subtitle: str = ""
    """Subtitle under the title."""
    authors: list[str] = field(default_factory=list)
    """Author names, in order."""
    language: str = "en"
    """BCP 47 language tag of the text (html lang, hyphenation, EPUB metadata)."""
    description: str = ""
    """One-sentence description for search engines and link previews."""
    date: str = ""
    """Publication date shown on the title page."""
    site_url: str = ""
    """Shorthand for ``site.url``."""
    front_matter: list[NavItem] = field(default_factory=list)
    """Unnumbered pages before the chapters (the first one is the home page)."""
    chapters: list[NavItem | Part] = field(default_factory=list)
    """Numbered chapters in reading order, optionally grouped into parts."""
    appendices: list[NavItem] = field(default_factory=list)
    """Appendices, lettered A, B, … (shared by every volume of a multi-volume book)."""
    volumes: list[Volume] = field(default_factory=list)
    """A multi-volume book: each volume lists its own chapters (instead of ``chapters:``)
    and gets its own PDF and EPUB (``build --volume N``); the HTML site shows every volume."""
    combined: CombinedEdition = field(default_factory=CombinedEdition)
    """Title, file name and cover of the combined edition of a multi-volume book."""
    back_matter: list[NavItem] = field(default_factory=list)
    """Unnumbered pages after the appendices (glossary, references)."""
    extra_pages: list[str] = field(default_factory=list)
    """Pages rendered into the site but not listed in the navigation."""
    bibliography: list[str] = field(default_factory=list)
    """BibTeX files for the whole book, relative to the project root."""
    csl: str = ""
    """Citation style (a CSL file or a bundled style name); default Chicago author-date."""
    output_dir: str = "_site"
    """Output folder, relative to the project root."""
    output_name: str = ""
    """Base name of the PDF and EPUB files; default: the title in lowercase with hyphens."""
    formats: list[Format] = field(default_factory=lambda: ["html"])
    """Formats built when ``--to`` is not given."""
    html: FormatOptions = field(default_factory=FormatOptions)
    """Options for the HTML site."""
    pdf: PackageOptions = field(default_factory=lambda: PackageOptions(toc_title="Contents"))
    """Options for the PDF."""
    epub: PackageOptions = field(default_factory=lambda: PackageOptions(toc_title="Contents"))
    """Options for the EPUB."""
    crossref: CrossrefOptions = field(default_factory=CrossrefOptions)
    """Labels for cross-references."""
    site: SiteOptions = field(default_factory=SiteOptions)
    """HTML site publishing options."""
    callout_labels: dict[str, str] = field(default_factory=dict)
    """Labels of custom callout classes, e.g. ``callout-definition: Definition``."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Free-form values for ``{{< meta key >}}`` shortcodes."""
    diagrams: DiagramOptions = field(default_factory=DiagramOptions)
    """How ``{.tikz}`` blocks are drawn and cached."""
    plugins: list[str] = field(default_factory=list)
    """Python modules with a ``register(registry)`` function, loaded in order."""
    labs: LabsOptions = field(default_factory=LabsOptions)
    """Runnable labs (used when the ``mlsysgen.plugins.labs`` plugin is loaded)."""

    def file_stem(self) -> str:
        """Base name for ``<book>.pdf`` / ``<book>.epub``."""
        if self.output_name:
            return self.output_name
        words = "".join(c if c.isalnum() else " " for c in self.title.lower()).split()
        return "-".join(words) or "book"

    def options(self, fmt: str) -> FormatOptions:
        """The options of output format ``fmt``."""
        return {"html": self.html, "pdf": self.pdf, "epub": self.epub}[fmt]
