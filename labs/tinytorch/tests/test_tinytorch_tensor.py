"""Tensor: construction, dtypes, arithmetic with broadcasting, shapes, reductions, memory."""

from __future__ import annotations

import numpy as np
import pytest
from tinytorch.core.tensor import Tensor


def test_python_floats_default_to_float32_and_ints_stay_integers():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.zeros(3)).dtype == np.float32  # float64 arrays too
    assert Tensor([1, 2, 3]).dtype.kind == "i"
    assert Tensor(np.zeros(3), dtype=np.float64).dtype == np.float64


def test_constructor_copies_its_input():
    source = np.ones(3, dtype=np.float32)
    t = Tensor(source)
    t.data[0] = 5
    assert source[0] == 1


def test_shape_size_dtype_ndim():
    t = Tensor(np.zeros((2, 3, 4), dtype=np.float32))
    assert (t.shape, t.size, t.dtype, t.ndim, len(t)) == ((2, 3, 4), 24, np.float32, 3, 2)


def test_memory_footprint_is_elements_times_item_size():
    activations = Tensor(np.zeros((32, 512, 768), dtype=np.float32))
    assert activations.memory_footprint() == 32 * 512 * 768 * 4 == 48 * 2**20
    assert Tensor(np.zeros(10, dtype=np.int8)).memory_footprint() == 10


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (lambda a, b: a + b, np.array([[11, 22, 33], [14, 25, 36]])),
        (lambda a, b: a - b, np.array([[-9, -18, -27], [-6, -15, -24]])),
        (lambda a, b: a * b, np.array([[10, 40, 90], [40, 100, 180]])),
        (lambda a, b: b / a, np.array([[10, 10, 10], [2.5, 4, 5]])),
    ],
)
def test_arithmetic_broadcasts_like_numpy(op, expected):
    a = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = Tensor([10.0, 20.0, 30.0])
    out = op(a, b)
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, expected)


def test_scalars_and_arrays_on_either_side_give_tensors_and_keep_float32():
    t = Tensor([1.0, 2.0])
    for out in (t + 1, 1 + t, t * 2.5, 2.5 * t, 1 - t, 2 / t, np.ones(2) + t, t - np.ones(2)):
        assert isinstance(out, Tensor)
    assert (t * 2.5).dtype == np.float32
    np.testing.assert_allclose((1 - t).data, [0.0, -1.0])
    np.testing.assert_allclose((2 / t).data, [2.0, 1.0])
    np.testing.assert_allclose((-t).data, [-1.0, -2.0])
    np.testing.assert_allclose((t**2).data, [1.0, 4.0])


def test_power_by_a_tensor_is_refused():
    with pytest.raises(TypeError, match=r"^Tensor \*\* Tensor is not supported: use a number"):
        Tensor([2.0]) ** Tensor([2.0])


def test_matmul_and_operator():
    a = Tensor(np.arange(6.0).reshape(2, 3))
    b = Tensor(np.arange(12.0).reshape(3, 4))
    np.testing.assert_allclose(
        (a @ b).data, np.arange(6.0).reshape(2, 3) @ np.arange(12.0).reshape(3, 4)
    )
    np.testing.assert_allclose(a.matmul(b).data, (a @ b).data)
    np.testing.assert_allclose((a @ Tensor([1.0, 1.0, 1.0])).data, [3.0, 12.0])
    np.testing.assert_allclose((np.ones((1, 2)) @ a).data, [[3.0, 5.0, 7.0]])
    batched = Tensor(np.ones((5, 2, 3))) @ b
    assert batched.shape == (5, 2, 4)


def test_matmul_of_shapes_that_do_not_fit_says_which_dimensions_differ():
    with pytest.raises(
        ValueError,
        match=r"^matmul: shapes \(32, 768\) and \(512, 10\) do not fit: the left has 768 columns, the right 512 rows$",
    ):
        Tensor(np.ones((32, 768))) @ Tensor(np.ones((512, 10)))
    with pytest.raises(ValueError, match=r"the left has 3 columns, the right 2 rows$"):
        Tensor(np.ones(3)) @ np.ones(2)


def test_reshape_accepts_sizes_or_a_tuple_and_minus_one():
    t = Tensor(np.arange(12.0))
    assert t.reshape(3, 4).shape == (3, 4)
    assert t.reshape((2, 6)).shape == (2, 6)
    assert t.reshape(-1, 3).shape == (4, 3)
    assert t.view(12).shape == (12,)


def test_transpose_swaps_the_last_two_axes_by_default():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.transpose().shape == (2, 4, 3)
    assert t.transpose(0, 2).shape == (4, 3, 2)
    assert Tensor(np.zeros((2, 3))).T.shape == (3, 2)
    assert Tensor(np.zeros(3)).transpose().shape == (3,)
    with pytest.raises(TypeError, match=r"^transpose\(\) takes no axes or two axes"):
        t.transpose(0)


def test_reductions():
    t = Tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    assert t.sum().item() == 21.0
    np.testing.assert_allclose(t.sum(axis=0).data, [5.0, 7.0, 9.0])
    assert t.mean(axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_allclose(t.mean(axis=1).data, [3.0, 4.0])
    assert t.max().item() == 6.0
    np.testing.assert_allclose(t.max(axis=1).data, [5.0, 6.0])


def test_indexing():
    t = Tensor(np.arange(12.0).reshape(3, 4))
    np.testing.assert_allclose(t[1].data, [4.0, 5.0, 6.0, 7.0])
    np.testing.assert_allclose(t[np.arange(3), Tensor([0, 1, 2])].data, [0.0, 5.0, 10.0])


def test_numpy_shares_memory_and_item_and_tolist():
    t = Tensor([1.0, 2.0])
    assert t.numpy() is t.data
    assert Tensor([[3.0]]).item() == 3.0
    assert t.tolist() == [1.0, 2.0]
    assert np.asarray(t).dtype == np.float32


def test_repr():
    assert repr(Tensor([1.0, 2.5])) == "Tensor([1. , 2.5], shape=(2,), dtype=float32)"
    assert repr(Tensor([1.0], requires_grad=True)) == (
        "Tensor([1.], shape=(1,), dtype=float32, requires_grad=True)"
    )


def test_detach_cuts_the_graph():
    x = Tensor([1.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y._grad_fn is None
