"""Lab: int8 quantization, its memory saving and its rounding error.

Regions: ``quantize``, ``error``, ``outlier``, ``model``. Each runs after everything above it.
"""

import numpy as np
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.tensor import Tensor
from tinytorch.perf.quantization import Quantizer, dequantize_int8, quantize_int8

np.random.seed(0)

# region quantize
weights = Tensor(np.random.randn(256, 256) * 0.05)
q, scale, zero_point = quantize_int8(weights)
print(f"scale = {scale:.6f}, zero point = {zero_point}, stored as {q.dtype}")
print(
    f"memory: {weights.memory_footprint():,} bytes -> {q.memory_footprint():,} bytes "
    f"({weights.memory_footprint() // q.memory_footprint()}x smaller)"
)
# endregion

# region error
restored = dequantize_int8(q, scale, zero_point)
error = np.abs(weights.data - restored.data)
print(f"largest error {error.max():.6f}, at most half a step: scale / 2 = {scale / 2:.6f}")
print(
    f"mean error    {error.mean():.6f}, as uniform rounding predicts: scale / 4 = {scale / 4:.6f}"
)
# endregion

# region outlier
with_outlier = weights.data.copy()
with_outlier[0, 0] = 2.0  # one large weight stretches the range for all the others
q2, scale2, zp2 = quantize_int8(with_outlier)
error2 = np.abs(with_outlier - dequantize_int8(q2, scale2, zp2).data)
print(
    f"one outlier: scale {scale2 / scale:.1f}x larger, mean error {error2.mean() / error.mean():.1f}x larger"
)
# endregion

# region model
model = Sequential(Linear(64, 128), ReLU(), Linear(128, 10))
x = Tensor(np.random.randn(16, 64))
before, size_before = model(x).data, model.memory_footprint()
Quantizer().quantize_model(model)
after = model(x).data
print(f"model: {size_before:,} -> {model.memory_footprint():,} bytes")
print(
    f"largest change in the outputs: {np.abs(after - before).max():.4f} "
    f"(outputs span {before.min():.2f} to {before.max():.2f})"
)
print(f"same predicted class for {np.mean(after.argmax(1) == before.argmax(1)):.0%} of the inputs")
# endregion
