"""Make the reference ``tinytorch`` importable: its folder goes first on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

TINYTORCH_ROOT = Path(__file__).resolve().parents[1]
"""labs/tinytorch: the folder holding the ``tinytorch`` package and the lab examples."""

if str(TINYTORCH_ROOT) not in sys.path:
    sys.path.insert(0, str(TINYTORCH_ROOT))
