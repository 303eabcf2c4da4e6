"""Lab: what an optimizer's state costs in memory.

Regions (for ``{.tinytorch file="labs/tinytorch/optim_memory.py" region="..."}``):
``model``, ``sgd``, ``adam``, ``scale``. Each region runs after everything above it.
"""

import numpy as np
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.tensor import Tensor

np.random.seed(0)
MiB = 2**20


def one_training_step(model, optimizer):
    """Forward, backward and update on one random batch of 32 MNIST-sized images."""
    images = Tensor(np.random.randn(32, 784))
    labels = np.random.randint(0, 10, size=32)
    loss = CrossEntropyLoss()(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


# region model
model = Sequential(Linear(784, 256), ReLU(), Linear(256, 10))
param_bytes = model.memory_footprint()
print(f"parameters: {model.num_parameters():,} values, {param_bytes / MiB:.2f} MiB as float32")
# endregion

# region sgd
sgd = SGD(model.parameters(), lr=0.01, momentum=0.9)
one_training_step(model, sgd)
print(
    f"SGD with momentum keeps {sgd.state_bytes() / MiB:.2f} MiB of state "
    f"= {sgd.state_bytes() / param_bytes:.0f}x the parameters"
)
# endregion

# region adam
adam = Adam(model.parameters(), lr=0.001)
print(f"Adam state before its first step: {adam.state_bytes()} bytes")
one_training_step(model, adam)
state = adam.state_bytes()
print(
    f"Adam state after one step: {state / MiB:.2f} MiB = {state / param_bytes:.0f}x the parameters"
)
grad_bytes = sum(p.grad.memory_footprint() for p in model.parameters())
total = param_bytes + grad_bytes + state
print(
    f"weights + gradients + Adam state = {total / MiB:.2f} MiB = {total / param_bytes:.0f}x the weights"
)
# endregion

# region scale
ratio = total / param_bytes
for billions in (1, 7, 70):
    weights_gb = billions * 1e9 * 4 / 1e9
    print(
        f"{billions:>2}B parameters: {weights_gb:,.0f} GB of weights, "
        f"{weights_gb * ratio:,.0f} GB to train with Adam (before activations)"
    )
# endregion
