"""tinytorch: the book's small, original reference TinyTorch (numpy only).

Same import paths and names as the TinyTorch course (``tinytorch.core.tensor.Tensor``,
``tinytorch.perf.quantization.quantize_int8``, ...), so a lab reads like the course and
also runs against a student's own TinyTorch. The names below are also available from the
top level (``from tinytorch import Tensor``); they load on first use, so ``import tinytorch``
is cheap and an ImportError inside a module surfaces as it is.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "tinytorch.core.tensor": ["Tensor"],
    "tinytorch.core.activations": ["ReLU", "Sigmoid", "Tanh", "GELU", "Softmax"],
    "tinytorch.core.layers": ["Layer", "Linear", "Dropout", "Sequential"],
    "tinytorch.core.losses": [
        "MSELoss", "CrossEntropyLoss", "BinaryCrossEntropyLoss", "log_softmax",
    ],
    "tinytorch.core.autograd": ["enable_autograd", "no_grad", "Function"],
    "tinytorch.core.optimizers": ["SGD", "Adam", "AdamW"],
    "tinytorch.core.spatial": ["Conv2d", "MaxPool2d"],
    "tinytorch.core.attention": ["MultiHeadAttention", "scaled_dot_product_attention"],
    "tinytorch.perf.profiling": ["Profiler", "quick_profile"],
    "tinytorch.perf.quantization": [
        "Quantizer", "quantize_int8", "dequantize_int8", "QuantizedLinear",
    ],
    "tinytorch.perf.compression": ["magnitude_prune", "structured_prune", "measure_sparsity"],
}  # fmt: skip
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_WHERE]


def __getattr__(name: str) -> Any:
    if name in ("core", "perf"):
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _WHERE:
        raise AttributeError(f"module 'tinytorch' has no attribute '{name}'")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
