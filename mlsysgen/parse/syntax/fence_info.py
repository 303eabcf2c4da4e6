"""Read the info string of fenced code the way Pandoc and Quarto do.

- ```` ```python ```` or ```` ```{.python .numberLines #id key=v} ````: code in a language.
- ```` ```{=html} ````: a raw block for one output format.
- ```` ```{r} ```` / ```` ```{python} ```` (a bare word in braces): a Quarto executable cell,
  whose ``#| key: value`` option lines are read into ``meta["options"]``.

The result goes into ``token.meta``: ``lang``, ``attrs`` (:class:`Attrs`), and ``raw``
or ``exec`` with ``options``. Runs as a core rule after block parsing.
"""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from ..attrs import Attrs, parse_attrs
from ._report import report

_EXEC = re.compile(r"^\{([A-Za-z][\w-]*)(?:[\s,]+(.*))?\}$")
_RAW = re.compile(r"^\{=([A-Za-z][\w:-]*)\}$")
_OPTION = re.compile(r"^#\|\s?(.*)$")


def fence_info_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "fence_info", _fence_info)


def _fence_info(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "fence":
            _read_info(token, state)


def _read_info(token, state: StateCore) -> None:  # type: ignore[no-untyped-def]
    info = token.info.strip()
    if m := _RAW.match(info):
        token.meta["raw"] = m[1]
        return
    if m := _EXEC.match(info):
        token.meta["exec"] = m[1]
        token.meta["lang"] = m[1]
        token.meta["attrs"] = parse_attrs(m[2] or "") or Attrs()
        token.meta["options"] = _cell_options(token, state)
        return
    attrs = Attrs()
    if info.startswith("{") and info.endswith("}"):
        attrs = parse_attrs(info[1:-1]) or Attrs()
        lang = attrs.classes[0] if attrs.classes else ""
    else:
        lang, _, rest = info.partition(" ")
        rest = rest.strip()
        if rest.startswith("{") and rest.endswith("}"):
            attrs = parse_attrs(rest[1:-1]) or Attrs()
    token.meta["lang"] = lang
    token.meta["attrs"] = attrs


def _cell_options(token, state: StateCore) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Strip the leading ``#|`` lines of an executable cell and read them as YAML."""
    lines = token.content.split("\n")
    option_lines = []
    while lines and (m := _OPTION.match(lines[0])):
        option_lines.append(m[1])
        lines.pop(0)
    token.content = "\n".join(lines)
    if not option_lines:
        return {}
    try:
        options = yaml.safe_load("\n".join(option_lines))
    except yaml.YAMLError as exc:
        line = token.map[0] + 1 if token.map else 0
        mark = getattr(exc, "problem_mark", None)
        report(
            state.env,
            line + (mark.line if mark else 0),
            f"invalid '#|' cell option: {getattr(exc, 'problem', exc)}; write options as '#| key: value'",
        )
        return {}
    return options if isinstance(options, dict) else {}
