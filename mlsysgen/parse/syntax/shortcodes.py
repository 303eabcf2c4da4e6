"""Quarto shortcodes: ``{{< name arg "quoted arg" key=value >}}``.

Produces a ``shortcode`` token (``meta``: name, args, kwargs); a transform expands
it. Shortcodes inside code are never seen, because code spans and fences are
tokenised first (Quarto's ``{{{< x >}}}`` escape is honoured too).
"""

from __future__ import annotations

import re
import shlex

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

_SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)((?:[^>]|>(?!\}\}))*?)\s*>\}\}")
_ESCAPED = re.compile(r"\{\{\{<(.*?)>\}\}\}")


def shortcodes_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "shortcode", _shortcode)


def _shortcode(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{{", state.pos):
        return False
    if m := _ESCAPED.match(state.src, state.pos):
        if not silent:
            state.push("text", "", 0).content = "{{<" + m[1] + ">}}"
        state.pos = m.end()
        return True
    m = _SHORTCODE.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("shortcode", "", 0)
        token.content = m[0]
        args, kwargs = _split_args(m[2])
        token.meta = {"name": m[1], "args": args, "kwargs": kwargs,
                      "line": state.src.count("\n", 0, state.pos)}  # fmt: skip
    state.pos = m.end()
    return True


def _split_args(text: str) -> tuple[list[str], dict[str, str]]:
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    args = [w for w in words if "=" not in w or w.startswith(("http:", "https:"))]
    kwargs = dict(w.split("=", 1) for w in words if w not in args)
    return args, kwargs
