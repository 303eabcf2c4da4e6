"""Lab: magnitude pruning, the sparsity it reaches, and what it does (not) save.

Regions: ``prune``, ``cost``, ``structured``. Each runs after everything above it.
"""

import numpy as np
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.tensor import Tensor
from tinytorch.perf.compression import magnitude_prune, measure_sparsity, structured_prune
from tinytorch.perf.profiling import Profiler

np.random.seed(0)

# region prune
model = Sequential(Linear(256, 128), ReLU(), Linear(128, 10))
x = Tensor(np.random.randn(8, 256))
before = model(x).data
print(f"before pruning: {measure_sparsity(model):.1f}% of the parameters are zero")
magnitude_prune(model, sparsity=0.9)
print(
    f"after magnitude_prune(sparsity=0.9): {measure_sparsity(model):.1f}% "
    f"(first weight matrix: {measure_sparsity(model[0].weight):.1f}%; biases are kept)"
)
change = np.abs(model(x).data - before).max()
print(f"largest change in the outputs: {change:.3f}")
# endregion

# region cost
profiler = Profiler()
nonzero = sum(int(np.count_nonzero(p.data)) for p in model.parameters())
dense_bytes = model.memory_footprint()
sparse_bytes = nonzero * (4 + 4)  # each kept value with a 4-byte index
print(f"dense storage: {dense_bytes:,} bytes; as (value, index) pairs: {sparse_bytes:,} bytes")
print(f"FLOPs on dense hardware, pruned or not: {profiler.count_flops(model, (1, 256)):,}")
# endregion

# region structured
model2 = Sequential(Linear(256, 128), ReLU(), Linear(128, 10))
structured_prune(model2[0], prune_ratio=0.5)
alive = int(np.any(model2[0].weight.data != 0, axis=0).sum())
print(f"structured_prune(prune_ratio=0.5): {alive} of 128 hidden units left")
print(
    f"so the layer can shrink to Linear(256, {alive}): "
    f"{profiler.count_flops(Sequential(Linear(256, alive), ReLU(), Linear(alive, 10)), (1, 256)):,} FLOPs "
    f"instead of {profiler.count_flops(model2, (1, 256)):,}"
)
# endregion
