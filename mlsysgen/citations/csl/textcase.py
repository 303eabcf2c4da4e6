"""CSL ``text-case`` transformations over inlines, as pandoc's citeproc applies them.

Text is cut into chunks (words, spaces, runs of punctuation, single symbols); a
small state machine remembers what preceded each chunk (start, after a word break, after
sentence-ending punctuation...). Title case capitalises lowercase words except stop words,
leaves mixed-case and all-caps words alone, and never descends into nocase spans,
small caps, superscripts or subscripts.
"""

from __future__ import annotations

from collections.abc import Callable

from .inline import SPACE, Elem, Inlines, Str, is_alnum, is_lower, is_punct, is_upper, str_texts

START = "start"
START_SENTENCE = "start-sentence"
AFTER_WORD_END = "after-word-end"
AFTER_WORD_CHAR = "after-word-char"
AFTER_SENTENCE_PUNCT = "after-sentence-punct"
BEFORE_LAST_WORD = "before-last-word"

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "down",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "onto",
        "or",
        "over",
        "so",
        "the",
        "till",
        "to",
        "up",
        "via",
        "with",
        "yet",
        "about",
        "van",
        "von",
        "de",
        "d",
        "l",
    ]
)
_WORD_BREAKS = frozenset("-/\u2013\u2014")
_OPAQUE = frozenset({"smallcaps", "sup", "sub"})


def _is_word_break(c: str) -> bool:
    return c in _WORD_BREAKS or c.isspace()


def _is_mixed(t: str) -> bool:
    return any(is_upper(c) for c in t) and any(is_lower(c) for c in t)


def _capitalize(t: str) -> str:
    return t[:1].upper() + t[1:] if t else t


def _all_lower(t: str) -> bool:
    return all(is_lower(c) for c in t)


def title_case(st: str, chunk: str) -> str:
    """CSL title case for one word chunk given the preceding state."""
    if _is_mixed(chunk) or not any(is_lower(c) for c in chunk):
        return chunk  # "iPhone", "NASA", "3D" keep their case
    if st in (START, START_SENTENCE):
        return _capitalize(chunk.lower())
    if st == AFTER_WORD_END and chunk not in STOP_WORDS and len(chunk) > 1:
        return _capitalize(chunk.lower())
    if st == BEFORE_LAST_WORD and len(chunk) > 1:
        return _capitalize(chunk.lower())
    return chunk


def capitalize_first(st: str, chunk: str) -> str:
    """Capitalise the first word only."""
    if _is_mixed(chunk):
        return chunk
    if st == START and _all_lower(chunk):
        return _capitalize(chunk)
    return chunk


def capitalize_all(st: str, chunk: str) -> str:
    """Capitalise every lowercase word."""
    if _is_mixed(chunk):
        return chunk
    if st in (START, START_SENTENCE, AFTER_WORD_END, BEFORE_LAST_WORD) and _all_lower(chunk):
        return _capitalize(chunk)
    return chunk


def sentence_case(st: str, chunk: str) -> str:
    """Lowercase capitalised words, except at the start of a sentence."""
    capitalized = bool(chunk) and is_upper(chunk[0]) and _all_lower(chunk[1:])
    at_start = st in (START, START_SENTENCE)
    if capitalized and not at_start:
        return chunk.lower()
    if (capitalized or _all_lower(chunk)) and at_start:
        return _capitalize(chunk.lower())
    return chunk


TRANSFORMS: dict[str, Callable[[str, str], str]] = {
    "lowercase": lambda st, t: t.lower(),
    "uppercase": lambda st, t: t.upper(),
    "capitalize-first": capitalize_first,
    "capitalize-all": capitalize_all,
    "sentence": sentence_case,
    "title": title_case,
}


def _chunk_class(c: str) -> int:
    if c.isalnum() or (c > "\x7f" and is_alnum(c)):
        return 2
    if c.isspace():
        return 1
    if is_punct(c):
        return 3
    return 0  # symbols are each a chunk of their own


def _split_up(t: str) -> list[str]:
    chunks: list[str] = []
    start = 0
    for i in range(1, len(t) + 1):
        if i == len(t) or _chunk_class(t[i]) == 0 or _chunk_class(t[i]) != _chunk_class(t[start]):
            chunks.append(t[start:i])
            start = i
    return chunks


class _CaseState:
    def __init__(self, fn: Callable[[str, str], str]) -> None:
        self.fn = fn
        self.st = START

    def g(self, t: str) -> str:
        st = self.st
        if t:
            c = t[-1]
            if c in ".?!:":
                self.st = AFTER_SENTENCE_PUNCT
            elif is_alnum(c):
                self.st = AFTER_WORD_CHAR
            elif c.isspace() and st == AFTER_SENTENCE_PUNCT:
                self.st = START_SENTENCE
            elif _is_word_break(c):
                self.st = AFTER_WORD_END
            # any other character (brackets, quotes, "&") leaves the state as it was
        return self.fn(st, t) if all(is_alnum(c) for c in t) else t

    def node(self, node: object) -> object:
        if isinstance(node, Str):
            return Str("".join(self.g(c) for c in _split_up(node.text)))
        if node is SPACE:
            self.g(" ")
            return node
        assert isinstance(node, Elem)
        if node.kind in _OPAQUE:
            self.g(str_texts(node.children))
            return node
        if node.kind == "span" and "nocase" in (node.data or ()):
            st = self.st
            self.g(str_texts(node.children))
            if st == AFTER_WORD_CHAR and node.data == ("nocase",):
                return Elem("span", node.children, ())
            return node
        return Elem(node.kind, [self.node(n) for n in node.children], node.data)


def apply_text_case(case: str, inl: Inlines) -> Inlines:
    """Apply a CSL ``text-case`` value to inlines."""
    fn = TRANSFORMS.get(case)
    if fn is None or not inl:
        return inl
    state = _CaseState(fn)
    last = inl[-1]
    if len(inl) > 1 and isinstance(last, Str) and not any(_is_word_break(c) for c in last.text):
        head = [state.node(n) for n in inl[:-1]]
        if state.st in (AFTER_WORD_END, START_SENTENCE, START):
            state.st = BEFORE_LAST_WORD
        return [*head, state.node(last)]
    return [state.node(n) for n in inl]
