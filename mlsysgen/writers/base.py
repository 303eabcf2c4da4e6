"""The writer protocol."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..model import Book
    from ..transforms.base import BuildContext


class Writer(Protocol):
    """Writes one output format into a staging folder (the build swaps it in atomically)."""

    name: str

    def write(self, book: Book, ctx: BuildContext, out: Path) -> int:
        """Write the output; return the number of pages (or documents) written."""
        ...

    # A writer may also have ``prepare()``: called once its format is known to be built,
    # before the chapters are read, to start slow set-up in the background (the PDF
    # writer starts the fork server of its layout processes, which imports WeasyPrint).
