"""Project configuration: the typed schema and the loaders for book.yml and _quarto.yml."""

from .load import load_project
from .schema import BookConfig, FormatOptions, NavItem, Part

__all__ = ["BookConfig", "FormatOptions", "NavItem", "Part", "load_project"]
