"""Build typed config objects from YAML data, collecting every error with its line.

The rules: keys are kebab-case (``toc-depth`` → ``toc_depth``); an unknown key is an
error that lists the valid ones; a wrong type names the expected type. Nothing is
raised here: errors are appended to a list, so all of them can be reported at once.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from .yamlio import KeyPath, YamlDoc

_MISSING = object()


class Problems(list[str]):
    """Config error messages, each already prefixed with ``path:line:``."""

    def add(self, doc: YamlDoc, keypath: KeyPath, message: str) -> None:
        self.append(f"{doc.where(keypath)}: {_dotted(keypath)}: {message}")


def build(cls: type, data: Any, doc: YamlDoc, keypath: KeyPath, problems: Problems) -> Any:
    """Convert ``data`` to an instance of dataclass ``cls``; report problems, never raise."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add(doc, keypath, f"expected a mapping of options, got {_describe(data)}")
        return cls() if _constructible(cls) else None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name not in fields:
            valid = ", ".join(sorted(f.replace("_", "-") for f in fields))
            problems.add(doc, (*keypath, key), f"unknown option; valid options are: {valid}")
            continue
        converted = convert(hints[name], value, doc, (*keypath, key), problems)
        if converted is not _MISSING:
            values[name] = converted
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and name not in values:
            problems.add(doc, keypath, f"missing required option '{name.replace('_', '-')}'")
            return None
    return cls(**values)


def convert(tp: Any, value: Any, doc: YamlDoc, keypath: KeyPath, problems: Problems) -> Any:
    """Convert one value to type ``tp``; returns ``_MISSING`` after reporting a problem."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return _convert_union(tp, value, doc, keypath, problems)
    if origin is Literal:
        if value in get_args(tp):
            return value
        choices = ", ".join(repr(a) for a in get_args(tp))
        problems.add(doc, keypath, f"expected one of {choices}, got {value!r}")
        return _MISSING
    if origin is list:
        (item_tp,) = get_args(tp)
        if isinstance(value, (str, dict)) or not isinstance(value, list):
            value = [value]  # a single value where a list is expected is a list of one
        items = [convert(item_tp, v, doc, (*keypath, i), problems) for i, v in enumerate(value)]
        return [v for v in items if v is not _MISSING]
    if origin is dict:
        if not isinstance(value, dict):
            problems.add(doc, keypath, f"expected a mapping, got {_describe(value)}")
            return _MISSING
        return value
    if dataclasses.is_dataclass(tp):
        shorthand = getattr(tp, "shorthand", None)
        if shorthand is not None and not isinstance(value, dict):
            result = shorthand(value)
            if result is not None:
                return result
        built = build(tp, value, doc, keypath, problems)
        return _MISSING if built is None else built
    return _convert_scalar(tp, value, doc, keypath, problems)


def _convert_union(tp: Any, value: Any, doc: YamlDoc, keypath: KeyPath, problems: Problems) -> Any:
    args = [a for a in get_args(tp) if a is not type(None)]
    if value is None and len(args) < len(get_args(tp)):
        return None
    # Dataclass alternatives are told apart by their required key (e.g. Part has 'part').
    if isinstance(value, dict):
        for arg in args:
            if dataclasses.is_dataclass(arg) and _required_keys(arg) & {
                str(k).replace("-", "_") for k in value
            }:
                return convert(arg, value, doc, keypath, problems)
    for arg in args:
        trial = Problems()
        result = convert(arg, value, doc, keypath, trial)
        if not trial:
            return result
    return convert(args[0], value, doc, keypath, problems)


def _convert_scalar(tp: Any, value: Any, doc: YamlDoc, keypath: KeyPath, problems: Problems) -> Any:
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        problems.add(doc, keypath, f"expected true or false, got {value!r}")
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        problems.add(doc, keypath, f"expected a whole number, got {value!r}")
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        problems.add(doc, keypath, f"expected a number, got {value!r}")
    elif tp is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if value is None:
            return ""
        problems.add(doc, keypath, f"expected a text value, got {_describe(value)}")
    else:  # pragma: no cover - a schema bug, not user input
        raise TypeError(f"unsupported config type {tp!r}")
    return _MISSING


def _required_keys(cls: type) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def _constructible(cls: type) -> bool:
    return not _required_keys(cls)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _dotted(keypath: KeyPath) -> str:
    out = ""
    for part in keypath:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
