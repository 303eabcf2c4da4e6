"""How syntax rules report problems: into ``env["problems"]``, never by raising.

Parsing never fails (markdown-it's rule); a rule that sees bad input keeps going and
records ``(line0, severity, message)`` with a 0-based source line. The parse stage
turns these into diagnostics with the chapter's path.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Literal

Problem = tuple[int, Literal["warning", "error"], str]


def report(
    env: MutableMapping[str, Any],
    line0: int,
    message: str,
    severity: Literal["warning", "error"] = "error",
) -> None:
    """Record a problem at 0-based source line ``line0``."""
    env.setdefault("problems", []).append((line0, severity, message))
