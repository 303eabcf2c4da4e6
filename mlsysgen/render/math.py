"""TeX → MathML at build time with latex2mathml, so pages need no math JavaScript;
for print, that MathML → SVG with ziamath (WeasyPrint cannot draw MathML).

latex2mathml gets a few things wrong that textbooks use, so the TeX is rewritten
before conversion and the MathML repaired after it:

- ``gather*``/``gather``/``gathered``/``multline`` become a centred ``array`` of
  display-style rows (latex2mathml would join the rows with a line break no browser
  draws); ``aligned`` becomes ``split`` (same columns; latex2mathml treats ``&`` in
  ``aligned`` as a letter); ``align`` becomes ``align*`` (the book numbers equations by
  label, not per row); ``equation``/``equation*`` wrappers and ``\\label{…}`` go.
- ``\\_ \\% \\& \\$ \\#`` inside ``\\text{…}`` become the plain characters, and the
  text is escaped afterwards (latex2mathml writes ``&`` and ``<`` in ``<mtext>`` raw).
- ``\\Vert`` and ``\\sim`` map to commands that give operators, arrows and ``±`` come
  out as ``<mo>`` rather than ``<mi>``, a single ``\\mathrm`` letter stays upright, and
  named negative spaces get lengths browsers understand.

Anything latex2mathml rejects or renders as a literal command, unbalanced braces and
malformed MathML raise :class:`MathError` so the caller can report ``path:line``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import xml.etree.ElementTree as ET

__all__ = ["MathError", "render_math_html", "to_mathml", "to_svg"]


class MathError(Exception):
    """TeX that cannot be turned into MathML."""

    def __init__(self, tex: str, reason: str) -> None:
        super().__init__(f"{reason} in ${_short(tex)}$")
        self.tex = tex
        self.reason = reason


def _short(tex: str, limit: int = 60) -> str:
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_math_html(tex: str, display: bool, number: str | None = None, fmt: str = "html") -> str:
    """Inline math as a bare ``<math>``; display math in a ``div`` with its number.

    For ``fmt == "pdf"`` the formula is an SVG (see :func:`to_svg`) followed by its TeX
    in a ``span.math-text`` that print CSS makes invisible: the PDF's text layer then
    carries the formula, so it can be searched and copied.
    """
    if fmt == "pdf":
        body = to_svg(tex, display) + f'<span class="math-text">{html.escape(tex)}</span>'
        if not display:
            return f'<span class="math inline">{body}</span>'
    else:
        body = to_mathml(tex, display)
        if not display:
            return body
    tag = f'<span class="eq-number">({html.escape(number)})</span>' if number else ""
    return f'<div class="math display">{body}{tag}</div>'


@functools.lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool) -> str:
    """``<math display="block|inline" alttext="TeX">…</math>``; raises :class:`MathError`."""
    _check_braces(tex)
    source = _prepare(tex)
    try:
        from latex2mathml.converter import convert  # 30 ms to import: when math is met

        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many bare exception types
        raise MathError(tex, _reason(exc)) from None
    mathml = _repair(mathml)
    _validate(tex, mathml)
    alt = html.escape(tex, quote=True)
    return mathml.replace("<math ", f'<math alttext="{alt}" ', 1)


# --- before conversion ------------------------------------------------------------------

_ROWS_ENVS = ("gather*", "gather", "gathered", "multline*", "multline")
_SUPPORTED_ENVS = frozenset(
    ["matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "array"]
    + [f"{m}*" for m in ("matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix")]
    + ["cases", "split", "align*", "substack", "subarray"]
)
_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textbf|textit|texttt|textsf|mbox)\s*\{")
_TEXT_ESCAPES = {"\\_": "_", "\\%": "%", "\\&": "&", "\\$": "$", "\\#": "#"}
_RENAMES = (
    (re.compile(r"\\(begin|end)\{aligned\}"), r"\\\1{split}"),
    (re.compile(r"\\(begin|end)\{align\}"), r"\\\1{align*}"),
    (re.compile(r"\\(?:begin|end)\{equation\*?\}"), ""),
    (re.compile(r"\\label\{[^{}]*\}"), ""),
    (re.compile(r"\\Vert(?![A-Za-z])"), r"\\|"),
    (re.compile(r"\\sim(?![A-Za-z])"), r"\\thicksim"),
    (re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}"),
)


def _check_braces(tex: str) -> None:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", tex, re.DOTALL):
        token = match[0]
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise MathError(tex, "unbalanced braces: '}' without '{'")
    if depth:
        raise MathError(tex, "unbalanced braces: '{' never closed")


def _prepare(tex: str) -> str:
    for pattern, replacement in _RENAMES:
        tex = pattern.sub(replacement, tex)
    tex = _rows_to_array(tex)
    unknown = {m for m in re.findall(r"\\begin\{([^{}]*)\}", tex) if m not in _SUPPORTED_ENVS}
    if unknown:
        raise MathError(tex, f"unsupported environment {{{sorted(unknown)[0]}}}")
    return _unescape_text(tex)


def _rows_to_array(tex: str) -> str:
    """``\\begin{gather*} a \\\\ b \\end{gather*}`` → a centred array of display rows."""
    match = re.search(r"\\begin\{(" + "|".join(re.escape(e) for e in _ROWS_ENVS) + r")\}", tex)
    if match is None:
        return tex
    end = _matching_end(tex, match.end(), match[1])
    if end is None:
        return tex  # latex2mathml reports the missing \end
    body = _rows_to_array(tex[match.end() : end.start()])
    rows = [row.strip() for row in _split_rows(body)]
    cells = r" \\ ".join(r"{\displaystyle " + row + "}" for row in rows if row)
    array = r"\begin{array}{c} " + cells + r" \end{array}"
    return tex[: match.start()] + array + _rows_to_array(tex[end.end() :])


def _matching_end(tex: str, pos: int, env: str) -> re.Match[str] | None:
    depth = 1
    for match in re.compile(r"\\(begin|end)\{" + re.escape(env) + r"\}").finditer(tex, pos):
        depth += 1 if match[1] == "begin" else -1
        if depth == 0:
            return match
    return None


_ROW_TOKEN = re.compile(r"\\\\|\\(?:begin|end)\{[^{}]*\}|\\.|[{}]", re.DOTALL)


def _split_rows(body: str) -> list[str]:
    """Split at ``\\\\`` that is not inside braces or a nested environment."""
    rows, start, depth = [], 0, 0
    for match in _ROW_TOKEN.finditer(body):
        token = match[0]
        if token == "{" or token.startswith("\\begin"):
            depth += 1
        elif token == "}" or token.startswith("\\end"):
            depth -= 1
        elif token == "\\\\" and depth == 0:
            rows.append(body[start : match.start()])
            start = match.end()
    rows.append(body[start:])
    return rows


def _unescape_text(tex: str) -> str:
    """Inside ``\\text{…}`` TeX escapes stand for plain characters."""
    out, pos = [], 0
    for match in _TEXT_COMMAND.finditer(tex):
        if match.start() < pos:
            continue
        close = _closing_brace(tex, match.end() - 1)
        if close is None:
            continue
        inner = tex[match.end() : close]
        for escaped, plain in _TEXT_ESCAPES.items():
            inner = inner.replace(escaped, plain)
        out.append(tex[pos : match.end()] + inner)
        pos = close
    out.append(tex[pos:])
    return "".join(out)


def _closing_brace(tex: str, pos: int) -> int | None:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", tex[pos:], re.DOTALL):
        if match[0] == "{":
            depth += 1
        elif match[0] == "}":
            depth -= 1
            if depth == 0:
                return pos + match.start()
    return None


def _reason(exc: Exception) -> str:
    reasons = {
        "NoAvailableTokensError": "a command is missing its argument",
        "MissingSuperScriptOrSubscriptError": "'^' or '_' has nothing after it",
        "ExtraLeftOrMissingRightError": r"\left without \right (or the reverse)",
        "MissingEndError": r"\begin{…} without its \end{…}",
        "DenominatorNotFoundError": r"\frac is missing its denominator",
        "NumeratorNotFoundError": r"\frac is missing its numerator",
        "DoubleSuperscriptsError": "double superscript",
        "DoubleSubscriptsError": "double subscript",
        "InvalidAlignmentError": "invalid column alignment",
        "InvalidStyleForGenfracError": r"invalid \genfrac style",
        "InvalidWidthError": "invalid width",
    }
    name = type(exc).__name__
    detail = str(exc).strip()
    reason = reasons.get(name, f"latex2mathml failed ({name})")
    return f"{reason}: {detail}" if detail else reason


# --- after conversion -------------------------------------------------------------------

_NAMED_SPACES = {
    "negativethinmathspace": "-0.167em",
    "negativemediummathspace": "-0.222em",
    "negativethickmathspace": "-0.278em",
    "thinmathspace": "0.167em",
    "mediummathspace": "0.222em",
    "thickmathspace": "0.278em",
}
_NAMED_SPACE = re.compile(r'width="(' + "|".join(_NAMED_SPACES) + ')"')
_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.DOTALL)
_BARE_AMP = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)")
_ENTITY_MI = re.compile(r"<mi>&#x([0-9A-Fa-f]+);</mi>")
# Code points latex2mathml emits as <mi> that are operators: ± ∓ ‖ and the arrows.
_OPERATOR_RANGES = (
    (0x00B1, 0x00B1),
    (0x2213, 0x2213),
    (0x2016, 0x2016),
    (0x2190, 0x21FF),
    (0x27F0, 0x27FF),
    (0x2900, 0x297F),
)


# \big, \Bigl … write the delimiter command itself into <mo>.
_SIZED_DELIMITERS = {
    "\\{": "{",
    "\\}": "}",
    "\\lbrace": "{",
    "\\rbrace": "}",
    "\\|": "\u2016",
    "\\Vert": "\u2016",
    "\\lVert": "\u2016",
    "\\rVert": "\u2016",
    "\\vert": "|",
    "\\lvert": "|",
    "\\rvert": "|",
    "\\langle": "\u27e8",
    "\\rangle": "\u27e9",
    "\\lfloor": "\u230a",
    "\\rfloor": "\u230b",
    "\\lceil": "\u2308",
    "\\rceil": "\u2309",
    "\\backslash": "\\",
}
_SIZED_MO = re.compile(r"(<mo [^>]*maxsize=[^>]*>)(\\[A-Za-z]+|\\.|\.)</mo>")


def _sized_delimiter(match: re.Match[str]) -> str:
    if match[2] == ".":
        return match[1] + "</mo>"  # \big. is an invisible delimiter
    return match[1] + html.escape(_SIZED_DELIMITERS.get(match[2], match[2])) + "</mo>"


def _repair(mathml: str) -> str:
    mathml = _SIZED_MO.sub(_sized_delimiter, mathml)
    mathml = _NAMED_SPACE.sub(lambda m: f'width="{_NAMED_SPACES[m[1]]}"', mathml)
    mathml = _MTEXT.sub(lambda m: m[1] + _escape_text(m[2]) + m[3], mathml)
    return _ENTITY_MI.sub(_fix_mi, mathml)


def _escape_text(text: str) -> str:
    return _BARE_AMP.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def _fix_mi(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    if any(low <= code <= high for low, high in _OPERATOR_RANGES):
        return f"<mo>&#x{match[1]};</mo>"
    if code < 0x80 and chr(code).isalpha():
        # \mathrm{d}: latex2mathml drops mathvariant for one letter, which would be italic.
        return f'<mi mathvariant="normal">{chr(code)}</mi>'
    return match[0]


_ARITY = {
    "mfrac": 2,
    "msub": 2,
    "msup": 2,
    "msubsup": 3,
    "mroot": 2,
    "mover": 2,
    "munder": 2,
    "munderover": 3,
}
_TOKEN_TAGS = ("mi", "mo", "mn")


def _validate(tex: str, mathml: str) -> None:
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        if _BARE_AMP.search(_MTEXT.sub("", mathml)):
            raise MathError(tex, "'&' outside an alignment environment") from None
        raise MathError(tex, "latex2mathml produced malformed MathML") from None
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        text = element.text or ""
        if tag in _TOKEN_TAGS and text.startswith("\\") and len(text) > 1:
            raise MathError(tex, f"unknown command {text.split('{')[0]}")
        wanted = _ARITY.get(tag)
        if wanted is not None and len(element) != wanted:
            raise MathError(tex, f"<{tag}> got {len(element)} arguments, needs {wanted}")


# --- SVG for print ------------------------------------------------------------------------

_SVG_UNITS_PER_EM = 10.0
"""ziamath's font size: the SVG's user units per em of the surrounding text."""
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')
_SIZE_ATTR = re.compile(r'\s(?:width|height)="[^"]*"')
_ID_REF = re.compile(r'\b(id="|href="#|url\(#)([^"\)]+)')


@functools.lru_cache(maxsize=4096)
def to_svg(tex: str, display: bool) -> str:
    """``<svg role="img" aria-label="TeX">`` drawn by ziamath from :func:`to_mathml`'s
    MathML, sized in ``em`` and shifted down by its depth so its baseline sits on the
    text's; raises :class:`MathError`."""
    svg = _draw(to_mathml(tex, display), tex)
    root = _SVG_ROOT.search(svg)
    box = _VIEWBOX.search(root[0]) if root else None
    if root is None or box is None:
        raise MathError(tex, "ziamath produced an SVG without a viewBox")
    _, top, width, height = (float(v) / _SVG_UNITS_PER_EM for v in box[1].split())
    depth = top + height
    attrs = (
        f' width="{width:.3f}em" height="{height:.3f}em"'
        f' style="vertical-align: {-depth:.3f}em" class="math-svg"'
        f' role="img" aria-label="{html.escape(tex, quote=True)}"'
    )
    opening = _SIZE_ATTR.sub("", root[0])[:-1] + attrs + ">"
    svg = svg[: root.start()] + opening + svg[root.end() :]
    return _unique_ids(svg, tex)


def _draw(mathml: str, tex: str) -> str:
    try:
        import ziamath
    except ImportError:
        raise MathError(tex, "math for print needs ziamath: pip install 'mlsysgen[pdf]'") from None
    previous = ziamath.config.svg2
    # SVG 1.1 draws every glyph as its own <path>: SVG 2 shares glyphs through <symbol>
    # ids, which collide when a formula appears twice in one document.
    ziamath.config.svg2 = False
    try:
        return str(ziamath.Math(mathml, size=_SVG_UNITS_PER_EM, margin=0).svg())
    except Exception as exc:  # ziamath raises many bare exception types
        raise MathError(tex, f"ziamath failed ({type(exc).__name__}: {exc})") from None
    finally:
        ziamath.config.svg2 = previous


def _unique_ids(svg: str, tex: str) -> str:
    """Prefix any ids (and references to them) with a hash of the TeX, so formulas never
    share an id (ziamath names glyphs by font and glyph number)."""
    if "id=" not in svg:
        return svg
    prefix = "m" + hashlib.sha1(tex.encode()).hexdigest()[:8] + "-"
    return _ID_REF.sub(lambda m: m[1] + prefix + m[2], svg)
