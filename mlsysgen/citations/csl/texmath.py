"""Inline TeX math from a bibliography field, rendered as pandoc's HTML writer does.

Pandoc's default HTML math (no MathJax) converts TeX with texmath into plain inlines:
variables in italics, numbers and brackets as text, scripts as ``<sup>``/``<sub>``,
binary operators spaced between operands ("``a − b``", but "``−1``"). Book titles
contain little math (``$4$-manifolds``, ``$\\{$Low-Latency$\\}$``, ``$O(n \\log n)$``),
so only that well-understood subset is converted; anything else returns ``None`` and
is shown as its TeX source between dollars — which is also what pandoc shows when
texmath cannot convert a formula.
"""

from __future__ import annotations

import re

from .inline import SPACE, Elem, Inlines, Str, text

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ",
}  # fmt: skip
_SYMBOLS = {"infty": "∞", "{": "{", "}": "}", "%": "%"}
_FUNCTIONS = frozenset({"log", "ln", "exp", "sin", "cos", "tan"})
_BINARY = {"+": "+", "-": "\u2212", "times": "×", "cdot": "⋅"}
_FENCES = frozenset("()[]|/")
_TOKEN = re.compile(r"\\([A-Za-z]+|[^A-Za-z])|([0-9.]+)|(\s+)|(.)", re.S)

# An atom: ("ord" | "bin" | "punct" | "fun", inlines)
Atom = tuple[str, Inlines]


class _Unsupported(Exception):
    pass


def tex_to_inlines(tex: str) -> Inlines | None:
    """Inlines for an inline formula, or ``None`` outside the supported subset."""
    try:
        tokens = [m for m in _TOKEN.finditer(tex) if not m.group(3)]
        atoms, pos = _sequence(tokens, 0)
        if pos != len(tokens) or not atoms:
            return None
        return _layout(atoms)
    except _Unsupported:
        return None


def _sequence(tokens: list[re.Match[str]], pos: int) -> tuple[list[Atom], int]:
    """Atoms up to the end or a closing brace (not consumed)."""
    atoms: list[Atom] = []
    while pos < len(tokens):
        tok = tokens[pos]
        if tok.group(4) == "}":
            break
        if tok.group(4) in ("^", "_"):
            if not atoms or atoms[-1][0] != "ord":
                raise _Unsupported
            pos = _scripts(tokens, pos, atoms)
            continue
        atom, pos = _atom(tokens, pos)
        atoms.append(atom)
    return atoms, pos


def _atom(tokens: list[re.Match[str]], pos: int) -> tuple[Atom, int]:
    tok = tokens[pos]
    command, number, _, char = tok.groups()
    if number is not None:
        return ("ord", [Str(number)]), pos + 1
    if command is not None:
        return _command(tokens, command, pos + 1)
    if char.isascii() and char.isalpha():
        return ("ord", [Elem("emph", [Str(char)])]), pos + 1
    if char in _FENCES:
        return ("ord", [Str(char)]), pos + 1
    if char in "+-":
        return ("bin", [Str(_BINARY[char])]), pos + 1
    if char == ",":
        return ("punct", [Str(",")]), pos + 1
    if char == "{":
        inner, end = _sequence(tokens, pos + 1)
        if end >= len(tokens) or not inner:
            raise _Unsupported
        if len(inner) == 1:
            return inner[0], end + 1
        return ("ord", _layout(inner)), end + 1
    raise _Unsupported


def _command(tokens: list[re.Match[str]], name: str, pos: int) -> tuple[Atom, int]:
    if name in _GREEK:
        return ("ord", [Elem("emph", [Str(_GREEK[name])])]), pos
    if name in _SYMBOLS:
        return ("ord", [Str(_SYMBOLS[name])]), pos
    if name in _FUNCTIONS:
        return ("fun", [Str(name), SPACE]), pos
    if name in _BINARY:
        return ("bin", [Str(_BINARY[name])]), pos
    if name in ("text", "textrm", "mathrm"):
        words, pos = _raw_group(tokens, pos)
        if name == "mathrm":
            return ("ord", [Str(words.replace(" ", ""))]), pos
        return ("ord", text(words)), pos
    raise _Unsupported


def _raw_group(tokens: list[re.Match[str]], pos: int) -> tuple[str, int]:
    """``{letters and digits}`` as written (spaces kept)."""
    if pos >= len(tokens) or tokens[pos].group(4) != "{":
        raise _Unsupported
    start = tokens[pos].end()
    pos += 1
    while pos < len(tokens) and tokens[pos].group(4) != "}":
        tok = tokens[pos]
        if tok.group(1) is not None or not (tok.group(2) or tok.group(4).isalnum()):
            raise _Unsupported
        pos += 1
    if pos >= len(tokens):
        raise _Unsupported
    words = tokens[pos].string[start : tokens[pos].start()].strip()
    if not words or "  " in words:
        raise _Unsupported
    return words, pos + 1


def _scripts(tokens: list[re.Match[str]], pos: int, atoms: list[Atom]) -> int:
    """Attach ``_x`` and/or ``^y`` to the last atom (texmath writes the subscript first)."""
    scripts: dict[str, Inlines] = {}
    while pos < len(tokens) and tokens[pos].group(4) in ("^", "_") and len(scripts) < 2:
        mark = tokens[pos].group(4)
        if mark in scripts or pos + 1 >= len(tokens):
            raise _Unsupported
        arg = tokens[pos + 1]
        if arg.group(2) is not None:  # ^23 is a superscript 2 followed by 3
            digits = arg.group(2)
            if len(digits) > 1:
                raise _Unsupported
            inl, pos = [Str(digits)], pos + 2
        else:
            atom, pos = _atom(tokens, pos + 1)
            if atom[0] == "fun":
                raise _Unsupported
            inl = _layout([atom]) if atom[0] != "bin" else atom[1]
        scripts[mark] = inl
    kind, base = atoms[-1]
    out = list(base)
    if "_" in scripts:
        out.append(Elem("sub", scripts["_"]))
    if "^" in scripts:
        out.append(Elem("sup", scripts["^"]))
    atoms[-1] = (kind, out)
    return pos


def _layout(atoms: list[Atom]) -> Inlines:
    """Join atoms: binary operators spaced between two operands, commas followed by a space."""
    parts: list[Inlines] = []
    for i, (kind, inl) in enumerate(atoms):
        if kind == "bin":
            between = 0 < i < len(atoms) - 1 and atoms[i - 1][0] in ("ord", "fun")
            parts.append([SPACE, *inl, SPACE] if between else inl)
        elif kind == "punct":
            if i == len(atoms) - 1:
                raise _Unsupported
            parts.append([*inl, SPACE])
        else:
            parts.append(inl)
    # Not ``mconcat``: texmath writes each variable in its own emphasis (<em>x</em><em>y</em>).
    out: Inlines = []
    for part in parts:
        for node in part:
            if out and isinstance(node, Str) and isinstance(out[-1], Str):
                out[-1] = Str(out[-1].text + node.text)
            elif not (node is SPACE and out and out[-1] is SPACE):
                out.append(node)
    return out


__all__ = ["tex_to_inlines"]
