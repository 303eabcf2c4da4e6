"""Tensor: an n-dimensional numpy array with broadcasting arithmetic and autograd.

Floating-point data defaults to float32 (4 bytes per element), as in the TinyTorch
course, so memory figures match what a framework would allocate; pass ``dtype=`` to
keep float64 (e.g. for finite-difference gradient checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd as ag

_flop_counters: list[list[int]] = []
"""Open FLOP counters: ``perf.profiling`` adds a one-element list while it traces a model,
and every matrix product adds its FLOPs (2 per multiply-add) to each open counter."""


def _data(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


class Tensor:
    """An n-dimensional array; operations on it record gradients when asked to."""

    # numpy defers to Tensor's reflected operators (ndarray + Tensor is a Tensor).
    __array_ufunc__ = None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        array = np.array(_data(data), dtype=dtype)
        if dtype is None and array.dtype == np.float64:
            array = array.astype(np.float32)
        self.data: np.ndarray = array
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._grad_fn: ag.Function | None = None

    @classmethod
    def from_op(cls, data: np.ndarray, fn: type[ag.Function], *inputs: Any, **saved: Any) -> Tensor:
        """The result of an operation, recording ``fn`` when an input needs a gradient.

        The one place graph nodes are made; operations outside this module use it too.
        """
        out = cls.__new__(cls)
        out.data = np.asarray(data)
        out.grad = None
        out.requires_grad = ag.is_grad_enabled() and any(ag.tracks_grad(v) for v in inputs)
        out._grad_fn = fn(*inputs, **saved) if out.requires_grad else None
        return out

    # --- what it is -------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def memory_footprint(self) -> int:
        """Bytes the data occupies (elements x bytes per element)."""
        return int(self.data.nbytes)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}, shape={self.shape}, dtype={self.dtype}{grad})"

    # --- gradients --------------------------------------------------------------------

    def backward(self, gradient: Any = None) -> None:
        """Compute d(self)/d(leaf) for every leaf with ``requires_grad`` into ``leaf.grad``."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: create the inputs "
                "it was computed from with requires_grad=True"
            )
        if gradient is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a one-element tensor (a loss); "
                    f"this one has shape {self.shape}: pass gradient= of that shape"
                )
            gradient = np.ones_like(self.data)
        ag.backward(self, np.asarray(_data(gradient), dtype=self.data.dtype))

    def _accumulate_grad(self, grad: np.ndarray) -> None:
        grad = np.array(np.broadcast_to(grad, self.shape), dtype=self.data.dtype)
        if self.grad is None:
            self.grad = Tensor(grad, dtype=self.data.dtype)
        else:
            self.grad.data = self.grad.data + grad

    def zero_grad(self) -> None:
        self.grad = None

    def detach(self) -> Tensor:
        """The same values, cut off from the graph."""
        return Tensor(self.data, dtype=self.data.dtype)

    # --- arithmetic (numpy broadcasting) --------------------------------------------------

    def __add__(self, other: Any) -> Tensor:
        return Tensor.from_op(self.data + _data(other), ag.AddBackward, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return Tensor.from_op(_data(other) + self.data, ag.AddBackward, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return Tensor.from_op(self.data - _data(other), ag.SubBackward, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return Tensor.from_op(_data(other) - self.data, ag.SubBackward, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return Tensor.from_op(self.data * _data(other), ag.MulBackward, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return Tensor.from_op(_data(other) * self.data, ag.MulBackward, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return Tensor.from_op(self.data / _data(other), ag.DivBackward, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return Tensor.from_op(_data(other) / self.data, ag.DivBackward, other, self)

    def __neg__(self) -> Tensor:
        return Tensor.from_op(-self.data, ag.NegBackward, self)

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor):
            raise TypeError("Tensor ** Tensor is not supported: use a number as the exponent")
        return Tensor.from_op(self.data**exponent, ag.PowBackward, self, exponent=exponent)

    def add(self, other: Any) -> Tensor:
        return self + other

    def multiply(self, other: Any) -> Tensor:
        return self * other

    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return Tensor.from_op(out, ag.ExpBackward, self, out=out)

    def log(self) -> Tensor:
        return Tensor.from_op(np.log(self.data), ag.LogBackward, self)

    def sqrt(self) -> Tensor:
        return self**0.5

    def clip(self, low: float, high: float) -> Tensor:
        out = np.clip(self.data, low, high)
        return Tensor.from_op(out, ag.ClipBackward, self, low=low, high=high)

    def matmul(self, other: Any) -> Tensor:
        a, b = self.data, np.asarray(_data(other))
        inner = b.shape[-2] if b.ndim > 1 else b.shape[0] if b.ndim else None
        if a.ndim and inner is not None and a.shape[-1] != inner:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not fit: the left has "
                f"{a.shape[-1]} columns, the right {inner} rows"
            )
        out = np.matmul(a, b)
        if _flop_counters:
            flops = 2 * a.shape[-1] * int(np.prod(out.shape))
            for counter in _flop_counters:
                counter[0] += flops
        return Tensor.from_op(out, ag.MatmulBackward, self, other)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return Tensor(other, dtype=np.asarray(other).dtype).matmul(self)

    # --- reductions -------------------------------------------------------------------

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        out = self.data.sum(axis=axis, keepdims=keepdims)
        return Tensor.from_op(out, ag.SumBackward, self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        out = self.data.mean(axis=axis, keepdims=keepdims)
        return Tensor.from_op(out, ag.MeanBackward, self, axis=axis, keepdims=keepdims, out=out)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        out = self.data.max(axis=axis, keepdims=keepdims)
        return Tensor.from_op(out, ag.MaxBackward, self, axis=axis, keepdims=keepdims, out=out)

    # --- shape ------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """``reshape(2, 3)`` or ``reshape((2, 3))``; one dimension may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Tensor.from_op(self.data.reshape(shape), ag.ReshapeBackward, self)

    def view(self, *shape: Any) -> Tensor:
        return self.reshape(*shape)

    def transpose(self, dim0: int | None = None, dim1: int | None = None) -> Tensor:
        """Swap two axes; by default the last two (a matrix transpose)."""
        if self.ndim < 2:
            return self.reshape(self.shape)
        if dim0 is None and dim1 is None:
            dim0, dim1 = -2, -1
        if dim0 is None or dim1 is None:
            raise TypeError("transpose() takes no axes or two axes (dim0, dim1)")
        out = np.swapaxes(self.data, dim0, dim1)
        return Tensor.from_op(out, ag.TransposeBackward, self, dim0=dim0, dim1=dim1)

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        index = tuple(_data(i) for i in index) if isinstance(index, tuple) else _data(index)
        return Tensor.from_op(self.data[index], ag.GetItemBackward, self, index=index)
