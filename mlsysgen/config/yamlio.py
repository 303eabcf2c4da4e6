"""YAML reading that remembers the source line of every key, for ``path:line`` errors."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, Location

KeyPath = tuple[str | int, ...]

# libyaml's parser where PyYAML was built with it: the same nodes and marks, ten times as
# fast (the real book's configs take 0.1 s in pure Python). Its error messages differ,
# so text it rejects is parsed again by the pure-Python one, whose messages we report.
_FAST: Any = getattr(yaml, "CSafeLoader", None)


@dataclass
class YamlDoc:
    """Parsed YAML data plus the 1-based line of every key path."""

    data: Any
    path: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def where(self, keypath: KeyPath) -> Location:
        """The location of ``keypath``, or of its nearest known parent."""
        while keypath and keypath not in self.lines:
            keypath = keypath[:-1]
        return Location(self.path, self.lines.get(keypath, 1))


def load_yaml_text(text: str, display_path: str, first_line: int = 1) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a ConfigError at the offending line."""
    if _FAST is not None:
        fast = _FAST(text)
        try:
            node = fast.get_single_node()
            data = fast.construct_document(node) if node is not None else None
        except yaml.YAMLError:
            pass
        else:
            return _with_lines(YamlDoc(data, display_path), node, first_line)
        finally:
            fast.dispose()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "<stream end>" in str(exc.problem):
            # Found only at the end of the text: the unclosed bracket's line is the useful one.
            mark = exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(
            f"{display_path}:{line}: invalid YAML: {problem}; "
            "check indentation and quoting on this line"
        ) from None
    finally:
        loader.dispose()
    return _with_lines(YamlDoc(data, display_path), node, first_line)


def _with_lines(doc: YamlDoc, node: yaml.Node | None, first_line: int) -> YamlDoc:
    if node is not None:
        _record_lines(node, (), doc.lines, first_line - 1)
    return doc


def load_yaml_file(path: Path, display_path: str) -> YamlDoc:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{display_path}: cannot read: {exc.strerror}") from None
    # The preview server reloads the config on every build; its YAML rarely changes.
    key = (text, display_path)
    if key not in _PARSED:
        if len(_PARSED) > 32:
            _PARSED.clear()
        _PARSED[key] = load_yaml_text(text, display_path)
    return copy.deepcopy(_PARSED[key])


_PARSED: dict[tuple[str, str], YamlDoc] = {}


def _record_lines(
    node: yaml.Node, keypath: KeyPath, lines: dict[KeyPath, int], offset: int
) -> None:
    lines.setdefault(keypath, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*keypath, key)] = key_node.start_mark.line + 1 + offset
            _record_lines(value_node, (*keypath, key), lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*keypath, i), lines, offset)
