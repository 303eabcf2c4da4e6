"""perf: int8 quantization error bounds, pruning sparsity, profiler counts."""

from __future__ import annotations

import numpy as np
import pytest
from tinytorch.core import tensor as tensor_module
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Layer, Linear, Sequential
from tinytorch.core.spatial import Conv2d
from tinytorch.core.tensor import Tensor
from tinytorch.perf.compression import magnitude_prune, measure_sparsity, structured_prune
from tinytorch.perf.profiling import Profiler, quick_profile
from tinytorch.perf.quantization import (
    QuantizedLinear,
    Quantizer,
    dequantize_int8,
    quantize_int8,
)

DISTRIBUTIONS = {
    "normal": lambda rng: rng.normal(0, 0.05, (64, 64)),
    "positive": lambda rng: rng.uniform(0.5, 3.0, (100,)),
    "negative": lambda rng: rng.uniform(-7.0, -1.0, (10, 10)),
    "outlier": lambda rng: np.append(rng.normal(0, 0.01, 999), 4.0),
    "tiny": lambda rng: rng.normal(0, 1e-6, (50,)),
}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_int8_round_trip_error_is_at_most_half_a_step(name):
    x = DISTRIBUTIONS[name](np.random.default_rng(0)).astype(np.float32)
    q, scale, zero_point = quantize_int8(Tensor(x))
    assert q.dtype == np.int8 and q.shape == x.shape
    assert -128 <= zero_point <= 127
    low, high = min(x.min(), 0), max(x.max(), 0)
    assert scale == pytest.approx((high - low) / 255, rel=1e-6)
    error = np.abs(dequantize_int8(q, scale, zero_point).data - x)
    assert error.max() <= scale / 2 * (1 + 1e-4) + 1e-7 * np.abs(x).max()


def test_zero_is_exact_and_the_range_uses_all_levels():
    x = np.array([-1.0, 0.0, 0.3, 2.0], dtype=np.float32)
    q, scale, zero_point = quantize_int8(x)
    assert dequantize_int8(q, scale, zero_point).data[1] == 0.0
    assert q.data.min() == -128 and q.data.max() == 127


def test_all_zeros_quantize_with_unit_scale():
    q, scale, zero_point = quantize_int8(np.zeros(5))
    assert (scale, zero_point, q.data.tolist()) == (1.0, 0, [0] * 5)


def test_quantized_linear_is_four_times_smaller_and_close():
    np.random.seed(0)
    layer = Linear(128, 64)
    ql = QuantizedLinear(layer)
    assert ql.q_weight.dtype == np.int8
    assert ql.memory_footprint() == 128 * 64 + 64 * 4 + 8
    assert layer.memory_footprint() == (128 * 64 + 64) * 4
    assert ql.parameters() == [] and ql.num_parameters() == layer.num_parameters()
    x = Tensor(np.random.randn(8, 128))
    bound = np.abs(x.data).sum(axis=1, keepdims=True) * ql.scale / 2
    assert np.all(np.abs(ql(x).data - layer(x).data) <= bound + 1e-5)
    assert repr(ql) == "QuantizedLinear(in_features=128, out_features=64)"


def test_quantizer_replaces_linear_layers_in_place():
    model = Sequential(Linear(16, 8), ReLU(), Sequential(Linear(8, 4)))
    params, size = model.num_parameters(), model.memory_footprint()
    q = Quantizer()
    assert q.quantize_model(model) is model
    assert isinstance(model[0], QuantizedLinear) and isinstance(model[2][0], QuantizedLinear)
    assert model.num_parameters() == params
    assert model.memory_footprint() < size / 3
    assert isinstance(q.quantize_model(Linear(2, 2)), QuantizedLinear)

    class Net(Layer):
        def __init__(self):
            self.fc = Linear(4, 2)

    net = q.quantize_model(Net())
    assert isinstance(net.fc, QuantizedLinear)


def test_magnitude_prune_zeroes_exactly_the_smallest_weights_not_biases():
    np.random.seed(0)
    model = Sequential(Linear(50, 20), ReLU(), Linear(20, 10))
    before = [p.data.copy() for p in model.parameters()]
    assert magnitude_prune(model, sparsity=0.9) is model
    w = model[0].weight.data
    assert np.count_nonzero(w == 0) == 900
    kept = np.abs(before[0][w != 0])
    assert kept.min() >= np.abs(before[0][w == 0]).max()
    np.testing.assert_array_equal(model[0].bias.data, before[1])
    assert measure_sparsity(model[0].weight) == pytest.approx(90.0)
    total = model.num_parameters()
    assert measure_sparsity(model) == pytest.approx(100.0 * (900 + 180) / total)


def test_magnitude_prune_of_a_tensor_and_bad_sparsity():
    t = Tensor([0.5, -0.1, 0.3, -0.9])
    magnitude_prune(t, 0.5)
    assert t.data.tolist() == pytest.approx([0.5, 0.0, 0.0, -0.9])
    with pytest.raises(ValueError, match=r"^sparsity must be between 0 and 1, got 90$"):
        magnitude_prune(t, 90)


def test_structured_prune_zeroes_whole_output_units():
    np.random.seed(0)
    model = Sequential(Linear(10, 8), ReLU(), Conv2d(3, 4, 3))
    structured_prune(model, prune_ratio=0.5)
    w, b = model[0].weight.data, model[0].bias.data
    dead = np.all(w == 0, axis=0)
    assert dead.sum() == 4 and np.all(b[dead] == 0) and np.all(b[~dead] != 0)
    filters = model[2].weight.data.reshape(4, -1)
    assert np.all(filters == 0, axis=1).sum() == 2
    with pytest.raises(ValueError, match=r"^prune_ratio must be between 0 and 1, got -1$"):
        structured_prune(model, -1)


def test_measure_sparsity_is_a_percentage():
    assert measure_sparsity(Tensor([0.0, 1.0, 0.0, 2.0])) == 50.0
    assert measure_sparsity(Sequential(ReLU())) == 0.0


def _mlp():
    np.random.seed(0)
    return Sequential(Linear(784, 128), ReLU(), Linear(128, 10))


def test_profiler_counts_parameters_flops_and_memory():
    model, p = _mlp(), Profiler()
    assert p.count_parameters(model) == 101_770
    assert p.count_flops(model, (32, 784)) == 2 * 32 * (784 * 128 + 128 * 10)
    memory = p.measure_memory(model, (32, 784))
    assert memory == {
        "parameter_bytes": 101_770 * 4,
        "input_bytes": 32 * 784 * 4,
        "activation_bytes": (32 * 128 * 2 + 32 * 10) * 4,
        "total_bytes": 101_770 * 4 + 32 * 784 * 4 + (32 * 128 * 2 + 32 * 10) * 4,
    }
    assert p.profile(model, Tensor(np.zeros((1, 784))))["flops"] == 2 * (784 * 128 + 128 * 10)


def test_conv_flops_are_those_of_its_im2col_product():
    conv = Conv2d(3, 16, kernel_size=3, padding=1)
    assert Profiler().count_flops(conv, (2, 3, 32, 32)) == 2 * (3 * 3 * 3) * 16 * 32 * 32 * 2


def test_flop_counter_is_removed_even_when_the_model_fails():
    with pytest.raises(ValueError):
        Profiler().count_flops(Linear(3, 2), (1, 4))
    assert tensor_module._flop_counters == []


def test_latency_is_a_positive_number_of_milliseconds():
    assert Profiler().measure_latency(_mlp(), (1, 784), warmup=1, iterations=3) > 0


def test_quick_profile_prints_counts(capsys):
    report = quick_profile(_mlp(), (32, 784))
    assert capsys.readouterr().out == (
        "parameters:        101,770\n"
        "FLOPs per forward: 6,504,448\n"
        "parameter memory:  397.5 KiB\n"
        "activation memory: 33.2 KiB\n"
    )
    assert "latency_ms" not in report
    timed = quick_profile(_mlp(), (1, 784), measure_time=True)
    assert capsys.readouterr().out.splitlines()[-1].endswith(" ms (illustrative)")
    assert timed["latency_ms"] > 0
