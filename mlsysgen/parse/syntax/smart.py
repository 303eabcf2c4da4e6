"""Pandoc's ``smart`` extension: ``---`` → em dash, ``--`` → en dash, ``...`` → ellipsis,
and curly quotes (markdown-it's smartquotes rule).

markdown-it's own ``replacements`` rule is not used: it also turns ``(c)`` into ©
and ``+-`` into ±, which Pandoc does not do. Code spans are never touched.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_DASHES = re.compile(r"(?<![-!<])---(?!-)|(?<![-!<])--(?![->])|\.\.\.")
_REPLACE = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


def smart_plugin(md: MarkdownIt) -> None:
    md.options["typographer"] = True
    md.enable("smartquotes")
    md.disable("replacements")
    md.core.ruler.before("smartquotes", "smart_dashes", _smart_dashes)


def _smart_dashes(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text" and ("--" in child.content or "..." in child.content):
                child.content = _DASHES.sub(lambda m: _REPLACE[m.group(0)], child.content)
