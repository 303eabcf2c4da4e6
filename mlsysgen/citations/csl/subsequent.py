"""``subsequent-author-substitute``: in a bibliography, an entry whose authors repeat the
previous entry's prints a substitute ("———") instead, following citeproc's rules
(complete-all, complete-each, partial-each, partial-first)."""

from __future__ import annotations

from .inline import text
from .output import NULL, Formatted, Literal, Output, Tagged, output_text, transform, universe
from .reference import Name


def _first_names(entry: Output) -> Tagged | None:
    for node in universe(entry):
        if isinstance(node, Tagged) and node.tag[0] == "names":
            return node
    return None


def _matches(a: tuple[Name, ...], b: tuple[Name, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _replace_all(node: Tagged, replacement: str) -> Output:
    if not node.tag[3]:
        return Tagged(node.tag, Literal(text(replacement)))
    # Drop the names but keep a label such as "ed."
    stripped = transform(
        node.child, lambda n: NULL if isinstance(n, Tagged) and n.tag[0] == "name" else n
    )
    if isinstance(stripped, Formatted):
        return Tagged(
            node.tag, Formatted(stripped.fmt, [Literal(text(replacement)), *stripped.children])
        )
    return Tagged(node.tag, Literal(text(replacement)))


def _replace_names(node: Tagged, replacement: str, which: tuple[Name, ...]) -> Output:
    remaining = list(which)

    def fix(n: Output) -> Output:
        if isinstance(n, Tagged) and n.tag[0] == "name" and n.tag[1] in remaining:
            remaining.remove(n.tag[1])
            return Tagged(n.tag, Literal(text(replacement)))
        return n

    return transform(node, fix)


def _swap(x: Output, target: Output, new: Output) -> Output:
    if x is target:
        return new
    if isinstance(x, Formatted):
        return Formatted(x.fmt, [_swap(c, target, new) for c in x.children])
    if isinstance(x, Tagged):
        return Tagged(x.tag, _swap(x.child, target, new))
    return x


def substitute_authors(entries: list[Output], replacement: str, rule: str) -> list[Output]:
    """Apply the substitution to bibliography entries given in bibliography order."""
    out: list[Output] = []
    previous: Tagged | None = None
    for entry in entries:
        names = _first_names(entry)
        if previous is None or names is None:
            out.append(entry)
            previous = names
            continue
        new = _replacement(names, previous, replacement, rule)
        if new is None:
            out.append(entry)
            previous = names
        else:
            out.append(_swap(entry, names, new))
    return out


def _replacement(names: Tagged, previous: Tagged, replacement: str, rule: str) -> Output | None:
    mine, theirs = names.tag[3], previous.tag[3]
    if not theirs or rule == "complete-all":
        same = mine == theirs and (bool(theirs) or output_text(names) == output_text(previous))
        return _replace_all(names, replacement) if same else None
    if rule == "complete-each":
        return _replace_names(names, replacement, mine) if mine == theirs else None
    count = _matches(mine, theirs)
    if count == 0:
        return None
    return _replace_names(names, replacement, mine[: count if rule == "partial-each" else 1])


__all__ = ["substitute_authors"]
