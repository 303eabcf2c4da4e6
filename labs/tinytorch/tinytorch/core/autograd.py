"""Reverse-mode automatic differentiation: always on.

An operation whose inputs include a tensor with ``requires_grad=True`` records a
:class:`Function` node on its result: the inputs, plus whatever the gradient formula needs
from the forward pass. ``Tensor.backward()`` visits the nodes in reverse topological order
and hands each input its share of the gradient (the chain rule); leaf tensors accumulate
theirs in ``.grad``. Functions see numpy arrays only, so this module never imports Tensor.

TinyTorch's course switches autograd on by monkey-patching ``Tensor`` in
``enable_autograd()``; here it is built in, and ``enable_autograd()`` stays as a no-op so
course code runs unchanged.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

_grad_enabled = True


def enable_autograd() -> None:
    """Kept for TinyTorch compatibility: autograd is always on here, so nothing to do."""


def is_grad_enabled() -> bool:
    """Whether operations record the graph (False inside ``no_grad()``)."""
    return _grad_enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run operations without recording the graph (evaluation, profiling)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def tracks_grad(value: Any) -> bool:
    """Whether ``value`` is a tensor whose gradient is wanted."""
    return bool(getattr(value, "requires_grad", False))


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(np.shape(value.data if hasattr(value, "data") else value))


def _data(value: Any) -> Any:
    return value.data if hasattr(value, "data") else value


class Function:
    """One recorded operation: its inputs and how the output's gradient reaches them.

    ``saved`` keyword arguments become attributes (forward results the formula reuses).
    """

    def __init__(self, *inputs: Any, **saved: Any) -> None:
        self.inputs = inputs
        self.__dict__.update(saved)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        """The gradient with respect to each input, given the output's gradient."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AddBackward(Function):
    def backward(self, grad):
        a, b = self.inputs
        return unbroadcast(grad, _shape(a)), unbroadcast(grad, _shape(b))


class SubBackward(Function):
    def backward(self, grad):
        a, b = self.inputs
        return unbroadcast(grad, _shape(a)), unbroadcast(-grad, _shape(b))


class MulBackward(Function):
    def backward(self, grad):
        a, b = self.inputs
        return (
            unbroadcast(grad * _data(b), _shape(a)),
            unbroadcast(grad * _data(a), _shape(b)),
        )


class DivBackward(Function):
    def backward(self, grad):
        a, b = self.inputs
        da, db = _data(a), _data(b)
        return (
            unbroadcast(grad / db, _shape(a)),
            unbroadcast(-grad * da / (db * db), _shape(b)),
        )


class NegBackward(Function):
    def backward(self, grad):
        return (-grad,)


class PowBackward(Function):
    """``x ** exponent`` for a constant exponent."""

    def backward(self, grad):
        (x,) = self.inputs
        return (grad * self.exponent * _data(x) ** (self.exponent - 1),)


class ExpBackward(Function):
    def backward(self, grad):
        return (grad * self.out,)


class LogBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        return (grad / _data(x),)


class ClipBackward(Function):
    """Gradient passes where the input was inside ``[low, high]``, and is 0 elsewhere."""

    def backward(self, grad):
        (x,) = self.inputs
        inside = (_data(x) >= self.low) & (_data(x) <= self.high)
        return (grad * inside,)


class MatmulBackward(Function):
    def backward(self, grad):
        a, b = self.inputs
        da, db = _data(a), _data(b)
        # Treat vectors as 1-row / 1-column matrices, as np.matmul does.
        a2 = da[None, :] if da.ndim == 1 else da
        b2 = db[:, None] if db.ndim == 1 else db
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g2 = np.reshape(grad, (*batch, a2.shape[-2], b2.shape[-1]))
        ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(da.shape)
        gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(db.shape)
        return ga, gb


def _expand(grad: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """A reduction's gradient, given back its reduced axes so it broadcasts to ``shape``."""
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        grad = np.expand_dims(grad, tuple(a % len(shape) for a in axes))
    return np.broadcast_to(grad, shape)


class SumBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        return (_expand(grad, _shape(x), self.axis, self.keepdims),)


class MeanBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        shape = _shape(x)
        count = math.prod(shape) // max(1, math.prod(np.shape(self.out)))
        return (_expand(grad, shape, self.axis, self.keepdims) / count,)


class MaxBackward(Function):
    """The gradient goes to the maximal entries, shared equally between ties."""

    def backward(self, grad):
        (x,) = self.inputs
        shape = _shape(x)
        winners = _data(x) == _expand(self.out, shape, self.axis, self.keepdims)
        ties = winners.sum(axis=self.axis, keepdims=True)
        return (_expand(grad, shape, self.axis, self.keepdims) * winners / ties,)


class ReshapeBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        return (np.reshape(grad, _shape(x)),)


class TransposeBackward(Function):
    def backward(self, grad):
        return (np.swapaxes(grad, self.dim0, self.dim1),)


class GetItemBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        full = np.zeros(_shape(x), dtype=grad.dtype)
        np.add.at(full, self.index, grad)  # repeated indices add up
        return (full,)


class ReLUBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        return (grad * (_data(x) > 0),)


class SigmoidBackward(Function):
    def backward(self, grad):
        return (grad * self.out * (1 - self.out),)


class TanhBackward(Function):
    def backward(self, grad):
        return (grad * (1 - self.out * self.out),)


GELU_C = math.sqrt(2 / math.pi)
"""The constant of GELU's tanh approximation, sqrt(2/pi)."""


class GELUBackward(Function):
    def backward(self, grad):
        (x,) = self.inputs
        d = _data(x)
        t = np.tanh(GELU_C * (d + 0.044715 * d**3))
        slope = 0.5 * (1 + t) + 0.5 * d * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * d * d)
        return (grad * slope,)


class SoftmaxBackward(Function):
    def backward(self, grad):
        s = self.out
        return (s * (grad - (grad * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmaxBackward(Function):
    def backward(self, grad):
        softmax = np.exp(self.out)
        return (grad - softmax * grad.sum(axis=self.axis, keepdims=True),)


def backward(root: Any, grad: np.ndarray) -> None:
    """Propagate ``grad`` (d loss / d root) to every leaf tensor below ``root``."""
    pending: dict[int, np.ndarray] = {id(root): grad}
    for node in reversed(_topological_order(root)):
        g = pending.pop(id(node), None)
        if g is None:
            continue
        fn = node._grad_fn
        if fn is None:
            node._accumulate_grad(g)
            continue
        for value, share in zip(fn.inputs, fn.backward(g), strict=True):
            if share is None or not tracks_grad(value):
                continue
            key = id(value)
            pending[key] = share if key not in pending else pending[key] + share


def _topological_order(root: Any) -> list[Any]:
    """Tensors reachable from ``root``, each after all of its inputs (iterative DFS)."""
    order: list[Any] = []
    seen = {id(root)}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        fn = node._grad_fn
        for value in fn.inputs if fn is not None else ():
            if tracks_grad(value) and id(value) not in seen:
                seen.add(id(value))
                stack.append((value, False))
    return order
