"""Finite-difference gradient checking for the tinytorch tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tinytorch.core.tensor import Tensor


def numerical_grad(f: Callable[[], Tensor], x: Tensor, eps: float = 1e-6) -> np.ndarray:
    """d f() / d x by central differences, perturbing ``x.data`` in place."""
    grad = np.zeros_like(x.data, dtype=np.float64)
    flat = x.data.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = float(f().data.sum())
        flat[i] = saved - eps
        down = float(f().data.sum())
        flat[i] = saved
        grad.reshape(-1)[i] = (up - down) / (2 * eps)
    return grad


def check_gradients(f: Callable[[], Tensor], *inputs: Tensor, tol: float = 1e-6) -> None:
    """Assert that backward() through ``f`` matches finite differences for every input."""
    for x in inputs:
        x.grad = None
    f().sum().backward()
    for n, x in enumerate(inputs):
        assert x.grad is not None, f"input {n} got no gradient"
        expected = numerical_grad(f, x)
        np.testing.assert_allclose(x.grad.data, expected, rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {n}")  # fmt: skip


def leaf(shape: tuple[int, ...], seed: int, low: float = -2.0, high: float = 2.0) -> Tensor:
    """A float64 leaf tensor with values away from 0 (kinks of relu/abs/max ties)."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(low, high, shape)
    values = np.where(np.abs(values) < 0.1, 0.5, values)
    return Tensor(values, dtype=np.float64, requires_grad=True)
