"""Parse every chapter once, caching the token stream by content hash.

The cache key is the sha256 of the source text, the parser's configuration and
mlsysgen's version; never a file time. Cached and fresh results are pickled bytes, so
each output format can take its own copy of the tree cheaply (``pickle.loads``).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from .. import __version__
from ..diagnostics import Diagnostics
from ..errors import Location, SourceError
from ..model import Chapter, Source
from .source import read_source

CACHE_SCHEMA = 2


@dataclass
class ParsedChapter:
    """A chapter's parse result, kept as bytes so every format gets a fresh copy."""

    source: Source
    digest: str
    blob: bytes
    problems: list[tuple[int, str, str]]
    """Problems found while parsing: (0-based line, severity, message)."""

    def load(self) -> Chapter:
        meta, tokens, env = pickle.loads(self.blob)
        return Chapter(self.source, meta, tokens, env, digest=self.digest)


def parse_chapters(
    sources: list[Source],
    md: MarkdownIt,
    parser_key: str,
    diagnostics: Diagnostics,
    cache_dir: Path | None,
    memo: dict[str, ParsedChapter] | None = None,
) -> list[ParsedChapter]:
    """Parse (or load from cache) every source; problems become diagnostics.

    ``memo`` (by chapter ``rel``) holds the previous build's results in a long-running
    process: a chapter whose text hashes the same is not even loaded from the disk cache."""
    parsed = []
    for source in sources:
        result = _parse_one(source, md, parser_key, diagnostics, cache_dir, memo or {})
        if result is not None:
            parsed.append(result)
            if memo is not None:
                memo[source.rel] = result
    return parsed


def _parse_one(
    source: Source,
    md: MarkdownIt,
    parser_key: str,
    diagnostics: Diagnostics,
    cache_dir: Path | None,
    memo: dict[str, ParsedChapter],
) -> ParsedChapter | None:
    try:
        raw = source.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(
            f"cannot read chapter: {exc}; save it as UTF-8 text", Location(source.display)
        )
        return None
    digest = hashlib.sha256(
        f"{CACHE_SCHEMA}\0{__version__}\0{parser_key}\0{raw}".encode()
    ).hexdigest()
    known = memo.get(source.rel)
    if known is not None and known.digest == digest and known.source == source:
        _replay_problems(known.problems, source, diagnostics)
        return known
    cached = _cache_path(cache_dir, digest)
    if cached is not None and cached.is_file():
        # The entry holds (problems, tree bytes): problems are replayed without unpickling the tree.
        problems, blob = pickle.loads(cached.read_bytes())
        _replay_problems(problems, source, diagnostics)
        return ParsedChapter(source, digest, blob, problems)
    try:
        text = read_source(raw, source.display)
    except SourceError as exc:
        diagnostics.error(exc.message, exc.location)
        return None
    env: dict[str, Any] = {}
    tokens = md.parse(text.text, env)
    problems = env.pop("problems", [])
    blob = pickle.dumps((text.meta, tokens, env), protocol=pickle.HIGHEST_PROTOCOL)
    _replay_problems(problems, source, diagnostics)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps((problems, blob), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cached)
    return ParsedChapter(source, digest, blob, problems)


def _replay_problems(
    problems: list[tuple[int, str, str]], source: Source, diagnostics: Diagnostics
) -> None:
    for line0, severity, message in problems:
        location = Location(source.display, line0 + 1)
        if severity == "error":
            diagnostics.error(message, location)
        else:
            diagnostics.warning(message, location)


def _cache_path(cache_dir: Path | None, digest: str) -> Path | None:
    if cache_dir is None:
        return None
    return cache_dir / "parse" / digest[:2] / f"{digest}.pickle"
