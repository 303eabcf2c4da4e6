"""The package metadata: title, authors, language, a stable identifier, the date it
was made, and the accessibility properties that EPUB validators and stores read."""

from __future__ import annotations

import datetime
import os
import re
import uuid
from dataclasses import dataclass

from ebooklib import epub

from ...config.schema import BookConfig

_W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Features:
    """What the chapters contain, for the accessibility claims."""

    mathml: bool = False
    images: bool = False
    images_without_alt: int = 0


def identifier(config: BookConfig) -> str:
    """``metadata.identifier`` (or ``isbn``) from the config, else a UUID derived from the
    title and authors: the same book always gets the same identifier."""
    given = config.metadata.get("identifier") or config.metadata.get("isbn")
    if given:
        return str(given)
    seed = "\n".join(["mlsysgen", config.title, *config.authors])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def modified_time() -> datetime.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now; in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    return datetime.datetime.now(datetime.timezone.utc)


def describe(ebook: epub.EpubBook, config: BookConfig, features: Features) -> None:
    """Write the book's metadata into ``ebook``."""
    ebook.set_identifier(identifier(config))
    ebook.set_title(config.title)
    ebook.set_language(config.language)
    if config.subtitle:
        ebook.add_metadata("DC", "title", config.subtitle, {"id": "subtitle"})
        _meta(ebook, "title-type", "subtitle", refines="#subtitle")
    for i, author in enumerate(config.authors, 1):
        ebook.add_author(author, uid=f"creator{i}")
    if config.description:
        ebook.add_metadata("DC", "description", config.description)
    if _W3C_DATE.match(str(config.date)):
        ebook.add_metadata("DC", "date", str(config.date))
    _accessibility(ebook, features)


def _accessibility(ebook: epub.EpubBook, features: Features) -> None:
    described = features.images_without_alt == 0
    modes = ["textual", "visual"] if features.images else ["textual"]
    sufficient = "textual" if described or not features.images else "textual,visual"
    for mode in modes:
        _meta(ebook, "schema:accessMode", mode)
    _meta(ebook, "schema:accessModeSufficient", sufficient)
    feats = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if features.mathml:
        feats.append("MathML")
    if features.images and described:
        feats.append("alternativeText")
    for feat in feats:
        _meta(ebook, "schema:accessibilityFeature", feat)
    _meta(ebook, "schema:accessibilityHazard", "none")
    _meta(ebook, "schema:accessibilitySummary", _summary(features, described))


def _summary(features: Features, described: bool) -> str:
    parts = ["This publication has a table of contents, headings that structure each chapter, "
             "and footnotes that link back to where they are cited."]  # fmt: skip
    if features.mathml:
        parts.append("Mathematics is MathML, with its TeX source as a text alternative.")
    if features.images:
        parts.append(
            "Images have text alternatives."
            if described
            else "Some images have no text alternative."
        )
    parts.append("It needs no scripting and has no known hazards.")
    return " ".join(parts)


def _meta(ebook: epub.EpubBook, prop: str, value: str, refines: str = "") -> None:
    attrs = {"property": prop, **({"refines": refines} if refines else {})}
    ebook.add_metadata(None, "meta", value, attrs)
