"""Optimizers: exact update rules, state memory, and that training actually learns."""

from __future__ import annotations

import numpy as np
import pytest
from tinytorch.core.layers import Linear
from tinytorch.core.losses import MSELoss
from tinytorch.core.optimizers import SGD, Adam, AdamW
from tinytorch.core.tensor import Tensor


def _param(values, grad):
    p = Tensor(np.array(values, dtype=np.float64), dtype=np.float64, requires_grad=True)
    p.grad = Tensor(np.array(grad, dtype=np.float64), dtype=np.float64)
    return p


def test_sgd_step():
    p = _param([1.0, -2.0], [0.5, 1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.1])


def test_sgd_momentum_accumulates_velocity():
    p = _param([0.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # v = 1
    opt.step()  # v = 0.9 * 1 + 1 = 1.9
    np.testing.assert_allclose(p.data, [-0.1 - 0.19])


def test_sgd_weight_decay_adds_l2_gradient():
    p = _param([2.0], [0.0])
    SGD([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.1 * 0.5 * 2.0])


def _reference_adam(p, grads, lr, b1, b2, eps, wd=0.0, decoupled=False):
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        if wd and decoupled:
            p = p - lr * wd * p
        elif wd:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p


@pytest.mark.parametrize(("cls", "wd"), [(Adam, 0.0), (Adam, 0.1), (AdamW, 0.1)])
def test_adam_and_adamw_match_the_textbook_update(cls, wd):
    grads = [np.array([0.3, -1.0]), np.array([0.1, 0.5]), np.array([-0.2, 0.2])]
    p = _param([1.0, 2.0], grads[0])
    opt = cls([p], lr=0.01, betas=(0.8, 0.99), eps=1e-8, weight_decay=wd)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    expected = _reference_adam(np.array([1.0, 2.0]), grads, 0.01, 0.8, 0.99, 1e-8, wd, cls is AdamW)
    np.testing.assert_allclose(p.data, expected, rtol=1e-12)


def test_adam_first_step_moves_each_weight_by_about_lr():
    p = _param([0.0, 0.0], [1e-3, -50.0])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [-0.01, 0.01], rtol=1e-4)


def test_state_memory_sgd_zero_momentum_one_adam_two_times_the_parameters():
    layer = Linear(256, 128)
    param_bytes = layer.memory_footprint()
    for opt, ratio in [(SGD(layer.parameters()), 0),
                       (SGD(layer.parameters(), momentum=0.9), 1),
                       (Adam(layer.parameters()), 2),
                       (AdamW(layer.parameters()), 2)]:  # fmt: skip
        assert opt.state_bytes() == 0  # state appears at the first step, as in PyTorch
        for p in layer.parameters():
            p.grad = Tensor(np.ones(p.shape, dtype=np.float32))
        opt.step()
        assert opt.state_bytes() == ratio * param_bytes


def test_parameters_without_gradient_are_left_alone_and_zero_grad_clears():
    a, b = _param([1.0], [1.0]), _param([1.0], [1.0])
    b.grad = None
    opt = Adam([a, b], lr=0.1)
    opt.step()
    assert b.data.tolist() == [1.0] and a.data.tolist() != [1.0]
    opt.zero_grad()
    assert a.grad is None


def test_parameter_dtype_is_kept():
    layer = Linear(3, 2)
    for p in layer.parameters():
        p.grad = Tensor(np.ones(p.shape))
    Adam(layer.parameters()).step()
    assert layer.weight.dtype == np.float32


def test_bad_arguments_say_what_to_pass():
    with pytest.raises(
        ValueError, match=r"^the optimizer got no parameters: pass model.parameters\(\)$"
    ):
        SGD([])
    with pytest.raises(ValueError, match=r"^learning rate must be positive, got 0$"):
        Adam([_param([1.0], [1.0])], lr=0)


@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.05)]
)
def test_training_a_linear_regression_converges(make):
    np.random.seed(0)
    x = np.random.randn(64, 3).astype(np.float32)
    y = x @ np.array([[2.0], [-1.0], [0.5]], dtype=np.float32) + 0.3
    layer = Linear(3, 1)
    opt = make(layer.parameters())
    for _ in range(300):
        loss = MSELoss()(layer(Tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-4
    np.testing.assert_allclose(layer.weight.data.ravel(), [2.0, -1.0, 0.5], atol=0.01)
