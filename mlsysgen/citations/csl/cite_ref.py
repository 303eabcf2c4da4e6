"""A reference inside a citation cluster: what the book's citation pass hands the
processor (apart from the processor, whose import a build that reuses its stored
citations does without)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CiteRef:
    """One reference inside a citation cluster.

    ``prefix`` is text before the cite ("see"); ``suffix`` is text after it as written in
    pandoc syntax, with its own leading punctuation (", emphasis added"); ``locator`` and
    ``label`` are the pinpoint ("33-35", "page" — a label may be a CSL locator type or an
    abbreviation such as "pp."). ``suppress_author`` drops the author names.
    """

    key: str
    prefix: str = ""
    suffix: str = ""
    locator: str = ""
    label: str = ""
    suppress_author: bool = False


__all__ = ["CiteRef"]
