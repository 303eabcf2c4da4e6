"""The one MarkdownIt instance: CommonMark + Pandoc/Quarto extensions, in a fixed order."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import markdown_it
import mdit_py_plugins
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .syntax.fence_info import fence_info_plugin
from .syntax.fenced_div import fenced_div_plugin
from .syntax.heading_attrs import heading_attrs_plugin
from .syntax.inline_attrs import inline_attrs_plugin
from .syntax.latex_inline import latex_inline_plugin
from .syntax.math import math_plugin
from .syntax.references import XREF_KINDS, references_plugin
from .syntax.shortcodes import shortcodes_plugin
from .syntax.smart import smart_plugin
from .syntax.source_lines import source_lines_plugin
from .syntax.tables import grid_table_plugin, table_caption_plugin

SyntaxPlugin = Callable[[MarkdownIt], None]
_PARSE_DIR = Path(__file__).resolve().parent


def parser_fingerprint(xref_kinds: Iterable[str], extra: Iterable[SyntaxPlugin] = ()) -> str:
    """A hash of everything that decides a parse: our parser code, plugins, options.

    Part of the parse cache key, so editing a syntax rule (or upgrading markdown-it)
    invalidates cached trees without relying on file times.
    """
    digest = hashlib.sha256()
    for path in sorted(_PARSE_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    for plugin in extra:
        digest.update(f"{plugin.__module__}.{plugin.__qualname__}".encode())
        module_file = getattr(sys.modules.get(plugin.__module__), "__file__", None)
        if module_file:
            digest.update(Path(module_file).read_bytes())
    digest.update(repr(sorted(xref_kinds)).encode())
    digest.update(f"markdown-it-py {markdown_it.__version__}".encode())
    digest.update(f"mdit-py-plugins {mdit_py_plugins.__version__}".encode())
    return digest.hexdigest()


def _footnote_lines(state) -> None:  # type: ignore[no-untyped-def]
    """Remember where each footnote is defined; mdit's footnote_tail drops those tokens."""
    lines = state.env.setdefault("footnote_lines", {})
    for token in state.tokens:
        if token.type == "footnote_reference_open" and token.map:
            lines[token.meta["label"]] = token.map[0]


def make_parser(
    xref_kinds: Iterable[str] = XREF_KINDS, extra: Iterable[SyntaxPlugin] = ()
) -> MarkdownIt:
    """Build the parser. ``extra`` are syntax plugins registered by mlsysgen plugins."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(fenced_div_plugin)
    md.use(grid_table_plugin)
    md.use(table_caption_plugin)
    md.use(math_plugin)
    md.use(footnote_plugin)
    md.core.ruler.before("footnote_tail", "footnote_lines", _footnote_lines)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.use(heading_attrs_plugin)
    md.use(fence_info_plugin)
    md.use(references_plugin, xref_kinds=tuple(xref_kinds))
    md.use(latex_inline_plugin)
    md.use(shortcodes_plugin)
    md.use(inline_attrs_plugin)
    md.use(smart_plugin)
    for plugin in extra:
        md.use(plugin)
    md.use(source_lines_plugin)
    return md
