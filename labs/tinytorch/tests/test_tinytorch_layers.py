"""Layers: shapes, initialisation, parameters(), modes, Dropout, Sequential."""

from __future__ import annotations

import numpy as np
import pytest
from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.layers import Dropout, Layer, Linear, Sequential
from tinytorch.core.tensor import Tensor


def test_linear_shapes_init_bound_and_repr():
    np.random.seed(0)
    layer = Linear(100, 7)
    assert layer.weight.shape == (100, 7) and layer.bias.shape == (7,)
    assert layer.weight.dtype == np.float32
    assert np.abs(layer.weight.data).max() <= 0.1  # 1/sqrt(100)
    assert layer(Tensor(np.ones((4, 100)))).shape == (4, 7)
    assert repr(layer) == "Linear(in_features=100, out_features=7, bias=True)"
    assert Linear(3, 2, bias=False).parameters()[0].shape == (3, 2)


def test_initial_weights_follow_numpy_seed():
    np.random.seed(42)
    first = Linear(4, 4).weight.data.copy()
    np.random.seed(42)
    assert np.array_equal(first, Linear(4, 4).weight.data)


def test_parameters_counts_and_memory_of_a_model():
    model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
    assert [p.shape for p in model.parameters()] == [(784, 128), (128,), (128, 10), (10,)]
    assert model.num_parameters() == 784 * 128 + 128 + 128 * 10 + 10 == 101_770
    assert model.memory_footprint() == 101_770 * 4


def test_custom_layer_finds_parameters_in_attributes_and_lists_once():
    class Net(Layer):
        def __init__(self):
            self.shared = Linear(2, 2)
            self.blocks = [self.shared, Linear(2, 1)]
            self.scale = Tensor([1.0], requires_grad=True)
            self.constant = Tensor([2.0])

        def forward(self, x):
            return self.blocks[1](self.shared(x)) * self.scale

    net = Net()
    assert len(net.parameters()) == 1 + 2 + 2  # scale, shared (once), second Linear
    assert net(Tensor(np.ones((3, 2)))).shape == (3, 1)


def test_dropout_scales_kept_values_and_is_identity_in_eval_mode():
    np.random.seed(0)
    x = Tensor(np.ones((1000, 100)))
    drop = Dropout(0.25)
    y = drop(x).data
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert drop.eval()(x) is x
    assert Dropout(0.0)(x) is x
    assert np.all(Dropout(1.0)(x).data == 0)
    with pytest.raises(ValueError, match=r"^Dropout probability must be between 0 and 1, got 1.5$"):
        Dropout(1.5)


def test_train_and_eval_reach_nested_layers():
    model = Sequential(Linear(2, 2), Sequential(Dropout(0.5)))
    model.eval()
    assert model[1][0].training is False
    model.train()
    assert model[1][0].training is True


def test_sequential_container_protocol_and_repr():
    model = Sequential([Linear(2, 3), ReLU()])
    assert len(model) == 2 and isinstance(model[1], ReLU) and next(iter(model)) is model[0]
    assert repr(model) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )


def test_layer_without_forward_says_so():
    with pytest.raises(NotImplementedError, match=r"^Layer does not define forward\(\)$"):
        Layer()(Tensor([1.0]))


def test_activation_values():
    x = Tensor([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(ReLU()(x).data, [0.0, 0.0, 3.0])
    np.testing.assert_allclose(Sigmoid()(x).data, 1 / (1 + np.exp([2.0, 0.0, -3.0])), rtol=1e-6)
    np.testing.assert_allclose(Tanh().forward(x).data, np.tanh([-2.0, 0.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(GELU()(x).data, [-0.04540, 0.0, 2.99636], atol=1e-4)
    probs = Softmax()(Tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])).data
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(probs[1], [1 / 3] * 3, rtol=1e-6)  # no overflow
    assert Sigmoid()(Tensor([-1000.0, 1000.0])).data.tolist() == [0.0, 1.0]
