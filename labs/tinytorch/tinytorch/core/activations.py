"""Activation functions as layers: ``ReLU()(x)``, or ``.forward(x)``, on a Tensor."""

from __future__ import annotations

import numpy as np

from . import autograd as ag
from .layers import Layer
from .tensor import Tensor


class ReLU(Layer):
    """max(0, x)."""

    def forward(self, x: Tensor) -> Tensor:
        return Tensor.from_op(np.maximum(x.data, 0), ag.ReLUBackward, x)


class Sigmoid(Layer):
    """1 / (1 + exp(-x)), squashing to (0, 1)."""

    def forward(self, x: Tensor) -> Tensor:
        # Two branches so exp() never overflows for large |x|.
        d = x.data
        e = np.exp(-np.abs(d))
        out = np.where(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype)
        return Tensor.from_op(out, ag.SigmoidBackward, x, out=out)


class Tanh(Layer):
    """tanh(x), squashing to (-1, 1)."""

    def forward(self, x: Tensor) -> Tensor:
        out = np.tanh(x.data)
        return Tensor.from_op(out, ag.TanhBackward, x, out=out)


class GELU(Layer):
    """x * Phi(x), in the tanh approximation transformers use."""

    def forward(self, x: Tensor) -> Tensor:
        d = x.data
        out = 0.5 * d * (1 + np.tanh(ag.GELU_C * (d + 0.044715 * d**3)))
        return Tensor.from_op(out.astype(d.dtype), ag.GELUBackward, x)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) normalised to sum to 1 along ``dim`` (shifted by the max, so it never overflows)."""
    shifted = x.data - x.data.max(axis=dim, keepdims=True)
    e = np.exp(shifted)
    out = e / e.sum(axis=dim, keepdims=True)
    return Tensor.from_op(out, ag.SoftmaxBackward, x, out=out, axis=dim)


class Softmax(Layer):
    """Probabilities along ``dim`` (the last axis by default)."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.dim)

    def __repr__(self) -> str:
        return f"Softmax(dim={self.dim})"
