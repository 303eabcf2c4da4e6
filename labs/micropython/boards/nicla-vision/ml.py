# Mock OpenMV `ml`: a model that always gives the same, deterministic scores. For frame k
# (the k-th snapshot) the label k % len(labels) scores 0.75 and the others share 0.25,
# so a classification loop visibly changes its answer from frame to frame.
# ruff: noqa: UP031 (%-formatting: the same on every MicroPython build)
import _sim

DEFAULT_LABELS = ("background", "person", "object")


class _Scores:
    """Enough of a ulab ndarray for model outputs: shape, flatten(), tolist(), indexing."""

    def __init__(self, values, shape):
        self._values = list(values)
        self.shape = shape

    def flatten(self):
        return _Scores(self._values, (len(self._values),))

    def tolist(self):
        if len(self.shape) == 1:
            return list(self._values)
        n = self.shape[1]
        return [self._values[i : i + n] for i in range(0, len(self._values), n)]

    def __getitem__(self, i):
        return self.tolist()[i]

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        return "array(%r, dtype=float32)" % (self.tolist(),)


def _scores(count, frame):
    if count == 1:
        return [1.0]
    rest = 0.25 / (count - 1)
    return [0.75 if i == frame % count else rest for i in range(count)]


class Model:
    def __init__(self, path, load_to_fb=False):
        self.path = path
        self.labels = list(_sim.labels or DEFAULT_LABELS)
        self.input_shape = [(1, 96, 96, 3)]
        self.input_dtype = ["b"]
        self.output_shape = [(1, len(self.labels))]
        self.output_dtype = ["f"]

    def predict(self, inputs, callback=None):
        """One output per model output tensor (here one: the scores), as OpenMV returns."""
        images = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        frame = getattr(images[0], "_frame", 0) if images else 0
        outputs = [_Scores(_scores(len(self.labels), frame), (1, len(self.labels)))]
        return callback(self, images, outputs) if callback is not None else outputs

    def __repr__(self):
        return "Model(%r, labels=%r) [simulated]" % (self.path, self.labels)
