"""mlsysgen: Markdown textbook → HTML site, PDF and EPUB from one parsed tree."""

__version__ = "0.1.0"
