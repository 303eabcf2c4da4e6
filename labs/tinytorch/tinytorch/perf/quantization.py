"""Post-training int8 quantization: affine (scale, zero point) mapping of float32 values.

``q = clip(round(x / scale) + zero_point, -128, 127)`` and back ``x ~ (q - zero_point) * scale``.
The range always includes 0 (so zero is exact, as padding and ReLU outputs need), and
every value inside the range comes back within ``scale / 2`` of where it started.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.layers import Layer, Linear, Sequential
from ..core.tensor import Tensor

INT8_MIN, INT8_MAX = -128, 127


def quantize_int8(tensor: Any) -> tuple[Tensor, float, int]:
    """``(q, scale, zero_point)``: the int8 tensor and the parameters to undo it."""
    x = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor, dtype=np.float64)
    low, high = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    if high == low:  # all zeros: any scale is exact
        return Tensor(np.zeros(x.shape, dtype=np.int8)), 1.0, 0
    scale = (high - low) / (INT8_MAX - INT8_MIN)
    zero_point = int(np.clip(round(INT8_MIN - low / scale), INT8_MIN, INT8_MAX))
    q = np.clip(np.round(x / scale) + zero_point, INT8_MIN, INT8_MAX).astype(np.int8)
    return Tensor(q), scale, zero_point


def dequantize_int8(q: Any, scale: float, zero_point: int) -> Tensor:
    """float32 values back from int8 ones."""
    values = np.asarray(q.data if isinstance(q, Tensor) else q).astype(np.float32)
    return Tensor(((values - zero_point) * scale).astype(np.float32))


class QuantizedLinear(Layer):
    """A Linear layer whose weight is stored as int8 (4x smaller than float32).

    Inference only: the weight is dequantized for each forward pass ("weight-only"
    quantization), so outputs differ from the float layer by the rounding error alone.
    """

    def __init__(self, linear: Linear) -> None:
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.q_weight, self.scale, self.zero_point = quantize_int8(linear.weight)
        self.bias = None if linear.bias is None else linear.bias.detach()

    def forward(self, x: Tensor) -> Tensor:
        out = x @ dequantize_int8(self.q_weight, self.scale, self.zero_point)
        return out + self.bias if self.bias is not None else out

    def parameters(self) -> list[Tensor]:
        return []  # frozen: nothing for an optimizer to update

    def num_parameters(self) -> int:
        return self.q_weight.size + (self.bias.size if self.bias is not None else 0)

    def memory_footprint(self) -> int:
        """int8 weight + float32 bias + one float32 scale and one int32 zero point."""
        bias = self.bias.memory_footprint() if self.bias is not None else 0
        return self.q_weight.memory_footprint() + bias + 4 + 4

    def __repr__(self) -> str:
        return f"QuantizedLinear(in_features={self.in_features}, out_features={self.out_features})"


class Quantizer:
    """Quantizes tensors, and a model's Linear layers in place."""

    def quantize_tensor(self, tensor: Any) -> tuple[Tensor, float, int]:
        return quantize_int8(tensor)

    def dequantize_tensor(self, q: Any, scale: float, zero_point: int) -> Tensor:
        return dequantize_int8(q, scale, zero_point)

    def quantize_model(self, model: Layer) -> Layer:
        """Replace every Linear inside ``model`` by a QuantizedLinear; returns the model
        (or, when ``model`` is itself a Linear, its quantized replacement)."""
        if isinstance(model, Linear):
            return QuantizedLinear(model)
        if isinstance(model, Sequential):
            model.layers = [self.quantize_model(layer) for layer in model.layers]
            return model
        for name, value in list(vars(model).items()):
            if isinstance(value, Layer):
                setattr(model, name, self.quantize_model(value))
        return model
