"""TinyTorch's systems modules: profiling, quantization and compression. Import them by
path, e.g. ``from tinytorch.perf.quantization import quantize_int8``."""
