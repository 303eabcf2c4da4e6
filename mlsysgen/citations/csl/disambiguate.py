"""Disambiguation of cites that render identically, in citeproc's order: name hints
(``givenname-disambiguation-rule``), more names before "et al." (``disambiguate-add-names``),
given names/initials by cite, year suffixes ("2017a"), and finally the ``disambiguate``
condition.

Every registered item is rendered as a plain cite (no locator or affixes); items whose
rendered text collides form an ambiguity group. Renders are cached and recomputed only for
items whose disambiguation data changed, which gives the same result as re-rendering all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .names import initialize
from .output import Output, Tagged, output_text, universe
from .reference import Name
from .render import Disamb, Evaluator
from .sort import SortValue, compare_sort_values


@dataclass(frozen=True)
class DisambData:
    item: str
    names: tuple[Name, ...]
    dates: tuple
    rendered: str


def _initials(given: str | None) -> str | None:
    return None if given is None else initialize(True, False, "", given)


def _data(item: str, x: Output) -> DisambData:
    names: list[Name] = []
    dates = []
    for n in universe(x):
        if isinstance(n, Tagged):
            if n.tag[0] == "names":
                names.extend(n.tag[3])
            elif n.tag[0] == "date":
                dates.append(n.tag[1])
    return DisambData(item, tuple(names), tuple(dates), output_text(x))


def _has_ibid(x: Output) -> bool:
    return any(
        isinstance(n, Tagged) and n.tag[0] == "term" and n.tag[1].name == "ibid"
        for n in universe(x)
    )


def ambiguities(renders: dict[str, Output]) -> list[list[DisambData]]:
    """Groups of two or more items whose cites render the same text."""
    datas = [_data(i, x) for i, x in renders.items() if not _has_ibid(x)]
    by_text: dict[str, list[DisambData]] = {}
    for d in sorted(datas, key=lambda d: d.rendered):
        by_text.setdefault(d.rendered, []).append(d)
    out = []
    for text, group in by_text.items():
        if not text or len(group) < 2:
            continue
        seen: dict[str, DisambData] = {}
        for d in group:
            seen.setdefault(d.item, d)
        if len(seen) > 1:
            out.append(list(seen.values()))
    return out


def _name_parts(rule: str | None) -> Callable[[tuple[Name, ...]], tuple]:
    def strip(n: Name) -> Name:
        return Name(n.family, None, n.dropping_particle, n.non_dropping_particle, n.suffix,
                    n.comma_suffix, n.static_ordering, n.literal)  # fmt: skip

    def init(n: Name) -> Name:
        return Name(n.family, _initials(n.given), n.dropping_particle, n.non_dropping_particle,
                    n.suffix, n.comma_suffix, n.static_ordering, n.literal)  # fmt: skip

    if rule in ("all-names", "by-cite"):
        return lambda ns: ns
    if rule == "all-names-with-initials":
        return lambda ns: tuple(init(n) for n in ns)
    if rule == "primary-name":
        return lambda ns: ns[:1] + tuple(strip(n) for n in ns[1:])
    if rule == "primary-name-with-initials":
        return lambda ns: tuple(init(n) for n in ns[:1]) + tuple(strip(n) for n in ns[1:])
    return lambda ns: tuple(strip(n) for n in ns)


class Disambiguator:
    """Runs the disambiguation passes over an :class:`Evaluator`'s references."""

    def __init__(
        self,
        ev: Evaluator,
        render_item: Callable[[str], Output],
        bib_sort_values: dict[str, list[SortValue]],
    ) -> None:
        self.ev = ev
        self.render_item = render_item
        self.bib_sort_values = bib_sort_values
        self.renders: dict[str, Output] = {}
        self.dirty: set[str] = set()

    def disamb(self, item: str) -> Disamb:
        self.dirty.add(item)
        return self.ev.disamb.setdefault(item, Disamb())

    def refresh(self, items: list[str] | None = None) -> list[list[DisambData]]:
        todo = items if items is not None else sorted(self.dirty)
        for i in todo:
            self.renders[i] = self.render_item(i)
        self.dirty.clear()
        return ambiguities(self.renders)

    def run(self, items: list[str]) -> None:
        opts = self.ev.style.options
        self.renders = {}
        groups = self.refresh(items)
        rule = opts.givenname_rule if opts.disambiguate_add_givenname else None
        if rule is not None and rule != "by-cite":
            self._global_name_hints(rule)
            groups = self.refresh(items)
        if groups and opts.disambiguate_add_names:
            for g in groups:
                self._add_names(rule, g)
            groups = self.refresh()
        if groups and rule == "by-cite":
            for g in groups:
                self._add_given_names(g)
            groups = self.refresh()
        if groups and opts.disambiguate_add_year_suffix:
            self._add_year_suffixes(groups)
            groups = self.refresh()
        for g in groups:
            for d in g:
                self.disamb(d.item).condition = True

    # --- passes -------------------------------------------------------------------------

    def _global_name_hints(self, rule: str) -> None:
        groups = [
            n.tag[3]
            for x in self.renders.values()
            for n in universe(x)
            if isinstance(n, Tagged) and n.tag[0] == "names"
        ]
        all_names = list(dict.fromkeys(n for g in groups for n in g))
        primary = list(dict.fromkeys(g[0] for g in groups if g))
        relevant = primary if rule in ("primary-name", "primary-name-with-initials") else all_names
        hints: dict[Name, str] = {}
        for family in dict.fromkeys(n.family for n in relevant if n.family is not None):
            same = [n for n in relevant if n.family == family]
            if len(same) < 2:
                continue
            for name in same:
                hint = self._hint(rule, name, same)
                if hint is not None:
                    hints[name] = hint
        for item in self.ev.refs:
            self.disamb(item).name_map = dict(hints)

    @staticmethod
    def _hint(rule: str, name: Name, same: list[Name]) -> str | None:
        clash = any(_initials_match(name, other) for other in same if other != name)
        if clash:
            if rule in ("all-names-with-initials", "primary-name-with-initials"):
                return None
            return "add-given-name-if-primary" if rule == "primary-name" else "add-given-name"
        if rule in ("primary-name-with-initials", "primary-name"):
            return "add-initials-if-primary"
        return "add-initials"

    def _add_names(self, rule: str | None, group: list[DisambData]) -> None:
        if rule == "by-cite":
            self._add_given_names(group)
        parts = _name_parts(rule)

        def resolved(n: int, xs: list[DisambData], x: DisambData) -> bool:
            mine = parts(x.names[:n])
            return all(y == x or parts(y.names[:n]) != mine for y in xs)

        remaining = list(group)
        n = 1
        while remaining and n <= max(len(d.names) for d in remaining):
            done = [x for x in remaining if resolved(n, remaining, x)]
            if done:
                for d in remaining:
                    self.disamb(d.item).et_al_names = n
                for d in done:
                    remaining.remove(d)
            n += 1

    def _add_given_names(self, group: list[DisambData]) -> None:
        ids = [d.item for d in group]
        width = max((len(d.names) for d in group), default=0)
        remaining = list(group)
        for i in range(width):
            if not remaining:
                break
            # Like Haskell's transpose + zip: shorter name lists shift later ids left.
            row = [d.names[i] for d in group if len(d.names) > i]
            hinted = set()
            for item, name in zip(ids, row, strict=False):
                if self._name_hint(row, item, name):
                    hinted.add(item)
            remaining = [d for d in remaining if d.item not in hinted]

    def _name_hint(self, row: list[Name], item: str, name: Name) -> bool:
        matches = [n for n in row if n != name and n.family == name.family]
        if not matches:
            return False
        clash = any(_initials_match(name, n) for n in matches)
        self.disamb(item).name_map[name] = "add-given-name" if clash else "add-initials"
        return True

    def _add_year_suffixes(self, groups: list[list[DisambData]]) -> None:
        import functools

        def cmp(a: DisambData, b: DisambData) -> int:
            return compare_sort_values(
                self.bib_sort_values.get(a.item, []), self.bib_sort_values.get(b.item, [])
            )

        companions: dict[tuple[str, ...], list[DisambData]] = {}
        for g in groups:
            for a in g:
                members = [x for grp in groups if a in grp for x in grp]
                ordered = sorted(members, key=functools.cmp_to_key(cmp))
                companions[tuple(d.item for d in ordered)] = ordered
        for key in sorted(companions):
            for i, d in enumerate(companions[key], 1):
                self.disamb(d.item).year_suffix = i


def _initials_match(x: Name, y: Name) -> bool:
    if x.given is None or y.given is None:
        return False
    return _initials(x.given) == _initials(y.given)
