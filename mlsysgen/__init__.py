"""mlsysgen: Markdown textbook → HTML site, PDF and EPUB from one parsed tree."""

__version__ = "0.1.0"

FORMATS = ("html", "pdf", "epub")
"""The output formats, in the order a multi-format build writes them."""

CONFIG_NAMES = ("book.yml", "_quarto.yml")
"""The files that make a folder a project, in the order they are looked for."""
