"""BibTeX name lists → CSL name objects, the way pandoc's BibTeX reader splits them.

Pandoc splits a name list on `` and `` between words, then reads each name as
"First von Last", "von Last, First" or "von Last, Jr, First". A name that is one
brace group (``{World Health Organization}``) becomes a ``literal``; ``others``
becomes the literal ``"others"`` (which CSL styles render as "et al."). The "von" part
is a ``dropping-particle`` unless ``options = {useprefix=true}``. Finally pandoc's
CSL-JSON round trip moves lowercase prefixes of family names ("van Gogh") into
``non-dropping-particle``; :func:`extract_particles` reproduces that.
"""

from __future__ import annotations

from .latex import (
    Inline,
    Space,
    Span,
    Str,
    is_lower,
    is_upper,
    parse_blocks,
    split_str_when,
    stringify,
)

Name = dict[str, str | bool]


def parse_names(
    value: str, *, useprefix: bool = False, juniorcomma: bool = False
) -> list[Name] | None:
    """A BibTeX name-list field → CSL names; ``None`` when pandoc would drop the field."""
    blocks = parse_blocks(value)
    if len(blocks) != 1:
        return None  # pandoc reads names from exactly one paragraph
    names: list[Name] = []
    for part in split_by_and(blocks[0]):
        name = to_name(add_space_after_period(part), useprefix=useprefix, juniorcomma=juniorcomma)
        if name:
            names.append(extract_particles(name))
    return names


def split_by_and(inlines: list[Inline]) -> list[list[Inline]]:
    """Split on the element sequence space, ``and``, space (not inside braces)."""
    parts: list[list[Inline]] = []
    current: list[Inline] = []
    i = 0
    while i < len(inlines):
        if (
            i + 2 < len(inlines)
            and isinstance(inlines[i], Space)
            and inlines[i + 1] == Str("and")
            and isinstance(inlines[i + 2], Space)
        ):
            parts.append(current)
            current = []
            i += 3
            continue
        current.append(inlines[i])
        i += 1
    parts.append(current)
    return parts


def add_space_after_period(inlines: list[Inline]) -> list[Inline]:
    """Treat "J.G. Smith" like "J. G. Smith" (pandoc splits periods into their own runs)."""
    pieces = split_str_when(inlines, lambda c: c == ".")
    out: list[Inline] = []
    i = 0
    while i < len(pieces):
        node = pieces[i]
        out.append(node)
        if (
            i + 2 < len(pieces)
            and _single_upper_letter(node)
            and pieces[i + 1] == Str(".")
            and _single_upper_letter(pieces[i + 2])
        ):
            out.extend([Str("."), Space()])
            i += 2
            continue
        i += 1
    return out


def _single_upper_letter(node: Inline) -> bool:
    return isinstance(node, Str) and len(node.text) == 1 and is_upper(node.text)


def to_name(inlines: list[Inline], *, useprefix: bool, juniorcomma: bool) -> Name:
    """One name → CSL name parts; an empty dict when nothing is left (pandoc drops it)."""
    if inlines == [Str("others")]:
        return {"literal": "others"}
    if len(inlines) == 1 and isinstance(inlines[0], Span):
        span = inlines[0]
        if not span.classes and not span.attrs:
            return {"literal": stringify(span.children)}  # {Corporate Name}
    first = inlines[0] if inlines else None
    if isinstance(first, Str) and "=" in first.text:
        return _extended_name(inlines)
    return _classic_name(inlines, useprefix=useprefix, juniorcomma=juniorcomma)


def _words(inlines: list[Inline]) -> list[list[Inline]]:
    """Split on spaces and no-break spaces, dropping empty words."""
    words: list[list[Inline]] = []
    current: list[Inline] = []
    for node in inlines:
        if isinstance(node, Space) or node == Str("\xa0"):
            if current:
                words.append(current)
            current = []
        else:
            current.append(node)
    if current:
        words.append(current)
    return words


def _split_at_commas(inlines: list[Inline], separators: str) -> list[list[Inline]]:
    """Split a name at its top-level commas (``separators`` also break words)."""
    parts: list[list[Inline]] = [[]]
    for node in split_str_when(inlines, lambda c: c in separators):
        if node == Str(","):
            parts.append([])
        else:
            parts[-1].append(node)
    return parts


def _comma_parts(inlines: list[Inline]) -> list[list[list[Inline]]]:
    return [_words(part) for part in _split_at_commas(inlines, ",\xa0")]


def is_capitalized(word: list[Inline]) -> bool:
    """Pandoc's test for a name word: its first letter (after digits) is uppercase.

    Non-text elements are skipped, so in ``{\\'E}mile`` the brace group is ignored and
    "mile" decides — pandoc then files "Émile" as a particle; we do the same.
    """
    for i, node in enumerate(word):
        if not isinstance(node, Str) or not node.text:
            continue
        for j, char in enumerate(node.text):
            if is_upper(char):
                return True
            if not ("0" <= char <= "9"):
                return False
            if j == len(node.text) - 1:
                # All digits: pandoc continues with the (empty) rest, then later elements.
                return is_capitalized(word[i + 1 :])
    return True


def _classic_name(inlines: list[Inline], *, useprefix: bool, juniorcomma: bool) -> Name:
    parts = _comma_parts(inlines)
    if len(parts) == 1:
        fvl = parts[0]
        caps = 0
        while caps < len(fvl) and is_capitalized(fvl[caps]):
            caps += 1
        if caps == len(fvl) and caps:
            first, vonlast, jr = fvl[:-1], fvl[-1:], []
        else:
            first, vonlast, jr = fvl[:caps], fvl[caps:], []
    elif len(parts) == 2:
        first, vonlast, jr = parts[1], parts[0], []
    else:
        first, vonlast, jr = parts[2], parts[0], parts[1]
    von, last = _split_von_last(vonlast)
    prefix = _unwords(von)
    name: Name = {}
    _put(name, "family", _unwords(last))
    _put(name, "given", _unwords(first))
    _put(name, "non-dropping-particle" if useprefix else "dropping-particle", prefix)
    _put(name, "suffix", _unwords(jr))
    if name and juniorcomma:
        name["comma-suffix"] = True
    return name


def _split_von_last(vonlast: list[list[Inline]]) -> tuple[list[list[Inline]], list[list[Inline]]]:
    """The last name starts at the first capitalized word ("de la Vallée Poussin").

    This is biblatex's rule, which pandoc follows even for BibTeX: "Drummond de
    Andrade, Carlos" keeps the whole "Drummond de Andrade" as the family name. When no
    word is capitalized ("da silva"), the last word is the family name.
    """
    cut = next((i for i, word in enumerate(vonlast) if is_capitalized(word)), len(vonlast))
    if cut == len(vonlast) and vonlast:
        return vonlast[:-1], vonlast[-1:]
    return vonlast[:cut], vonlast[cut:]


def _unwords(words: list[list[Inline]]) -> str:
    return " ".join(stringify(w) for w in words)


def _put(name: Name, key: str, value: str) -> None:
    if value:
        name[key] = value


def _extended_name(inlines: list[Inline]) -> Name:
    """Biblatex's ``family=Smith, given=John, prefix=van, useprefix=true`` names."""
    parts = _split_at_commas(inlines, ",=\xa0")
    name: Name = {}
    for part in parts:
        while part and isinstance(part[0], Space):
            part = part[1:]
        if len(part) < 2 or not isinstance(part[0], Str) or part[1] != Str("="):
            continue
        key, rest = part[0].text, stringify(part[2:])
        if key == "given":
            given = name.get("given")
            name["given"] = f"{given} {rest}" if isinstance(given, str) else rest
        elif key == "family":
            name["family"] = rest
        elif key == "prefix":
            name["dropping-particle"] = rest
        elif key == "suffix":
            name["suffix"] = rest
        elif key == "useprefix" and part[2:3] == [Str("true")] and "dropping-particle" in name:
            name["non-dropping-particle"] = name.pop("dropping-particle")
    return name


# --------------------------------------------------------------------------- particles


def _is_particle_punct(char: str) -> bool:
    return char in "'’-\u2013."


def _is_particle_word(word: str) -> bool:
    return all(is_lower(c) or _is_particle_punct(c) for c in word)


def extract_particles(name: Name) -> Name:
    """Citeproc's CSL-JSON name clean-up: suffix after a comma, lowercase particles.

    Pandoc's CSL-JSON writer passes every name through this, so "van Gogh" as a family
    name comes out as particle "van" + family "Gogh".
    """
    name = dict(name)
    _extract_suffix(name)
    _extract_dropping_particle(name)
    _extract_non_dropping_particle(name)
    return name


def _extract_suffix(name: Name) -> None:
    given = name.get("given")
    if "suffix" in name or not isinstance(given, str):
        return
    if len(given) >= 2 and given.startswith('"') and given.endswith('"'):
        name["given"] = given[1:-1]
        return
    head, comma, tail = given.partition(",")
    if not head or not comma:
        return
    name["given"] = head
    if tail.startswith("!"):
        name["suffix"] = tail[1:].strip()
        name["comma-suffix"] = True
    else:
        name["suffix"] = tail.strip()


def _extract_dropping_particle(name: Name) -> None:
    given = name.get("given")
    if "dropping-particle" in name or not isinstance(given, str):
        return
    words = given.split()
    split = next((i for i, w in enumerate(words) if _is_particle_word(w)), len(words))
    if split in (0, len(words)) or not all(_is_particle_word(w) for w in words[split:]):
        return
    name["given"] = " ".join(words[:split])
    name["dropping-particle"] = " ".join(words[split:])


def _extract_non_dropping_particle(name: Name) -> None:
    family = name.get("family")
    if "non-dropping-particle" in name or not isinstance(family, str):
        return
    if len(family) >= 2 and family.startswith('"') and family.endswith('"'):
        name["family"] = family[1:-1]
        return
    words = family.split()
    lead = 0
    while lead < len(words) and _is_particle_word(words[lead]):
        lead += 1
    if lead == 0:
        _split_glued_particle(name, family)
    elif lead < len(words):
        name["family"] = " ".join(words[lead:])
        name["non-dropping-particle"] = " ".join(words[:lead])


def _split_glued_particle(name: Name, family: str) -> None:
    """``d'Alembert`` → particle ``d'`` + family ``Alembert`` (exactly one separator)."""
    cuts = [i for i, c in enumerate(family) if _is_particle_punct(c)]
    if len(cuts) != 1:
        return
    head, tail = family[: cuts[0]], family[cuts[0] + 1 :]
    if _is_particle_word(head):
        name["family"] = tail
        name["non-dropping-particle"] = head + family[cuts[0]]
