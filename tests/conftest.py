"""Shared fixtures: tiny books written inline, the corpus location, fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "mlsysbook"


@pytest.fixture
def corpus() -> Path:
    """The real textbook source; tests using it skip when ../shared is absent."""
    if not (CORPUS / "_quarto.yml").exists():
        pytest.skip(
            f"real-book corpus not found at {CORPUS} (only present beside the dev checkout)"
        )
    return CORPUS
