"""Loss functions: a prediction and a target in, a one-element Tensor to ``backward()`` out."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd as ag
from .tensor import Tensor


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) computed as x - logsumexp(x), stable for large logits."""
    d = x.data
    top = d.max(axis=dim, keepdims=True)
    out = d - top - np.log(np.exp(d - top).sum(axis=dim, keepdims=True))
    return Tensor.from_op(out, ag.LogSoftmaxBackward, x, out=out, axis=dim)


def _values(target: Any) -> np.ndarray:
    return np.asarray(target.data if isinstance(target, Tensor) else target)


class MSELoss:
    """Mean of the squared differences."""

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        diff = predictions - _values(targets).astype(predictions.dtype)
        return (diff * diff).mean()

    def __call__(self, predictions: Tensor, targets: Any) -> Tensor:
        return self.forward(predictions, targets)


class CrossEntropyLoss:
    """Mean negative log-likelihood of the target classes, from raw logits.

    Targets are class indices of shape (batch,), or probabilities (e.g. one-hot) of the
    logits' shape.
    """

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        logp = log_softmax(logits, dim=-1)
        t = _values(targets)
        if t.shape == logits.shape:
            return -(logp * t.astype(logits.dtype)).sum(axis=-1).mean()
        if t.ndim != 1 or len(t) != logits.shape[0]:
            raise ValueError(
                f"CrossEntropyLoss targets must be class indices of shape ({logits.shape[0]},) "
                f"or probabilities of shape {logits.shape}; got shape {t.shape}"
            )
        picked = logp[np.arange(len(t)), t.astype(np.int64)]
        return -picked.mean()

    def __call__(self, logits: Tensor, targets: Any) -> Tensor:
        return self.forward(logits, targets)


class BinaryCrossEntropyLoss:
    """Mean binary cross-entropy of probabilities (e.g. a Sigmoid's output) against 0/1
    targets; probabilities are clipped to [eps, 1-eps] so log() stays finite."""

    def __init__(self, eps: float = 1e-7) -> None:
        self.eps = eps

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        p = predictions.clip(self.eps, 1 - self.eps)
        t = _values(targets).astype(predictions.dtype)
        return -(p.log() * t + (1 - p).log() * (1 - t)).mean()

    def __call__(self, predictions: Tensor, targets: Any) -> Tensor:
        return self.forward(predictions, targets)
