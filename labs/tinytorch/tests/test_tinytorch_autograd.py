"""Autograd: every operation's backward() against central finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_gradients, leaf
from tinytorch.core import activations as act
from tinytorch.core import losses
from tinytorch.core.attention import MultiHeadAttention, scaled_dot_product_attention
from tinytorch.core.autograd import enable_autograd, is_grad_enabled, no_grad
from tinytorch.core.layers import Linear
from tinytorch.core.spatial import Conv2d, MaxPool2d
from tinytorch.core.tensor import Tensor


def _float64(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    return layer


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rsub": lambda a, b: 1.0 - a * b,
    "rdiv": lambda a, b: 2.0 / a + b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_with_broadcasting(name):
    a, b = leaf((2, 3), 1), leaf((3,), 2)
    check_gradients(lambda: BINARY[name](a, b), a, b)


def test_broadcast_over_a_size_one_axis():
    a, b = leaf((4, 1), 3), leaf((1, 5), 4)
    check_gradients(lambda: a * b + a, a, b)


UNARY = {
    "neg": lambda x: -x,
    "pow": lambda x: x**3,
    "sqrt": lambda x: (x * x).sqrt(),
    "exp": lambda x: x.exp(),
    "log": lambda x: (x * x).log(),
    "clip": lambda x: x.clip(-1.0, 1.0),
    "sum_axis": lambda x: x.sum(axis=1),
    "sum_keepdims": lambda x: x.sum(axis=0, keepdims=True) * x,
    "mean": lambda x: x.mean(),
    "mean_axis": lambda x: x.mean(axis=(0, 2)),
    "max": lambda x: x.max(),
    "max_axis": lambda x: x.max(axis=-1),
    "reshape": lambda x: x.reshape(6, -1) * Tensor(np.arange(4.0)),
    "transpose": lambda x: x.transpose(0, 2) * Tensor(np.arange(2.0)),
    "getitem": lambda x: x[np.array([0, 0, 1]), 1] * 2,
    "relu": act.ReLU(),
    "sigmoid": act.Sigmoid(),
    "tanh": act.Tanh(),
    "gelu": act.GELU(),
    "softmax": lambda x: act.Softmax()(x) * Tensor(np.arange(4.0)),
    "log_softmax": lambda x: losses.log_softmax(x, dim=1) * Tensor(np.arange(3.0))[:, None],
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops(name):
    x = leaf((2, 3, 4), 5)
    check_gradients(lambda: UNARY[name](x), x)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ((3, 4), (4, 2)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((5, 3, 4), (4, 2)),
        ((2, 1, 3, 4), (5, 4, 2)),
    ],
)
def test_matmul_shapes(left, right):
    a, b = leaf(left, 6), leaf(right, 7)
    check_gradients(lambda: a @ b, a, b)


def test_losses():
    logits, probs = leaf((4, 3), 8), leaf((4, 1), 9, low=0.05, high=0.95)
    pred = leaf((4, 3), 10)
    one_hot = np.eye(3)[[0, 2, 1, 2]]
    check_gradients(lambda: losses.CrossEntropyLoss()(logits, [0, 2, 1, 2]), logits)
    check_gradients(lambda: losses.CrossEntropyLoss()(logits, one_hot), logits)
    check_gradients(lambda: losses.MSELoss()(pred, np.ones((4, 3))), pred)
    check_gradients(lambda: losses.BinaryCrossEntropyLoss()(probs, [[1], [0], [1], [0]]), probs)


def test_cross_entropy_value_and_bad_targets():
    logits = Tensor(np.zeros((2, 4)))
    assert losses.CrossEntropyLoss()(logits, [1, 3]).item() == pytest.approx(np.log(4))
    with pytest.raises(
        ValueError,
        match=r"^CrossEntropyLoss targets must be class indices of shape \(2,\) or probabilities of shape \(2, 4\); got shape \(3,\)$",
    ):
        losses.CrossEntropyLoss()(logits, [1, 2, 3])


def test_layers_in_float64():
    np.random.seed(0)
    x = leaf((2, 5), 11)
    lin = _float64(Linear(5, 3))
    check_gradients(lambda: lin(x), x, lin.weight, lin.bias)
    img = leaf((2, 2, 5, 5), 12)
    conv = _float64(Conv2d(2, 3, kernel_size=3, stride=2, padding=1))
    check_gradients(lambda: conv(img), img, conv.weight, conv.bias)
    check_gradients(lambda: MaxPool2d(2)(img[:, :, :4, :4]), img)


def test_attention():
    np.random.seed(1)
    q, k, v = leaf((2, 3, 4), 13), leaf((2, 3, 4), 14), leaf((2, 3, 4), 15)
    causal = np.tril(np.ones((3, 3)))
    check_gradients(lambda: scaled_dot_product_attention(q, k, v, causal)[0], q, k, v)
    mha = _float64(MultiHeadAttention(4, 2))
    check_gradients(lambda: mha(q), q, mha.q_proj.weight, mha.out_proj.bias)


def test_reused_tensor_gets_the_sum_of_both_paths():
    x = Tensor([3.0], requires_grad=True)
    (x * x + x).backward()
    assert x.grad.data.tolist() == [7.0]


def test_gradients_accumulate_until_zeroed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.data.tolist() == [6.0, 6.0]
    x.zero_grad()
    assert x.grad is None


def test_grad_is_a_tensor_of_the_parameter_dtype():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (w * 2.0).sum().backward()
    assert isinstance(w.grad, Tensor) and w.grad.dtype == np.float32


def test_backward_on_a_constant_says_what_to_do():
    with pytest.raises(
        RuntimeError,
        match=r"^backward\(\) on a tensor that does not require grad: create the inputs it was computed from with requires_grad=True$",
    ):
        Tensor([1.0]).backward()


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"^backward\(\) without a gradient needs a one-element tensor \(a loss\); this one has shape \(2, 3\): pass gradient= of that shape$",
    ):
        (x * 2).backward()
    (x * 2).backward(np.ones((2, 3)))
    assert x.grad.data.tolist() == [[2.0] * 3] * 2


def test_no_grad_records_nothing_and_restores():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y._grad_fn is None


def test_enable_autograd_is_a_no_op_for_course_compatibility():
    assert enable_autograd() is None
    x = Tensor([2.0], requires_grad=True)
    (x * x).backward()
    assert x.grad.data.tolist() == [4.0]


def test_a_long_chain_does_not_hit_the_recursion_limit():
    x = Tensor([0.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + 1.0
    y.backward()
    assert x.grad.data.tolist() == [1.0]
