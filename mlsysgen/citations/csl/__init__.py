"""A CSL 1.0.2 citation processor that formats CSL-JSON items the way pandoc's citeproc does.

Usage::

    proc = CitationProcessor(items, style="chicago-author-date")
    proc.register(all_cited_keys_of_the_book)
    proc.cite([CiteRef("vaswani2017attention")])          # "(Vaswani et al. 2017)"
    proc.cite([CiteRef("dean2008", locator="33-35")])       # "(Dean and Ghemawat 2008, 33–35)"
    proc.bibliography(["vaswani2017attention", ...])       # [(key, html), ...] in style order

Styles ship in ``mlsysgen/citations/styles`` (Chicago author-date as embedded in pandoc,
APA 7th and IEEE from the CSL repository); any other ``.csl`` path works too.
"""

from __future__ import annotations

from typing import Any

from ...model import CiteRef


def __getattr__(name: str) -> Any:
    # The processor (30 ms to import) is loaded when first used: a build whose citations
    # are all stored never uses it.
    if name == "CitationProcessor":
        from .processor import CitationProcessor

        return CitationProcessor
    raise AttributeError(name)


__all__ = ["CitationProcessor", "CiteRef"]
