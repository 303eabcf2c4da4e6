"""Build-time syntax highlighting with Pygments (no JavaScript highlighter)."""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)
_ALIASES = {"ba": "bash", "shell": "bash", "py": "python", "js": "javascript"}


@lru_cache(maxsize=4096)
def highlight_code(code: str, lang: str) -> str:
    """HTML for ``code`` with Pygments token spans; plain escaped text for unknown languages."""
    name = _ALIASES.get(lang.lower(), lang.lower())
    if not name:
        return html.escape(code)
    try:
        lexer = get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return html.escape(code)
    return highlight(code, lexer, _FORMATTER)


def code_block_html(code: str, lang: str, copy_button: bool, attrs: str = "") -> str:
    """The code-block markup the theme styles: header with language and copy button."""
    label = f'<span class="code-lang">{html.escape(lang)}</span>' if lang else ""
    button = (
        '<button type="button" class="code-copy" aria-label="Copy code">Copy</button>'
        if copy_button
        else ""
    )
    header = f'<div class="code-header">{label}{button}</div>' if (label or button) else ""
    data = f' data-lang="{html.escape(lang, quote=True)}"' if lang else ""
    body = highlight_code(code.rstrip("\n") + "\n", lang)
    return f'<div class="code-block"{data}{attrs}>{header}<pre class="highlight"><code>{body}</code></pre></div>\n'
