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
from ..fingerprint import FileHashes, write_atomic
from ..model import Chapter, Source
from ..parallel import fork_map
from .source import read_source

CACHE_SCHEMA = 3


@dataclass
class ParsedChapter:
    """A chapter's parse result, kept as bytes so every format gets a fresh copy."""

    source: Source
    digest: str
    blob: bytes
    problems: list[tuple[int, str, str]]
    """Problems found while parsing: (0-based line, severity, message)."""
    file_digest: str | None = None
    """Content hash of the file's bytes (``FileHashes``) and the parser's key, when the
    build keeps hashes: a long-running session need not read an unchanged chapter."""

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
    hashes: FileHashes | None = None,
) -> list[ParsedChapter]:
    """Parse (or load from cache) every source; problems become diagnostics.

    ``memo`` (by chapter ``rel``) holds the previous build's results in a long-running
    process, which passes its ``hashes`` too: a chapter whose file and parser hash the same
    is neither read nor loaded from the disk cache. Chapters found in neither are parsed on
    every core."""
    memo = memo if memo is not None else {}
    found: list[ParsedChapter | tuple[Source, str, str] | None] = []
    file_digests: list[str | None] = []
    for source in sources:
        digest = hashes.digest(source.path) if hashes is not None else None
        file_digests.append(None if digest is None else f"{digest}:{parser_key}")
        known = memo.get(source.rel)
        if file_digests[-1] is not None and known is not None and known.source == source \
                and known.file_digest == file_digests[-1]:  # fmt: skip
            _replay_problems(known.problems, source, diagnostics)
            found.append(known)
            continue
        found.append(_lookup(source, parser_key, diagnostics, cache_dir))
    misses = [f for f in found if isinstance(f, tuple)]
    fresh = iter(fork_map(lambda miss: _parse_text(miss[0], miss[1], md), misses))
    parsed = []
    for item, file_digest in zip(found, file_digests, strict=True):
        if isinstance(item, tuple):
            source, _, digest = item
            outcome = next(fresh)
            if isinstance(outcome, SourceError):
                diagnostics.error(outcome.message, outcome.location)
                continue
            problems, blob = outcome
            _replay_problems(problems, source, diagnostics)
            _store(_cache_path(cache_dir, digest), problems, blob)
            item = ParsedChapter(source, digest, blob, problems)
        if item is not None:
            item.file_digest = file_digest
            parsed.append(item)
            memo[item.source.rel] = item
    return parsed


def _lookup(
    source: Source,
    parser_key: str,
    diagnostics: Diagnostics,
    cache_dir: Path | None,
) -> ParsedChapter | tuple[Source, str, str] | None:
    """The chapter from the disk cache; else (source, text, digest) to parse."""
    try:
        raw = source.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(
            f"cannot read chapter: {exc}; save it as UTF-8 text", Location(source.display)
        )
        return None
    digest = cache_digest(raw, parser_key)
    cached = _cache_path(cache_dir, digest)
    if cached is not None and cached.is_file():
        # The entry holds (problems, tree bytes): problems are replayed without unpickling the tree.
        problems, blob = pickle.loads(cached.read_bytes())
        _replay_problems(problems, source, diagnostics)
        return ParsedChapter(source, digest, blob, problems)
    return source, raw, digest


def _parse_text(
    source: Source, raw: str, md: MarkdownIt
) -> tuple[list[tuple[int, str, str]], bytes] | SourceError:
    """Parse one chapter's text: (problems, pickled tree), or the front matter's error."""
    try:
        text = read_source(raw, source.display)
    except SourceError as exc:
        return exc
    env: dict[str, Any] = {}
    tokens = md.parse(text.text, env)
    problems = env.pop("problems", [])
    return problems, pickle.dumps((text.meta, tokens, env), protocol=pickle.HIGHEST_PROTOCOL)


def _store(cached: Path | None, problems: list[tuple[int, str, str]], blob: bytes) -> None:
    if cached is None:
        return
    write_atomic(cached, pickle.dumps((problems, blob), protocol=pickle.HIGHEST_PROTOCOL))


def cache_digest(raw: str, parser_key: str) -> str:
    """The parse cache's key for a chapter's text: the text, the parser, our version."""
    return hashlib.sha256(f"{CACHE_SCHEMA}\0{__version__}\0{parser_key}\0{raw}".encode()).hexdigest()


def _replay_problems(
    problems: list[tuple[int, str, str]], source: Source, diagnostics: Diagnostics
) -> None:
    for line0, severity, message in problems:
        location = Location(source.display, line0 + 1)
        if severity == "error":
            diagnostics.error(message, location)
        else:
            diagnostics.warning(message, location)


def prune_parse_cache(cache_dir: Path, keep: set[str]) -> None:
    """Remove the parse-cache entries of chapter versions other than ``keep`` (the
    current ones). Each save in the preview would otherwise add an entry for good; the
    chapter runs kept beside them make older versions of little use."""
    for entry in (cache_dir / "parse").glob("*/*.pickle"):
        if entry.stem not in keep:
            entry.unlink(missing_ok=True)


def _cache_path(cache_dir: Path | None, digest: str) -> Path | None:
    if cache_dir is None:
        return None
    return cache_dir / "parse" / digest[:2] / f"{digest}.pickle"
