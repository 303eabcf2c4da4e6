"""Optimizers: update parameters from their gradients, and report what their state costs.

Each optimizer keeps per-parameter state (SGD's momentum buffer, Adam's two moment
estimates), created at the first ``step()`` as in PyTorch. ``state_bytes()`` measures it:
Adam's state is twice the parameters' size, one of the memory costs of training.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .tensor import Tensor


class Optimizer:
    """Base class: ``zero_grad()`` before the backward pass, ``step()`` after it."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters: pass model.parameters()")
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr
        self.step_count = 0
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients of the last backward pass (they would add up otherwise)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        self.step_count += 1
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is not None:
                self._update(p, p.grad.data, state)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def state_bytes(self) -> int:
        """Bytes of optimizer state (buffers kept between steps), parameters excluded."""
        return sum(buf.nbytes for state in self.state for buf in state.values())

    def _buffer(self, state: dict[str, np.ndarray], name: str, p: Tensor) -> np.ndarray:
        if name not in state:
            state[name] = np.zeros_like(p.data)
        return state[name]


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and L2 weight decay.

    With momentum m: ``v = m * v + g``; ``p -= lr * v`` (one buffer per parameter).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:  # fmt: skip
        super().__init__(params, lr)
        self.momentum = momentum
        self.weight_decay = weight_decay

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * p.data
        if self.momentum:
            v = self._buffer(state, "momentum", p)
            v *= self.momentum
            v += grad
            grad = v
        p.data -= (self.lr * grad).astype(p.data.dtype)


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running means of the gradient (m) and of its
    square (v), bias-corrected for their zero start. Two buffers per parameter.

    ``weight_decay`` adds an L2 term to the gradient (classic Adam); see AdamW.
    """

    decoupled = False

    def __init__(self, params: Iterable[Tensor], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:  # fmt: skip
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.weight_decay and self.decoupled:
            p.data -= (self.lr * self.weight_decay * p.data).astype(p.data.dtype)
        elif self.weight_decay:
            grad = grad + self.weight_decay * p.data
        m = self._buffer(state, "m", p)
        v = self._buffer(state, "v", p)
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        m_hat = m / (1 - self.beta1**self.step_count)
        v_hat = v / (1 - self.beta2**self.step_count)
        p.data -= (self.lr * m_hat / (np.sqrt(v_hat) + self.eps)).astype(p.data.dtype)


class AdamW(Adam):
    """Adam with decoupled weight decay: parameters shrink by ``lr * weight_decay`` each
    step, apart from the adaptive gradient step (Loshchilov and Hutter)."""

    decoupled = True

    def __init__(self, params: Iterable[Tensor], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01) -> None:  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay)
