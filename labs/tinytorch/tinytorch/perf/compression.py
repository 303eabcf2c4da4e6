"""Pruning: zero the weights that matter least, and measure how many are zero.

Unstructured (``magnitude_prune``) zeroes single weights; structured (``structured_prune``)
zeroes whole output neurons or filters, which dense hardware can actually skip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.layers import Layer
from ..core.tensor import Tensor


def _weight_tensors(target: Any) -> list[Tensor]:
    """The tensors pruning applies to: a tensor itself, or a model's weight matrices and
    filters (parameters of two or more dimensions; biases are left alone)."""
    if isinstance(target, Tensor):
        return [target]
    return [p for p in target.parameters() if p.ndim >= 2]


def magnitude_prune(model: Any, sparsity: float = 0.9) -> Any:
    """Zero the ``sparsity`` fraction of smallest-magnitude entries of each weight tensor
    (in place) and return ``model``; a tensor may be passed instead of a model."""
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be between 0 and 1, got {sparsity}")
    for w in _weight_tensors(model):
        count = round(sparsity * w.size)
        # A stable sort makes ties (and so the result) deterministic.
        smallest = np.argsort(np.abs(w.data), axis=None, kind="stable")[:count]
        np.put(w.data, smallest, 0)
    return model


def structured_prune(model: Layer, prune_ratio: float = 0.5) -> Layer:
    """Zero the ``prune_ratio`` fraction of output units with the smallest L2 norm in each
    layer (Linear: weight columns and their bias; Conv2d: whole filters), in place."""
    if not 0.0 <= prune_ratio <= 1.0:
        raise ValueError(f"prune_ratio must be between 0 and 1, got {prune_ratio}")
    for layer in _layers(model):
        weight, bias = getattr(layer, "weight", None), getattr(layer, "bias", None)
        if not isinstance(weight, Tensor) or weight.ndim not in (2, 4):
            continue
        # Linear keeps outputs in columns (in, out); Conv2d in the first axis (out, ...).
        units = weight.data.T if weight.ndim == 2 else weight.data
        norms = np.sqrt((units.reshape(units.shape[0], -1) ** 2).sum(axis=1))
        drop = np.argsort(norms, kind="stable")[: round(prune_ratio * len(norms))]
        units[drop] = 0
        if isinstance(bias, Tensor):
            bias.data.reshape(-1)[drop] = 0
    return model


def _layers(model: Layer) -> list[Layer]:
    found, stack = [], [model]
    while stack:
        layer = stack.pop()
        found.append(layer)
        stack.extend(reversed(layer.children()))
    return found


def measure_sparsity(model: Any) -> float:
    """Percentage (0-100) of zero values among a model's parameters, or a tensor's values."""
    tensors = [model] if isinstance(model, Tensor) else model.parameters()
    total = sum(t.size for t in tensors)
    zeros = sum(int(np.count_nonzero(t.data == 0)) for t in tensors)
    return 100.0 * zeros / total if total else 0.0
