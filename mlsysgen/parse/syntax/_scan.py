"""Scanning helpers shared by syntax rules."""

from __future__ import annotations

_PAIRS = {"{": "}", "[": "]", "(": ")"}


def matching_close(src: str, start: int, limit: int, stop: str = "") -> int | None:
    """Index of the bracket that closes ``src[start]`` (``{``, ``[`` or ``(``).

    Nested pairs are counted and backslash escapes skipped. None when the bracket is not
    closed before ``limit``, or when a character of ``stop`` comes first.
    """
    opener = src[start]
    closer = _PAIRS[opener]
    depth = 0
    i = start
    while i < limit:
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char in stop:
            return None
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
