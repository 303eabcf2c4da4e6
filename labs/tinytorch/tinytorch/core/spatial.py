"""Convolution and pooling over images of shape (batch, channels, height, width).

Both unfold the input into patches ("im2col"), so a convolution becomes one matrix
product: the FLOPs the profiler counts are those of that product.
"""

from __future__ import annotations

import numpy as np

from . import autograd as ag
from .layers import Layer
from .tensor import Tensor


def _patch_index(channels: int, height: int, width: int, k: int, stride: int):
    """Index arrays picking every k x k patch: rows are (channel, dy, dx), columns positions."""
    out_h = (height - k) // stride + 1
    out_w = (width - k) // stride + 1
    dy = np.tile(np.repeat(np.arange(k), k), channels)
    dx = np.tile(np.arange(k), k * channels)
    y0 = stride * np.repeat(np.arange(out_h), out_w)
    x0 = stride * np.tile(np.arange(out_w), out_h)
    c = np.repeat(np.arange(channels), k * k)[:, None]
    return c, dy[:, None] + y0[None, :], dx[:, None] + x0[None, :], out_h, out_w


class Im2ColBackward(ag.Function):
    def backward(self, grad):
        padded = np.zeros(self.padded_shape, dtype=grad.dtype)
        np.add.at(padded, (slice(None), *self.index), grad)
        p = self.padding
        return (padded[:, :, p : padded.shape[2] - p, p : padded.shape[3] - p],)


def im2col(x: Tensor, k: int, stride: int = 1, padding: int = 0) -> tuple[Tensor, int, int]:
    """Patches of ``x`` as a (batch, channels*k*k, positions) tensor, with the output size."""
    if x.ndim != 4:
        raise ValueError(f"expected input of shape (batch, channels, height, width), got {x.shape}")
    p = padding
    padded = np.pad(x.data, ((0, 0), (0, 0), (p, p), (p, p))) if p else x.data
    c, ys, xs, out_h, out_w = _patch_index(x.shape[1], padded.shape[2], padded.shape[3], k, stride)
    cols = padded[:, c, ys, xs]
    out = Tensor.from_op(cols, Im2ColBackward, x, index=(c, ys, xs),
                         padded_shape=padded.shape, padding=p)  # fmt: skip
    return out, out_h, out_w


class Conv2d(Layer):
    """2-D convolution: ``weight`` of shape (out_channels, in_channels, k, k), square kernels."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int = 0, bias: bool = True) -> None:  # fmt: skip
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        bound = 1.0 / np.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Tensor(np.random.uniform(-bound, bound, shape).astype(np.float32),
                             requires_grad=True)  # fmt: skip
        self.bias = None
        if bias:
            b = np.random.uniform(-bound, bound, (out_channels, 1)).astype(np.float32)
            self.bias = Tensor(b, requires_grad=True)

    def forward(self, x: Tensor) -> Tensor:
        cols, out_h, out_w = im2col(x, self.kernel_size, self.stride, self.padding)
        out = self.weight.reshape(self.out_channels, -1) @ cols  # (batch, out, positions)
        if self.bias is not None:
            out = out + self.bias
        return out.reshape(x.shape[0], self.out_channels, out_h, out_w)

    def __repr__(self) -> str:
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")  # fmt: skip


class MaxPool2d(Layer):
    """The maximum of each k x k window (stride k unless given)."""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        self.kernel_size = kernel_size
        self.stride = stride or kernel_size

    def forward(self, x: Tensor) -> Tensor:
        k = self.kernel_size
        cols, out_h, out_w = im2col(x, k, self.stride)
        windows = cols.reshape(x.shape[0], x.shape[1], k * k, out_h * out_w)
        return windows.max(axis=2).reshape(x.shape[0], x.shape[1], out_h, out_w)

    def __repr__(self) -> str:
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"
