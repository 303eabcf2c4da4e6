"""Profiling: count a model's parameters, FLOPs and memory; time it (illustratively).

Counts come from running the model once on zeros: every matrix product reports its
FLOPs (2 per multiply-add; elementwise operations are not counted, as they are small
next to the products of dense and convolution layers), and every layer without
sub-layers reports its output, whose bytes are the activation memory a training step
keeps for the backward pass. Counts are exact and reproducible; wall-clock time depends
on the machine and its load, so print it only as an illustration.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..core import layers as _layers
from ..core import tensor as _tensor
from ..core.autograd import no_grad
from ..core.tensor import Tensor


def _as_input(x: Any) -> Tensor:
    """A Tensor as given, or zeros of a given shape (float32)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    return Tensor(np.zeros(tuple(x), dtype=np.float32))


class Profiler:
    """Measures one model at a time; every method takes the model and an input (or its shape)."""

    def count_parameters(self, model: Any) -> int:
        """Number of parameter values (quantized layers count their int8 weights)."""
        return int(model.num_parameters())

    def count_flops(self, model: Any, input_shape: Any) -> int:
        """FLOPs of one forward pass over an input of ``input_shape`` (or a given Tensor)."""
        counter = [0]
        _tensor._flop_counters.append(counter)
        try:
            with no_grad():
                model(_as_input(input_shape))
        finally:
            _tensor._flop_counters.remove(counter)
        return counter[0]

    def measure_memory(self, model: Any, input_shape: Any) -> dict[str, int]:
        """Bytes of parameters, of the input, and of the activations of one forward pass."""
        x = _as_input(input_shape)
        trace: list[tuple[Any, Tensor]] = []
        _layers._call_listeners.append(trace)
        try:
            with no_grad():
                model(x)
        finally:
            _layers._call_listeners.remove(trace)
        parameter_bytes = int(model.memory_footprint())
        activation_bytes = sum(out.memory_footprint() for _, out in trace)
        return {
            "parameter_bytes": parameter_bytes,
            "input_bytes": x.memory_footprint(),
            "activation_bytes": activation_bytes,
            "total_bytes": parameter_bytes + x.memory_footprint() + activation_bytes,
        }

    def measure_latency(self, model: Any, input_tensor: Any, warmup: int = 3,
                        iterations: int = 10) -> float:  # fmt: skip
        """Median wall-clock milliseconds of a forward pass: illustrative, not reproducible."""
        x = _as_input(input_tensor)
        with no_grad():
            for _ in range(warmup):
                model(x)
            times = []
            for _ in range(iterations):
                start = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - start) * 1000.0)
        return float(np.median(times))

    def profile(self, model: Any, input_shape: Any) -> dict[str, int]:
        """Parameters, FLOPs and memory together."""
        memory = self.measure_memory(model, input_shape)
        return {"parameters": self.count_parameters(model),
                "flops": self.count_flops(model, input_shape), **memory}  # fmt: skip


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024**2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024**2:.1f} MiB"


def quick_profile(model: Any, input_tensor: Any, measure_time: bool = False) -> dict[str, Any]:
    """Print and return a model's parameter, FLOP and memory counts; with
    ``measure_time=True`` also a latency, marked as illustrative."""
    profiler = Profiler()
    report: dict[str, Any] = profiler.profile(model, input_tensor)
    print(f"parameters:        {report['parameters']:,}")
    print(f"FLOPs per forward: {report['flops']:,}")
    print(f"parameter memory:  {_size(report['parameter_bytes'])}")
    print(f"activation memory: {_size(report['activation_bytes'])}")
    if measure_time:
        report["latency_ms"] = profiler.measure_latency(model, input_tensor)
        print(f"latency:           {report['latency_ms']:.3f} ms (illustrative)")
    return report
