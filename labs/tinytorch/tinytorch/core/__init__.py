"""TinyTorch's core modules: tensor, activations, layers, losses, autograd, optimizers,
spatial (convolution) and attention. Import them by path, e.g.
``from tinytorch.core.tensor import Tensor``."""
