"""LaTeX in BibTeX field values → inline elements → CSL-JSON text, the way pandoc does it.

Pandoc reads every BibTeX field with its LaTeX reader (extensions ``raw_tex`` and
``smart``), works on the resulting inline elements (sentence-casing titles, splitting
names) and finally writes them as CSL-JSON markup. The book was built that way, so
this module reproduces the part of that reader bibliographies use, element for
element: which commands are known, which become raw LaTeX (and so vanish from the
output), how braces group text, how quotes and dashes are made.

Three entry points matter to callers:

* :func:`parse_latex` — a field value → a list of inline elements;
* :func:`sentence_case` — pandoc's title treatment (brace groups protect case;
  groups that still need protection come out as ``Span`` with class ``nocase``);
* :func:`to_csl` / :func:`stringify` — inline elements → CSL-JSON markup / plain text.

:func:`decode_latex` chains them for the common case.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- elements


@dataclass(slots=True)
class Str:
    """A run of text without spaces (adjacent runs are always merged)."""

    text: str


@dataclass(slots=True)
class Space:
    """An inter-word space."""


@dataclass(slots=True)
class SoftBreak:
    """A newline inside a field value (turned into :class:`Space` after parsing)."""


@dataclass(slots=True)
class LineBreak:
    """A hard line break (``\\\\``, ``\\newline``)."""


@dataclass(slots=True)
class Span:
    """A brace group (no classes) or a classed span; ``nocase`` protects case."""

    children: list[Inline]
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Styled:
    """Formatting: emph, strong, smallcaps, underline, strikeout, superscript, subscript."""

    style: str
    children: list[Inline]


@dataclass(slots=True)
class Quoted:
    """Text in smart quotes (LaTeX ````...''`` or ```...'``)."""

    double: bool
    children: list[Inline]


@dataclass(slots=True)
class Math:
    """``$...$`` math; kept as TeX source, as pandoc's CSL-JSON writer does."""

    text: str
    display: bool = False


@dataclass(slots=True)
class Code:
    """``\\texttt``/``\\verb`` text."""

    text: str


@dataclass(slots=True)
class Raw:
    """An unknown LaTeX command: pandoc keeps it as raw TeX, which CSL output drops."""

    text: str


@dataclass(slots=True)
class Link:
    """``\\url``/``\\href``; CSL-JSON keeps only the link text."""

    children: list[Inline]
    target: str


@dataclass(slots=True)
class Note:
    """``\\footnote``; dropped from CSL-JSON and plain text."""

    children: list[Inline] = field(default_factory=list)


Inline = (
    Str | Space | SoftBreak | LineBreak | Span | Styled | Quoted | Math | Code | Raw | Link | Note
)

# Styles pandoc's builder merges when two of them meet (``\emph{a}\emph{b}``).
_MELDABLE = frozenset({"emph", "strong", "underline", "strikeout", "superscript", "subscript"})


def _append(out: list[Inline], item: Inline) -> None:
    """Append like pandoc's ``Inlines`` monoid: merge text, collapse spaces and styles."""
    if not out:
        out.append(item)
        return
    last = out[-1]
    if isinstance(last, Str) and isinstance(item, Str):
        out[-1] = Str(last.text + item.text)
    elif isinstance(last, (Space, SoftBreak, LineBreak)) and isinstance(
        item, (Space, SoftBreak, LineBreak)
    ):
        # The "strongest" break wins: LineBreak > SoftBreak > Space.
        rank = {Space: 0, SoftBreak: 1, LineBreak: 2}
        if rank[type(item)] > rank[type(last)]:
            out[-1] = item
    elif (
        isinstance(last, Styled)
        and isinstance(item, Styled)
        and last.style == item.style
        and last.style in _MELDABLE
    ):
        # Pandoc concatenates the two child lists without merging across the seam.
        out[-1] = Styled(last.style, last.children + item.children)
    else:
        out.append(item)


def _extend(out: list[Inline], items: Iterable[Inline]) -> None:
    for item in items:
        _append(out, item)


def concat(left: list[Inline], right: list[Inline]) -> list[Inline]:
    """``left <> right`` with pandoc's merging at the seam (a new list)."""
    out = list(left)
    _extend(out, right)
    return out


def _children(node: Inline) -> list[Inline] | None:
    if isinstance(node, (Span, Styled, Quoted, Link, Note)):
        return node.children
    return None


# --------------------------------------------------------------------------- tokens

# Pandoc's LaTeX tokenizer: newline, spaces, alphanumeric words, comments, control
# sequences (letters plus trailing blanks, or one other character), single symbols.
_TOKEN = re.compile(
    r"(?P<nl>\n)"
    r"|(?P<sp>[ \t\r]+)"
    r"|(?P<word>[^\W_]+)"
    r"|(?P<comment>%[^\n]*)"
    r"|(?P<ctrl>\\(?:[A-Za-z]+[ \t]*|.|\n|\Z))"
    r"|(?P<sym>.)",
    re.S,
)

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
# What an accent on an empty group (``\^{}``) yields instead of a lone combining mark.
_ACCENT_ALONE = {"'": "'", "`": "`", "^": "^", "~": "~"}

# Argument-less commands pandoc knows (probed against pandoc 3.9); anything else is raw.
_SYMBOLS = {
    "L": "Ł",
    "l": "ł",
    "o": "ø",
    "O": "Ø",
    "i": "ı",
    "j": "ȷ",
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "textregistered": "®",
    "textcopyright": "©",
    "copyright": "©",
    "ldots": "…",
    "dots": "…",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "guillemotleft": "«",
    "guillemotright": "»",
    "guilsinglleft": "‹",
    "guilsinglright": "›",
    "quotedblbase": "„",
    "quotesinglbase": ",",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textless": "<",
    "textgreater": ">",
    "textbullet": "•",
    "textdegree": "°",
    "textdollar": "$",
    "textsection": "§",
    "textparagraph": "¶",
    "S": "§",
    "P": "¶",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "textyen": "¥",
    "textdagger": "†",
    "textonehalf": "½",
    "textonequarter": "¼",
    "textthreequarters": "¾",
    "textmu": "μ",
    "textbrokenbar": "¦",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "slash": "/",
}
# Control symbols: ``\&`` etc. are literal; ``\,`` ``\ `` ``\-`` are special spaces/hyphens.
_CONTROL_SYMBOLS = {
    "&": "&",
    "_": "_",
    "%": "%",
    "$": "$",
    "#": "#",
    "{": "{",
    "}": "}",
    ",": "\u2006",
    " ": "\xa0",
    "\n": "\xa0",
    "-": "\xad",
    "@": "",
    "/": "",
}
_STYLE_COMMANDS = {
    "emph": "emph",
    "textit": "emph",
    "textsl": "emph",
    "textbf": "strong",
    "textsc": "smallcaps",
    "underline": "underline",
    "sout": "strikeout",
    "textsuperscript": "superscript",
    "textsubscript": "subscript",
}
_SPAN_COMMANDS = {
    "textrm": "roman",
    "textsf": "sans-serif",
    "textnormal": "nodecor",
    "textup": "upright",
    "textmd": "medium",
}
# ``{\em ...}``-style declarations: they format the rest of the enclosing group.
_DECLARATIONS = {
    "em": "emph",
    "it": "emph",
    "sl": "emph",
    "itshape": "emph",
    "bf": "strong",
    "bfseries": "strong",
    "scshape": "smallcaps",
    "rm": "",
    "tt": "code",
}
_CASE_COMMANDS = {
    "MakeUppercase": str.upper,
    "uppercase": str.upper,
    "MakeTextUppercase": str.upper,
    "MakeLowercase": str.lower,
    "lowercase": str.lower,
    "MakeTextLowercase": str.lower,
}


@dataclass(slots=True)
class _Tok:
    kind: str  # nl, sp, word, comment, ctrl, sym
    text: str
    end: int

    @property
    def name(self) -> str:
        """A control sequence's name without backslash and trailing blanks."""
        return self.text[1:].rstrip(" \t") if len(self.text) > 2 else self.text[1:]


class _Parser:
    """Recursive-descent reader over a field value, tokenizing lazily.

    Lazy tokens let verbatim arguments (``\\url{a%b}``) be read from the source text
    without a comment token having swallowed them.
    """

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0
        self._peeked: _Tok | None = None
        self._peeked_at = -1

    # -- token access

    def peek(self, pos: int | None = None) -> _Tok | None:
        at = self.pos if pos is None else pos
        if at == self._peeked_at:
            return self._peeked  # the same token is looked at several times
        if at >= len(self.src):
            return None
        m = _TOKEN.match(self.src, at)
        assert m is not None and m.lastgroup is not None
        self._peeked, self._peeked_at = _Tok(m.lastgroup, m.group(), m.end()), at
        return self._peeked

    def next(self) -> _Tok | None:
        tok = self.peek()
        if tok is not None:
            self.pos = tok.end
        return tok

    def at_symbol(self, char: str, pos: int | None = None) -> bool:
        tok = self.peek(pos)
        return tok is not None and tok.kind == "sym" and tok.text == char

    def at_blank_line(self) -> bool:
        """A newline followed by blanks and another newline: a paragraph break."""
        return _BLANK_LINE.match(self.src, self.pos) is not None

    # -- document level

    def paragraphs(self) -> list[list[Inline]]:
        paras: list[list[Inline]] = []
        while self.pos < len(self.src):
            para = self.inlines(top=True)
            paras.append(_trim(para))
            if self.at_blank_line():
                while (tok := self.peek()) is not None and tok.kind in ("nl", "sp"):
                    self.next()
            elif self.at_symbol("}"):
                self.next()  # a stray closing brace: pandoc's groups never see one
        return [p for p in paras if p]

    # -- inline level

    def inlines(self, top: bool = False, stop: Callable[[], bool] | None = None) -> list[Inline]:
        out: list[Inline] = []
        while (tok := self.peek()) is not None:
            if stop is not None and stop():
                break
            if tok.kind == "sym" and tok.text == "}":
                break
            if top and tok.kind == "nl" and self.at_blank_line():
                break
            if tok.kind == "ctrl" and tok.name in _DECLARATIONS:
                self.next()
                _extend(out, self.declaration(_DECLARATIONS[tok.name], stop))
                continue
            _extend(out, self.inline())
        return out

    def inline(self) -> list[Inline]:
        tok = self.next()
        assert tok is not None
        kind, text = tok.kind, tok.text
        if kind == "word":
            return [Str(text)]
        if kind == "sp":
            return [Space()]
        if kind == "nl":
            if self.at_blank_line():  # a paragraph break inside a group: just a break
                self.next()
            return [SoftBreak()]
        if kind == "comment":
            return []
        if kind == "ctrl":
            return self.command(tok)
        return self.symbol(text)

    def symbol(self, char: str) -> list[Inline]:
        if char == "{":
            children = self.inlines()
            if self.at_symbol("}"):
                self.next()
            return [Span(children)] if children else []
        if char == "~":
            return [Str("\xa0")]
        if char == "$":
            return self.math()
        if char == "-":
            return [Str(self.dashes())]
        if char == "`":
            return self.open_quote()
        if char == "'":
            if self.at_symbol("'"):
                self.next()
                return [Str("”")]
            return [Str("’")]
        if char == '"' and self.at_symbol("`"):
            self.next()
            return self.quoted(True, '"`', lambda: self._at_seq('"', "'"))
        return [Str(char)]

    def dashes(self) -> str:
        count = 1
        while count < 3 and self.at_symbol("-"):
            self.next()
            count += 1
        return {1: "-", 2: "–", 3: "—"}[count]

    def _at_seq(self, first: str, second: str) -> bool:
        tok = self.peek()
        if tok is None or tok.kind != "sym" or tok.text != first:
            return False
        return self.at_symbol(second, tok.end)

    def open_quote(self) -> list[Inline]:
        if self.at_symbol("`"):
            self.next()
            return self.quoted(True, "“", lambda: self._at_seq("'", "'"))
        return self.quoted(False, "‘", self._at_single_close)

    def _at_single_close(self) -> bool:
        """A ``'`` closes a single quote unless a letter follows (``rock'n'roll``)."""
        tok = self.peek()
        if tok is None or tok.kind != "sym" or tok.text != "'":
            return False
        after = self.peek(tok.end)
        return after is None or not (after.kind == "word" and after.text[0].isalpha())

    def quoted(self, double: bool, opener: str, at_close: Callable[[], bool]) -> list[Inline]:
        body = self.inlines(stop=at_close)
        if at_close():
            # Consume the closer: two tokens for a double quote, one for a single.
            self.next()
            if double:
                self.next()
            return [Quoted(double, body)]
        out: list[Inline] = [Str(opener)]
        _extend(out, body)
        return out

    def math(self) -> list[Inline]:
        display = self.at_symbol("$")
        if display:
            self.next()
        closer = "$$" if display else "$"
        start = self.pos
        end = self._find_unescaped(closer, start)
        if end < 0:
            return [Str(closer)]
        self.pos = end + len(closer)
        return [Math(self.src[start:end].strip(), display)]

    def _find_unescaped(self, needle: str, start: int) -> int:
        i = start
        while True:
            i = self.src.find(needle, i)
            if i < 0 or (i == 0 or self.src[i - 1] != "\\"):
                return i
            i += 1

    def declaration(self, style: str, stop: Callable[[], bool] | None) -> list[Inline]:
        rest = self.inlines(stop=stop)
        if not rest:
            return []
        if style == "":
            return rest
        if style == "code":
            return [Code(stringify(rest))]
        return [Styled(style, rest)]

    # -- commands

    def command(self, tok: _Tok) -> list[Inline]:
        name = tok.name
        if len(tok.text) == 1:  # a backslash at the very end
            return [Str("\\")]
        if name in _ACCENTS:
            return self.accent(name)
        if not name[:1].isalpha():
            return self.control_symbol(name, tok)
        if name in _SYMBOLS:
            return [Str(_SYMBOLS[name])]
        if name in _STYLE_COMMANDS:
            return [Styled(_STYLE_COMMANDS[name], self.argument())]
        if name in _SPAN_COMMANDS:
            return [Span(self.argument(), (_SPAN_COMMANDS[name],))]
        if name in _CASE_COMMANDS:
            return map_text(self.argument(), _CASE_COMMANDS[name])
        handler = _COMMAND_HANDLERS.get(name)
        if handler is not None:
            return handler(self)
        return [self.raw_command(tok)]

    def control_symbol(self, char: str, tok: _Tok) -> list[Inline]:
        if char == "\\":
            return [LineBreak()]
        if char in _CONTROL_SYMBOLS:
            text = _CONTROL_SYMBOLS[char]
            return [Str(text)] if text else []
        return [Raw(tok.text)]

    def raw_command(self, tok: _Tok) -> Raw:
        """Unknown command: raw TeX swallowing a ``*`` and adjacent ``[...]``/``{...}``."""
        start = self.pos
        if self.at_symbol("*"):
            self.next()
        while self.at_symbol("{") or self.at_symbol("["):
            opener = self.next()
            assert opener is not None
            self.pos = self._skip_balanced(opener.text)
        return Raw(tok.text + self.src[start : self.pos])

    def _skip_balanced(self, opener: str) -> int:
        """Position after the bracket closing the one just consumed."""
        closer = "}" if opener == "{" else "]"
        depth, i = 1, self.pos
        while i < len(self.src):
            c = self.src[i]
            if c == "\\":
                i += 2
                continue
            if c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(self.src)

    def argument(self) -> list[Inline]:
        """One macro argument: a ``{group}``'s contents or the next single token."""
        while (tok := self.peek()) is not None and tok.kind == "sp":
            self.next()
        tok = self.peek()
        if tok is None:
            return []
        if tok.kind == "sym" and tok.text == "{":
            self.next()
            children = self.inlines()
            if self.at_symbol("}"):
                self.next()
            return children
        if tok.kind == "word":
            # TeX reads one character of a word as the argument (``\"ou`` → "öu").
            self.pos += 1
            return [Str(tok.text[0])]
        return self.inline()

    def verbatim_argument(self) -> str:
        while (tok := self.peek()) is not None and tok.kind == "sp":
            self.next()
        if not self.at_symbol("{"):
            return stringify(self.argument())
        start = self.pos + 1
        self.next()
        self.pos = self._skip_balanced("{")
        return self.src[start : self.pos - 1]

    def accent(self, name: str) -> list[Inline]:
        arg = self.argument()
        mark = _ACCENTS[name]
        if not arg or arg == [Space()]:
            return [Str(_ACCENT_ALONE.get(name, mark))]
        first = arg[0]
        if isinstance(first, Str) and first.text:
            # Compose with the first character only, as pandoc does (NFC of base + mark).
            composed = unicodedata.normalize("NFC", first.text[0] + mark)
            return [Str(composed + first.text[1:]), *arg[1:]]
        return arg


def _cmd_url(p: _Parser) -> list[Inline]:
    target = p.verbatim_argument()
    return [Link([Str(target)], target)]


def _cmd_href(p: _Parser) -> list[Inline]:
    target = p.verbatim_argument()
    return [Link(p.argument(), target)]


def _cmd_texttt(p: _Parser) -> list[Inline]:
    return [Code(stringify(p.argument()))]


def _cmd_verb(p: _Parser) -> list[Inline]:
    if p.pos >= len(p.src):
        return []
    delim = p.src[p.pos]
    end = p.src.find(delim, p.pos + 1)
    if end < 0:
        end = len(p.src)
    text = p.src[p.pos + 1 : end]
    p.pos = min(end + 1, len(p.src))
    return [Code(text)]


def _cmd_ensuremath(p: _Parser) -> list[Inline]:
    return [Math(p.verbatim_argument().strip())]


def _cmd_enquote(p: _Parser) -> list[Inline]:
    return [Quoted(True, p.argument())]


def _cmd_mkbibquote(p: _Parser) -> list[Inline]:
    return [Span([Quoted(True, p.argument())])]


def _cmd_mkbibemph(p: _Parser) -> list[Inline]:
    return [Span([Styled("emph", p.argument())])]


def _cmd_autocap(p: _Parser) -> list[Inline]:
    return [Span(p.argument())]


def _cmd_textcolor(p: _Parser) -> list[Inline]:
    color = p.verbatim_argument()
    return [Span(p.argument(), (), (("style", f"color: {color}"),))]


def _cmd_footnote(p: _Parser) -> list[Inline]:
    return [Note(p.argument())]


def _cmd_linebreak(p: _Parser) -> list[Inline]:
    return [LineBreak()]


def _cmd_bibstring(p: _Parser) -> list[Inline]:
    key = p.verbatim_argument()
    return [Span([Str(key)], (), (("bibstring", key),))]


_COMMAND_HANDLERS: dict[str, Callable[[_Parser], list[Inline]]] = {
    "url": _cmd_url,
    "href": _cmd_href,
    "texttt": _cmd_texttt,
    "verb": _cmd_verb,
    "ensuremath": _cmd_ensuremath,
    "enquote": _cmd_enquote,
    "mkbibquote": _cmd_mkbibquote,
    "mkbibemph": _cmd_mkbibemph,
    "autocap": _cmd_autocap,
    "textcolor": _cmd_textcolor,
    "footnote": _cmd_footnote,
    "newline": _cmd_linebreak,
    "bibstring": _cmd_bibstring,
}


def _trim(inlines: list[Inline]) -> list[Inline]:
    """Drop leading and trailing spaces, as pandoc does for a paragraph."""
    start, end = 0, len(inlines)
    while start < end and isinstance(inlines[start], (Space, SoftBreak)):
        start += 1
    while end > start and isinstance(inlines[end - 1], (Space, SoftBreak)):
        end -= 1
    return inlines[start:end]


def _flatten_query(inlines: list[Inline]) -> list[Inline]:
    """Pandoc's ``query (:[])`` over several blocks: every element, nested ones again.

    Nested elements are copied so that later in-place transformations see each once.
    """
    out: list[Inline] = []
    for node in inlines:
        out.append(copy.deepcopy(node))
        kids = _children(node)
        if kids:
            out.extend(_flatten_query(kids))
    return out


def _adjust(inlines: list[Inline]) -> list[Inline]:
    """Pandoc's post-parse pass: soft breaks become spaces, ``\\bibstring`` resolves."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, SoftBreak):
            out.append(Space())
            continue
        if isinstance(node, Span) and node.attrs and node.attrs[0][0] == "bibstring":
            out.append(Str(resolve_key(node.attrs[0][1])))
            continue
        kids = _children(node)
        if kids is not None:
            node.children = _adjust(kids)
        out.append(node)
    return out


def parse_blocks(value: str) -> list[list[Inline]]:
    """A field value as pandoc's paragraphs (blank lines separate them)."""
    value = value.strip()
    if _PLAIN.fullmatch(value) and "--" not in value and not _BLANK_LINE.search(value):
        # Fast path for the common case: words and spaces only.
        return [_plain_words(value)] if value else []
    return [_adjust(p) for p in _Parser(value).paragraphs()]


# Text without any character the LaTeX reader treats specially.
_PLAIN = re.compile(r"[^\\{}$~%`'\"]*")
_BLANKS = re.compile(r"[ \t\r\n]+")


def _plain_words(value: str) -> list[Inline]:
    out: list[Inline] = []
    # Only ASCII blanks separate words; a no-break space is part of the text.
    for word in _BLANKS.split(value):
        if out:
            out.append(Space())
        out.append(Str(word))
    return out


def parse_latex(value: str) -> list[Inline]:
    """Read a BibTeX field value (outer delimiters removed) as pandoc's LaTeX reader does."""
    blocks = parse_blocks(value)
    if len(blocks) == 1:
        return blocks[0]
    # Several paragraphs: pandoc collects every inline element, nested ones again.
    out: list[Inline] = []
    for block in blocks:
        out.extend(_flatten_query(block))
    return out


# --------------------------------------------------------------------------- biblatex strings

# Biblatex's English localisation keys as pandoc resolves them (``key|text``; a bare key
# stands for itself). Pandoc uses them for undefined bare macros (``month = june``), the
# ``type`` field, words of ``series`` and ``\bibstring``; values probed from pandoc 3.9.
_BIBLATEX_STRINGS_DATA = (
    "bibliography|Bibliography;references|References;shorthands|List of Abbreviations;editor;"
    "editors;compiler;compilers;redactor;redactors;reviser;revisers;founder;founders;"
    "continuator|continued;continuators|continued;collaborator;collaborators;translator;"
    "translators;commentator;commentators;annotator;annotators;commentary;annotations;"
    "introduction;foreword;afterword;organizer;organizers;byorganizer|organized by;"
    "byauthor|by;byeditor|edited by;bycompiler|compiled by;byredactor|redacted by;"
    "byreviser|revised by;byreviewer|reviewed by;byfounder|founded by;"
    "bycontinuator|continued by;bycollaborator|in collaboration with;"
    "bytranslator|translated @lfromlang by;bycommentator|commented by;"
    "byannotator|annotated by;withcommentator|with a commentary by;"
    "withannotator|with annotations by;withintroduction|with an introduction by;"
    "withforeword|with a foreword by;withafterword|with an afterword by;and;andothers|et al.;"
    "andmore|et al.;volume;volumes;involumes|in;jourvol|volume;jourser|series;book;part;"
    "issue;newseries|new series;oldseries|old series;edition;reprint;reprintof|reprint of;"
    "reprintas|reprinted as;reprintfrom|reprinted from;reviewof|review of;"
    "translationof|translation of;translationas|translated as;"
    "translationfrom|translated from;origpubas|originally published as;"
    "origpubin|originally published in;astitle|as;bypublisher|by;nodate|no date;page;pages;"
    "column;columns;line;lines;verse;verses;section;sections;paragraph;paragraphs;"
    "pagetotal|page;pagetotals|pages;columntotal|column;columntotals|columns;linetotal|line;"
    "linetotals|lines;versetotal|verse;versetotals|verses;sectiontotal|section;"
    "sectiontotals|sections;paragraphtotal|paragraph;paragraphtotals|paragraphs;in;"
    "inseries|in;ofseries|of;number;chapter;bathesis|Bachelor’s thesis;"
    "mathesis|Master’s thesis;phdthesis|PhD thesis;candthesis|Candidate thesis;"
    "resreport|research report;techreport|technical report;software|computer software;"
    "datacd|CD-ROM;audiocd|audio CD;version;url|address;urlfrom|available from;"
    "urlseen|visited on;inpreparation|in preparation;submitted;forthcoming;inpress|in press;"
    "prepublished|pre-published;citedas|henceforth cited as;thiscite|especially;"
    "seenote|see note;quotedin|quoted in;idem;idemsm|idem;idemsf|eadem;idemsn|idem;"
    "idempm|eidem;idempf|eaedem;idempn|eadem;idempp|eidem;ibidem;opcit|op. cit.;"
    "loccit|loc. cit.;confer|cf.;sequens|sq.;sequentes|sqq.;passim;see;seealso|see also;"
    "backrefpage|cited on page;backrefpages|cited on pages;january|January;february|February;"
    "march|March;april|April;may|May;june|June;july|July;august|August;september|September;"
    "october|October;november|November;december|December;langamerican|American;"
    "langbrazilian|Brazilian;langbulgarian|Bulgarian;langcatalan|Catalan;"
    "langcroatian|Croatian;langczech|Czech;langdanish|Danish;langdutch|Dutch;"
    "langenglish|English;langestonian|Estonian;langfinnish|Finnish;langfrench|French;"
    "langgalician|Galician;langgerman|German;langgreek|Greek;langhungarian|Hungarian;"
    "langitalian|Italian;langjapanese|Japanese;langlatin|Latin;langlatvian|Latvian;"
    "langlithuanian|Lithuanian;langnorwegian|Norwegian;langpolish|Polish;"
    "langportuguese|Portuguese;langrussian|Russian;langserbian|Serbian;langslovak|Slovak;"
    "langslovene|Slovene;langspanish|Spanish;langswedish|Swedish;langturkish|Turkish;"
    "langukrainian|Ukrainian;fromamerican|from the American;frombrazilian|from the Brazilian;"
    "frombulgarian|from the Bulgarian;fromcatalan|from the Catalan;"
    "fromcroatian|from the Croatian;fromczech|from the Czech;fromdanish|from the Danish;"
    "fromdutch|from the Dutch;fromenglish|from the English;fromestonian|from the Estonian;"
    "fromfinnish|from the Finnish;fromfrench|from the French;fromgalician|from the Galician;"
    "fromgerman|from the German;fromgreek|from the Greek;fromhungarian|from the Hungarian;"
    "fromitalian|from the Italian;fromjapanese|from the Japanese;fromlatin|from the Latin;"
    "fromlatvian|from the Latvian;fromlithuanian|from the Lithuanian;"
    "fromnorwegian|from the Norwegian;frompolish|from the Polish;"
    "fromportuguese|from the Portuguese;fromrussian|from the Russian;"
    "fromserbian|from the Serbian;fromslovak|from the Slovak;fromslovene|from the Slovene;"
    "fromspanish|from the Spanish;fromswedish|from the Swedish;fromturkish|from the Turkish;"
    "fromukrainian|from the Ukrainian;countryde|Germany;countryeu|European Union;"
    "countryep|European Union;countryfr|France;countryuk|United Kingdom;"
    "countryus|United States of America;patent;patentde|German patent;"
    "patenteu|European patent;patentfr|French patent;patentuk|British patent;"
    "patentus|U.S. patent;patreq|patent request;patreqde|German patent request;"
    "patreqeu|European patent request;patreqfr|French patent request;"
    "patrequk|British patent request;patrequs|U.S. patent request;file;library;abstract;"
    "annotation|annotations;commonera|Common Era;beforecommonera|Before Common Era;"
    "annodomini|Anno Domini;beforechrist|Before Christ;circa;spring|Spring;summer|Summer;"
    "autumn|Autumn;winter|Winter;am|AM;pm|PM;"
)

BIBLATEX_STRINGS: dict[str, str] = {
    key: (text or key)
    for key, _, text in (item.partition("|") for item in "".join(_BIBLATEX_STRINGS_DATA).split(";"))
    if key
}


def resolve_key(key: str) -> str:
    """A biblatex localisation key (any case) → its English text; unknown keys unchanged."""
    return BIBLATEX_STRINGS.get(key.lower(), key)


# --------------------------------------------------------------------------- output


def stringify(inlines: Iterable[Inline]) -> str:
    """Plain text, as pandoc's ``stringify``: quotes become curly, notes and raw vanish."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Str):
            parts.append(node.text)
        elif isinstance(node, (Space, SoftBreak, LineBreak)):
            parts.append(" ")
        elif isinstance(node, (Code, Math)):
            parts.append(node.text)
        elif isinstance(node, Quoted):
            open_, close = ("“", "”") if node.double else ("‘", "’")
            parts.append(open_ + stringify(node.children) + close)
        elif isinstance(node, (Span, Styled, Link)):
            parts.append(stringify(node.children))
    return "".join(parts)


def _superscript(char: str) -> str | None:
    """Citeproc writes a lone superscript character (``²``) as ``<sup>2</sup>``."""
    decomposition = unicodedata.decomposition(char)
    if decomposition.startswith("<super> "):
        return chr(int(decomposition.split()[1], 16))
    return None


@dataclass(slots=True)
class _RenderContext:
    italics: bool = True
    bold: bool = True
    smallcaps: bool = True
    outer_quotes: bool = True
    exact: bool = False


NOCASE_OPEN = '<span class="nocase">'
# Characters that CSL-JSON markup would misread (a tag, a quotation, math); in exact
# CSL-JSON each is written alone in a nocase span, which reads back as the character.
LITERAL_CHARS = '<$"'
_LITERAL = {c: f"{NOCASE_OPEN}{c}</span>" for c in LITERAL_CHARS}
_LITERAL_RE = re.compile(f"[{re.escape(LITERAL_CHARS)}]")


def _literal_text(text: str) -> str:
    return _LITERAL_RE.sub(lambda m: _LITERAL[m.group()], text)


def to_csl(inlines: Iterable[Inline], nocase: bool = True, *, exact: bool = False) -> str:
    """CSL-JSON markup (``<i>``, ``<b>``, small caps, quotes), as pandoc writes it.

    With ``nocase`` (the default) case-protected spans are written as
    ``<span class="nocase">``; pandoc keeps them internally but its CSL-JSON writer
    drops the markup, so pass ``nocase=False`` for byte-identical pandoc output.

    Pandoc's writer is ambiguous in more ways: text "<u>" or "a "quoted" word" from the
    .bib file comes out as CSL markup (underline, a quotation), TeX math as its source
    between dollars (indistinguishable from literal dollars), code as plain text (open
    to case changes). Its citation processor, reading the .bib directly, has none of
    these problems. With ``exact`` (what :mod:`.bibtex` writes for our CSL processor)
    they are told apart, again with nocase spans, which pandoc's writer never emits:
    a literal ``<``, ``"`` or ``$`` is ``<span class="nocase"><</span>`` (and so on),
    code is a nocase span, and math is ``<span class="nocase">$x^2$</span>`` (``$$``
    for display math), which the processor renders as pandoc's HTML writer renders
    math (``csl/texmath.py``). Dropping the nocase spans gives pandoc's text back.
    """
    return _render(list(inlines), _RenderContext(exact=exact), nocase)


def _render(inlines: list[Inline], ctx: _RenderContext, nocase: bool) -> str:
    return "".join(_render_one(node, ctx, nocase) for node in inlines)


def _render_one(node: Inline, ctx: _RenderContext, nocase: bool) -> str:
    if isinstance(node, Str):
        if len(node.text) == 1 and (sup := _superscript(node.text)) is not None:
            return f"<sup>{sup}</sup>"
        if ctx.exact and nocase:
            return _literal_text(node.text)
        return node.text
    if isinstance(node, (Space, SoftBreak)):
        return " "
    if isinstance(node, LineBreak):
        return "\n"
    if isinstance(node, Code):
        if ctx.exact and nocase and node.text:
            return f"{NOCASE_OPEN}{_literal_text(node.text)}</span>"  # never case-changed
        return node.text
    if isinstance(node, Math):
        fence = "$$" if node.display else "$"
        if ctx.exact and nocase and node.text and "$" not in node.text:
            return f"{NOCASE_OPEN}{fence}{node.text}{fence}</span>"
        return fence + node.text + fence
    if isinstance(node, (Raw, Note)):
        return ""
    if isinstance(node, Link):
        return _render(node.children, ctx, nocase)
    if isinstance(node, Quoted):
        return _render_quoted(node, ctx, nocase)
    if isinstance(node, Styled):
        return _render_styled(node, ctx, nocase)
    assert isinstance(node, Span)
    inner = _render(node.children, ctx, nocase)
    if node.classes == ("nocase",) and nocase:
        return f'<span class="nocase">{inner}</span>'
    return inner


def _render_quoted(node: Quoted, ctx: _RenderContext, nocase: bool) -> str:
    # Citeproc alternates outer “…” and inner ‘…’ by nesting, whatever the TeX quote was.
    open_, close = ("“", "”") if ctx.outer_quotes else ("‘", "’")
    ctx.outer_quotes = not ctx.outer_quotes
    inner = _render(node.children, ctx, nocase)
    ctx.outer_quotes = not ctx.outer_quotes
    return open_ + inner + close


_FLIP = {
    "emph": ("italics", "<i>", "</i>", '<span style="font-style:normal;">'),
    "strong": ("bold", "<b>", "</b>", '<span style="font-weight:normal;">'),
    "smallcaps": (
        "smallcaps",
        '<span style="font-variant:small-caps;">',
        "</span>",
        '<span style="font-variant:normal;">',
    ),
}
_PLAIN_TAGS = {"underline": "u", "superscript": "sup", "subscript": "sub"}


def _render_styled(node: Styled, ctx: _RenderContext, nocase: bool) -> str:
    if node.style == "strikeout":
        return _render(node.children, ctx, nocase)
    if node.style in _PLAIN_TAGS:
        tag = _PLAIN_TAGS[node.style]
        return f"<{tag}>{_render(node.children, ctx, nocase)}</{tag}>"
    attr, open_tag, close_tag, normal_tag = _FLIP[node.style]
    # Nested italics (bold, small caps) flip back to normal, as in citeproc.
    on = getattr(ctx, attr)
    setattr(ctx, attr, not on)
    inner = _render(node.children, ctx, nocase)
    setattr(ctx, attr, on)
    return f"{open_tag}{inner}{close_tag}" if on else f"{normal_tag}{inner}</span>"


def decode_latex(value: str, *, title: bool = False) -> str:
    """A BibTeX field value → CSL-JSON text, pandoc-compatible.

    ``title=True`` applies pandoc's title treatment (:func:`sentence_case`), which is
    what marks brace-protected words as ``<span class="nocase">``.
    """
    inlines = parse_latex(value)
    if title:
        inlines = sentence_case(inlines)
    return to_csl(inlines)


# --------------------------------------------------------------------------- helpers


def map_text(inlines: list[Inline], fn: Callable[[str], str]) -> list[Inline]:
    """Apply ``fn`` to every text run, at any depth."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Str):
            out.append(Str(fn(node.text)))
            continue
        kids = _children(node)
        if kids is not None:
            node.children = map_text(kids, fn)
        out.append(node)
    return out


def split_str_when(inlines: list[Inline], pred: Callable[[str], bool]) -> list[Inline]:
    """Split top-level text runs so that each character matching ``pred`` stands alone."""
    out: list[Inline] = []
    for node in inlines:
        if not isinstance(node, Str):
            out.append(node)
            continue
        current = ""
        for char in node.text:
            if pred(char):
                if current:
                    out.append(Str(current))
                out.append(Str(char))
                current = ""
            else:
                current += char
        if current:
            out.append(Str(current))
    return out


def is_upper(char: str) -> bool:
    """Haskell's ``isUpper``: upper- or title-case letters."""
    return char.isupper() or unicodedata.category(char) == "Lt"


def is_lower(char: str) -> bool:
    return char.islower()


def is_alnum(char: str) -> bool:
    """Haskell's ``isAlphaNum``: letters and numbers by general category."""
    if char.isascii():
        return char.isalnum()
    return unicodedata.category(char)[0] in "LN"


def is_space(char: str) -> bool:
    """Haskell's ``isSpace`` (includes the no-break space)."""
    return char in " \t\n\r\f\v\xa0" or unicodedata.category(char) == "Zs"


def is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


# --------------------------------------------------------------------------- casing

_START, _START_SENTENCE, _AFTER_WORD_END, _AFTER_WORD_CHAR = range(4)
_AFTER_SENTENCE_PUNCT, _BEFORE_LAST_WORD = range(4, 6)
_WORD_BREAKS = frozenset("-/\u2013\u2014")
_NO_DESCENT = frozenset({"smallcaps", "superscript", "subscript"})


def _is_word_break(char: str) -> bool:
    return char in _WORD_BREAKS or is_space(char)


def _char_class(char: str) -> int:
    """Chunk classes for citeproc's ``splitUp``; 0 never groups with anything."""
    if is_alnum(char):
        return 1
    if is_space(char):
        return 2
    return 3 if is_punctuation(char) else 0


def _split_up(text: str) -> list[str]:
    """Runs of alphanumerics, of spaces or of punctuation; anything else alone.

    Grouping punctuation matters: in "al., Eds." the chunk ".," ends in a comma, so
    "Eds" does not start a sentence (pandoc 3.9 lowercases it).
    """
    chunks: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text):
            chunks.append(text[start:])
            break
        cls = _char_class(text[start])
        if cls == 0 or _char_class(text[i]) != cls:
            chunks.append(text[start:i])
            start = i
    return chunks


def _deep_text(node: Inline) -> str:
    """Concatenated text runs inside ``node`` (citeproc's ``query fromStr``)."""
    if isinstance(node, Str):
        return node.text
    kids = _children(node)
    return "".join(_deep_text(k) for k in kids) if kids else ""


def _is_capitalized(chunk: str) -> bool:
    return is_upper(chunk[0]) and all(is_lower(c) for c in chunk[1:])


def _sentence_chunk(state: int, chunk: str) -> str:
    """Citeproc's ``withSentenceCase`` for one word chunk."""
    at_start = state in (_START, _START_SENTENCE)
    if _is_capitalized(chunk) and not at_start:
        return chunk.lower()
    if at_start and (_is_capitalized(chunk) or all(is_lower(c) for c in chunk)):
        lowered = chunk.lower()
        return lowered[:1].upper() + lowered[1:]
    return chunk


class _CaseTransformer:
    """Citeproc's case-transform walk (state machine over word chunks)."""

    def __init__(self, fn: Callable[[int, str], str]) -> None:
        self.fn = fn
        self.state = _START

    def feed(self, text: str) -> str:
        before = self.state
        if text:
            last = text[-1]
            if last in ".?!:":
                self.state = _AFTER_SENTENCE_PUNCT
            elif is_alnum(last):
                self.state = _AFTER_WORD_CHAR
            elif is_space(last) and before == _AFTER_SENTENCE_PUNCT:
                self.state = _START_SENTENCE
            elif _is_word_break(last):
                self.state = _AFTER_WORD_END
            # Other punctuation ("<", "&") leaves the state alone (pandoc 3.9's citeproc).
        if text and all(is_alnum(c) for c in text):  # "" from a span holding only math
            return self.fn(before, text)
        return text

    def top(self, inlines: list[Inline]) -> list[Inline]:
        last = inlines[-1] if inlines else None
        if (
            len(inlines) > 1
            and isinstance(last, Str)
            and not any(_is_word_break(c) for c in last.text)
        ):
            # The last word gets its own state, as citeproc does (title case needs it).
            head = [self.node(n) for n in inlines[:-1]]
            if self.state in (_AFTER_WORD_END, _START_SENTENCE, _START):
                self.state = _BEFORE_LAST_WORD
            return [*head, self.node(last)]
        return [self.node(n) for n in inlines]

    def node(self, node: Inline) -> Inline:
        if isinstance(node, Str):
            return Str("".join(self.feed(c) for c in _split_up(node.text)))
        if isinstance(node, Space):
            self.feed(" ")
            return node
        if isinstance(node, Styled) and node.style in _NO_DESCENT:
            self.feed(_deep_text(node))
            return node
        if isinstance(node, Span) and "nocase" in node.classes:
            result = node
            if self.state == _AFTER_WORD_CHAR and node.classes == ("nocase",):
                # Protection inside a word ("M{\"u}ller") is dropped, as citeproc does.
                result = Span(node.children)
            self.feed(_deep_text(node))
            return result
        kids = _children(node)
        if kids is not None and not isinstance(node, Note):
            node.children = [self.node(k) for k in kids]
        return node


def _walk_spans(inlines: list[Inline], fn: Callable[[Span], Span]) -> list[Inline]:
    out: list[Inline] = []
    for node in inlines:
        kids = _children(node)
        if kids is not None:
            node.children = _walk_spans(kids, fn)
        out.append(fn(node) if isinstance(node, Span) else node)
    return out


def _protect(span: Span) -> Span:
    if not span.classes and not span.attrs:
        return Span(span.children, ("nocase",))
    return span


def _has_lowercase_word(children: list[Inline]) -> bool:
    for node in children:
        if isinstance(node, Str):
            text = node.text
            for i, char in enumerate(text):
                if is_lower(char) and (i == 0 or is_punctuation(text[i - 1])):
                    return True
    return False


def _unprotect(span: Span) -> Span:
    # Keep "nocase" only where case would otherwise change (a word starting lowercase).
    if span.classes == ("nocase",) and not span.attrs and not _has_lowercase_word(span.children):
        return Span(span.children)
    return span


def sentence_case(inlines: list[Inline]) -> list[Inline]:
    """Pandoc's title treatment for English BibTeX: sentence case, braces protect.

    Every brace group is protected while the text is converted; afterwards only
    groups containing a word that starts lowercase keep class ``nocase`` (the others
    need no protection from a later title-casing). Modifies and returns ``inlines``.
    """
    protected = _walk_spans(inlines, _protect)
    cased = _CaseTransformer(_sentence_chunk).top(protected)
    return _walk_spans(cased, _unprotect)
