"""Pandoc citations and Quarto cross-references: ``@key``, ``[@a; @b]``, ``[see @k, p. 3]``.

A key follows Pandoc's rule: it starts with a letter, digit or ``_`` and continues with
word characters or *internal* punctuation (``:.#$%&-+?<>~/``) that is followed by a
word character, so ``@fig-a$\\text{b}$`` ends before the ``$`` and ``@key.`` ends
before the full stop. An ``@`` right after a word character (an e-mail address) is not
a reference.

A key whose prefix is a cross-reference kind (``sec``, ``fig``, ``tbl``, ``lst``,
``eq`` and configured custom kinds) becomes an ``xref`` token (``meta``: id,
suppress, capital); anything else a ``cite`` token (``meta``: items, mode). A bracketed
group mixing both is split into its parts. Resolution happens later, against the
project-wide index.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ...model import CiteRef
from ._scan import matching_close

XREF_KINDS = ("sec", "fig", "tbl", "lst", "eq")
_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
_KEY_RE = re.compile(_KEY)
_ITEM_RE = re.compile(rf"(?P<prefix>.*?)(?P<suppress>-)?@(?P<key>{_KEY})(?P<suffix>.*)", re.DOTALL)
_LOCATOR_RE = re.compile(
    r"^\s*,?\s*(?P<label>(?:pp?|ch|chap|sec|fig|vol|para|nos?|col|l{1,2}|bk|pt|v{1,2})\.?|§|¶)\s*(?P<value>[\w\-–—,\s]+?)\s*(?P<rest>(?:,.*)?)$",
    re.DOTALL,
)


def references_plugin(md: MarkdownIt, xref_kinds: tuple[str, ...] = XREF_KINDS) -> None:
    kinds = tuple(sorted(set(xref_kinds)))
    md.inline.ruler.before("link", "bracket_refs", _bracketed(kinds))
    md.inline.ruler.before("emphasis", "bare_refs", _bare(kinds))


def is_xref(key: str, kinds: tuple[str, ...]) -> bool:
    prefix, dash, _ = key.partition("-")
    return bool(dash) and prefix.lower() in kinds


def _line(state: StateInline) -> int:
    return state.src.count("\n", 0, state.pos)


def _bare(kinds: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def rule(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        if state.src[pos] != "@":
            return False
        if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_@"):
            return False
        m = _KEY_RE.match(state.src, pos + 1)
        if not m:
            return False
        if not silent:
            key = m[0]
            if is_xref(key, kinds):
                _push_xref(state, key, suppress=False)
            else:
                token = state.push("cite", "", 0)
                token.meta = {"items": [CiteRef(key)], "mode": "in-text", "line": _line(state)}
                token.content = "@" + key
                _maybe_suffix(state, token, m.end())
                return True
        state.pos = m.end()
        return True

    return rule


def _maybe_suffix(state: StateInline, token, end: int) -> None:  # type: ignore[no-untyped-def]
    """Narrative ``@key [p. 33]``: the bracket after the key is its locator."""
    m = re.match(r"\s?\[([^\[\]@]*)\]", state.src[end:])
    if m and state.src[end + m.end() : end + m.end() + 1] not in ("(", "{", "["):
        token.meta["items"][0] = _with_locator(token.meta["items"][0], m[1])
        state.pos = end + m.end()
    else:
        state.pos = end


def _push_xref(state: StateInline, key: str, suppress: bool) -> None:
    token = state.push("xref", "", 0)
    token.meta = {
        "id": key,
        "suppress": suppress,
        "capital": key[0].isupper(),
        "line": _line(state),
    }
    token.content = "@" + key


def _bracketed(kinds: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if state.src[start] != "[":
            return False
        end = matching_close(state.src, start, state.posMax, stop="`")  # no citation spans code
        if end is None:
            return False
        inner = state.src[start + 1 : end]
        if "@" not in inner or not _looks_like_citation(inner):
            return False
        # [text](url) and [text][ref] are links, not citations.
        if state.src[end + 1 : end + 2] in ("(", "["):
            return False
        items, problem = _parse_items(inner)
        if not items:
            return False
        if not silent:
            first = len(state.tokens)
            _emit_group(state, items, kinds)
            if problem:
                # Inline rules do not know their paragraph's line; source_lines reports it.
                state.tokens[first].meta.setdefault("problems", []).append(("warning", problem))
        state.pos = end + 1
        return True

    return rule


def _looks_like_citation(inner: str) -> bool:
    return re.search(rf"(?:^|[\s;,])-?@{_KEY}", inner) is not None


def _parse_items(inner: str) -> tuple[list[CiteRef], str]:
    """The cited items, and a warning when the group had to be read leniently."""
    items: list[CiteRef] = []
    problem = ""
    for part in inner.split(";"):
        keys = list(re.finditer(rf"(?:^|(?<=[\s,\[]))(-?)@({_KEY})", part))
        if not keys:
            if items:
                items[-1] = replace(items[-1], suffix=items[-1].suffix + ";" + part)
            continue
        if len(keys) > 1:  # "[@a, @b]": a comma where a semicolon was meant
            problem = f"citation '[{inner}]' separates keys with ','; use ';' as in '[@a; @b]' (every key was read)"
            for k in keys:
                items.append(CiteRef(k[2], suppress_author=bool(k[1])))
            continue
        k = keys[0]
        item = CiteRef(k[2], prefix=part[: k.start()].strip(), suppress_author=bool(k[1]))
        rest = part[k.end() :]
        if rest.strip() in (".", ","):
            problem = f"citation '[{inner}]' has stray '{rest.strip()}' after the key; remove it (the key was read)"
        else:
            item = _with_locator(item, rest)
        items.append(item)
    return items, problem


def _with_locator(item: CiteRef, rest: str) -> CiteRef:
    """``item`` with the locator and suffix read from the text after its key."""
    m = _LOCATOR_RE.match(rest)
    if m:
        return replace(item, label=m["label"], locator=m["value"].strip(), suffix=m["rest"].strip())
    suffix = rest.strip().lstrip(",").strip() if rest.strip().startswith(",") else rest.strip()
    return replace(item, suffix=suffix)


def _emit_group(state: StateInline, items: list[CiteRef], kinds: tuple[str, ...]) -> None:
    xrefs = [i for i in items if is_xref(i.key, kinds)]
    if len(xrefs) == len(items):
        for n, item in enumerate(items):
            if n:
                state.push("text", "", 0).content = ", " if n < len(items) - 1 else " and "
            if item.prefix:
                state.push("text", "", 0).content = item.prefix + " "
            _push_xref(state, item.key, suppress=item.suppress_author)
            if item.suffix:
                state.push("text", "", 0).content = " " + item.suffix
        return
    token = state.push("cite", "", 0)
    token.meta = {"items": items, "mode": "normal", "line": _line(state)}
    token.content = "[" + "; ".join("@" + i.key for i in items) + "]"
