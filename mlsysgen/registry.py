"""Extension points, explicit and few: syntax plugins, transforms, render rules,
writers and theme assets. A plugin is a module with ``register(registry)``.

The core registers itself through the same calls (see :func:`core_registry`), so the
order of every pass can be read in one place.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .parse.markdown import SyntaxPlugin
from .transforms.base import FunctionTransform, Scope, Transform

if TYPE_CHECKING:
    from .writers.base import Writer


@dataclass
class Registry:
    """Everything a build uses that a plugin may add to."""

    syntax: list[SyntaxPlugin] = field(default_factory=list)
    transforms: list[Transform] = field(default_factory=list)
    render_rules: dict[str, Callable[..., str]] = field(default_factory=dict)
    writers: dict[str, Writer] = field(default_factory=dict)
    xref_kinds: list[str] = field(default_factory=list)
    theme_assets: list[ThemeAssets] = field(default_factory=list)
    run_keys: list[Callable[[], object]] = field(default_factory=list)

    def add_theme_assets(
        self, folder: Path, styles: Sequence[str] = (), scripts: Sequence[str] = ()
    ) -> None:
        """Copy ``folder`` into the site's ``static/`` (before the project's own files, so a
        book can override them) and link ``styles``/``scripts`` (paths inside ``static/``)
        from every HTML page."""
        self.theme_assets.append(ThemeAssets(folder, tuple(styles), tuple(scripts)))

    def add_syntax(self, plugin: SyntaxPlugin) -> None:
        self.syntax.append(plugin)

    def add_transform(
        self, name: str, priority: int, fn: Callable[..., None], scope: Scope | None = None
    ) -> None:
        """Add a pass. ``scope`` (see :class:`~mlsysgen.transforms.base.Transform`) defaults
        to ``chapter`` below priority 80, where the project-wide index is built, and to
        ``book`` from there on."""
        self.transforms.append(
            FunctionTransform(name, priority, fn, scope or ("chapter" if priority < 80 else "book"))
        )

    def add_run_key(self, key: Callable[[], object]) -> None:
        """Declare something besides files that chapter passes depend on (a runtime's
        version, a tool's presence): ``key()`` is taken once per build, and a chapter's
        kept result is made again when it changes."""
        self.run_keys.append(key)

    def add_render_rule(self, token_type: str, rule: Callable[..., str]) -> None:
        self.render_rules[token_type] = rule

    def add_writer(self, writer: Writer) -> None:
        self.writers[writer.name] = writer

    def add_lazy_writer(self, name: str, target: str) -> None:
        """Register ``module:Class``, imported only when that format is built (WeasyPrint
        and ebooklib are slow to import and not needed for HTML)."""
        self.writers[name] = LazyWriter(name, target)

    def load_plugin(self, name: str) -> None:
        try:
            module: Any = importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(
                f"plugin '{name}' cannot be imported: {exc}; check the 'plugins' list"
            ) from exc
        register = getattr(module, "register", None)
        if register is None:
            raise ConfigError(f"plugin '{name}' has no register(registry) function")
        register(self)


@dataclass(frozen=True)
class ThemeAssets:
    """Static files a plugin ships with the HTML site."""

    folder: Path
    styles: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()


@dataclass
class LazyWriter:
    """A writer imported on first use."""

    name: str
    target: str

    def prepare(self) -> None:
        """The writer's own ``prepare()``, if it has one (see ``writers.base.Writer``);
        a writer that cannot be loaded says so when it is used."""
        with contextlib.suppress(ConfigError):
            prepare = getattr(self._writer(), "prepare", None)
            if prepare is not None:
                prepare()

    def write(self, book: Any, ctx: Any, out: Any) -> int:
        return self._writer().write(book, ctx, out)

    def _writer(self) -> Writer:
        module_name, _, class_name = self.target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(
                f"the {self.name} writer cannot be loaded ({exc}); "
                "install mlsysgen with its extras: pip install 'mlsysgen[pdf,epub]'"
            ) from exc
        writer: Writer = getattr(module, class_name)()
        return writer


def core_registry() -> Registry:
    """The built-in passes in their order; plugins insert theirs by priority."""
    from .parse.syntax.references import XREF_KINDS
    from .render import quizzes as quiz_rules
    from .transforms import (
        callouts,
        checks,
        citations,
        collect,
        diagrams,
        figures,
        footnotes,
        format_filter,
        headings,
        quizzes,
        raw,
        shortcodes,
    )
    from .writers.site import SiteWriter

    registry = Registry(xref_kinds=list(XREF_KINDS))
    registry.add_transform("format_filter", 10, format_filter.filter_formats)
    registry.add_transform("raw", 20, raw.apply_raw)
    registry.add_transform("shortcodes", 30, shortcodes.expand_shortcodes)
    registry.add_transform("footnotes", 35, footnotes.extract_footnotes)
    # Callouts first: a callout's leading heading becomes its title, not a section.
    # The quiz-end marker is an empty div, which callouts would drop.
    registry.add_transform("quiz_markers", 37, quizzes.mark_quiz_end)
    registry.add_transform("callouts", 38, callouts.build_callouts)
    registry.add_transform("headings", 40, headings.process_headings)
    # After headings (H2 ids known), before collect (answers' heading and ids indexed).
    registry.add_transform("quizzes", 45, quizzes.insert_quizzes)
    registry.add_transform("figures", 50, figures.build_figures)
    # Book scope: every chapter's TikZ blocks are drawn in one parallel batch.
    registry.add_transform("diagrams", diagrams.PRIORITY, diagrams.render_diagrams, "book")
    registry.add_transform("collect", 80, collect.collect_index)
    registry.add_transform("citations", 85, citations.resolve_citations)
    registry.add_transform("check_references", 90, checks.check_references)
    registry.add_transform("check_links", 91, checks.check_links_and_images)
    for token_type, rule in quiz_rules.RULES.items():
        registry.add_render_rule(token_type, rule)
    registry.add_writer(SiteWriter())
    registry.add_lazy_writer("pdf", "mlsysgen.writers.pdf:PdfWriter")
    registry.add_lazy_writer("epub", "mlsysgen.writers.epub:EpubWriter")
    return registry
