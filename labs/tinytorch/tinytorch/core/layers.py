"""Layers: the building blocks of a model, and how a model finds its parameters.

Weights are drawn from numpy's global random state (``np.random``), so seeding it with
``np.random.seed(n)`` makes a model's initial weights, and so every printed number,
reproducible. Nothing random happens at import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .tensor import Tensor

_call_listeners: list[list[tuple[Layer, Tensor]]] = []
"""Open traces: ``perf.profiling`` adds a list while it runs a model, and every call of a
layer without sub-layers appends (layer, output) to it, to count activation memory."""


class Layer:
    """Base class: ``forward`` computes, ``parameters()`` lists what training updates."""

    training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        if _call_listeners and not self.children():
            for trace in _call_listeners:
                trace.append((self, out))
        return out

    def children(self) -> list[Layer]:
        """Sub-layers held as attributes (directly or in lists), in definition order."""
        found: list[Layer] = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            found.extend(item for item in items if isinstance(item, Layer))
        return found

    def parameters(self) -> list[Tensor]:
        """Every tensor with ``requires_grad`` held by this layer or its sub-layers, once."""
        params: list[Tensor] = []
        seen: set[int] = set()
        for p in self._own_parameters() + [p for c in self.children() for p in c.parameters()]:
            if id(p) not in seen:
                seen.add(id(p))
                params.append(p)
        return params

    def _own_parameters(self) -> list[Tensor]:
        """Trainable tensors held as attributes (directly or in lists), not via sub-layers."""
        found: list[Tensor] = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            found.extend(i for i in items if isinstance(i, Tensor) and i.requires_grad)
        return found

    def num_parameters(self) -> int:
        """Number of trainable values (a quantized layer counts its frozen weights)."""
        own = sum(p.size for p in self._own_parameters())
        return own + sum(child.num_parameters() for child in self.children())

    def memory_footprint(self) -> int:
        """Bytes of the parameters, as each layer stores them."""
        own = sum(p.memory_footprint() for p in self._own_parameters())
        return own + sum(child.memory_footprint() for child in self.children())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Layer:
        """Training mode (Dropout active) or, with ``mode=False``, evaluation mode."""
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Layer:
        return self.train(False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    """``y = x @ weight + bias`` with ``weight`` of shape (in_features, out_features).

    Initial values are uniform in +-1/sqrt(in_features), which keeps the output's scale
    close to the input's.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = in_features
        self.out_features = out_features
        bound = 1.0 / np.sqrt(in_features)
        w = np.random.uniform(-bound, bound, (in_features, out_features))
        self.weight = Tensor(w.astype(np.float32), requires_grad=True)
        self.bias = None
        if bias:
            b = np.random.uniform(-bound, bound, (out_features,))
            self.bias = Tensor(b.astype(np.float32), requires_grad=True)

    def forward(self, x: Tensor) -> Tensor:
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


class Dropout(Layer):
    """Zero each value with probability ``p`` while training, scaling the rest by 1/(1-p)
    so the expected output is unchanged; the identity in evaluation mode."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability must be between 0 and 1, got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros(x.shape, dtype=x.dtype)
        keep = np.random.random_sample(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential(Layer):
    """Layers applied one after another: ``Sequential(Linear(4, 8), ReLU(), Linear(8, 2))``."""

    def __init__(self, *layers: Layer) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"
