"""Tensor storage and metadata against torch: stride, storage_offset, data_ptr,
untyped_storage identity, is_contiguous, _base, version counters shared by views."""
import warnings

import numpy as np
import pytest

import ember
from oracle import torch

LAYOUTS = {
    "contiguous": lambda lib, x: x,
    "transposed": lambda lib, x: x.transpose(0, 2),
    "sliced": lambda lib, x: x[1:, ::2],
    "selected": lambda lib, x: x[1],
    "expanded": lambda lib, x: x[:, :1].expand(2, 3, 4),
    "diagonal": lambda lib, x: x.diagonal(0, 1, 2),
    "dtype_view": lambda lib, x: x.view(lib.int32),
    "empty_slice": lambda lib, x: x[:, 2:1],
    "as_strided": lambda lib, x: x.as_strided((3, 2), (2, 5), 3),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_storage_metadata_matches_torch(name):
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    mine_base = ember.from_numpy(array.copy())
    theirs_base = torch.from_numpy(array.copy())
    mine = LAYOUTS[name](ember, mine_base)
    theirs = LAYOUTS[name](torch, theirs_base)
    assert mine.stride() == theirs.stride()
    assert mine.storage_offset() == theirs.storage_offset()
    assert mine.is_contiguous() == theirs.is_contiguous()
    assert (mine._base is mine_base) == (theirs._base is theirs_base)
    assert mine.untyped_storage() is mine_base.untyped_storage()
    assert mine.untyped_storage().nbytes() == theirs.untyped_storage().nbytes()
    if theirs.numel():
        assert mine.data_ptr() - mine_base.data_ptr() == theirs.data_ptr() - theirs_base.data_ptr()
    for dim in range(-theirs.dim(), theirs.dim()):
        assert mine.stride(dim) == theirs.stride(dim)


def test_views_share_the_version_counter():
    for lib in (ember, torch):
        x = lib.zeros(3, 4)
        row = x[0]
        column = x.t()[1]
        row[1] = 5.0
        assert x._version == row._version == column._version == 1
        assert column.tolist() == [5.0, 0.0, 0.0]
        x.t().add_(1.0)
        assert row._version == 2


def test_base_of_a_view_of_a_view_is_the_root():
    for lib in (ember, torch):
        x = lib.zeros(3, 4)
        y = x[1:].t()[0]
        assert y._base is x
        assert x._base is None


def test_stride_dim_out_of_range_matches_torch():
    from oracle import check_error
    check_error(lambda lib, x: x.stride(3), np.zeros((2, 3)))


def test_size_arithmetic_matches_torch():
    for lib in (ember, torch):
        shape = lib.Size([2, 3])
        assert type(shape * 2) is lib.Size and shape * 2 == (2, 3, 2, 3)
        assert type(2 * shape) is lib.Size
        assert type((1,) + shape) is lib.Size and (1,) + shape == (1, 2, 3)
        assert type(shape + (4,)) is lib.Size
        assert type(shape[1:]) is lib.Size
    assert type(ember.zeros(1).shape).__module__ == "ember"
    from oracle import check_error
    check_error(lambda lib, x: x.shape + [1], np.zeros((2, 3)))


def test_contains_compares_element_with_tensor_as_torch_does():
    from oracle import check_error
    # element == self: the mismatch message names the element's size first
    check_error(lambda lib, x: lib.ones(2) in x, np.zeros((2, 3)))
    for lib in (ember, torch):
        x = lib.arange(6.0).reshape(2, 3)
        assert 3.0 in x and 7 not in x and lib.tensor([3.0, 4.0, 5.0]) in x


@pytest.mark.parametrize("assign", [
    lambda lib, x: setattr(x, "grad", lib.ones(3)),
    lambda lib, x: setattr(x, "grad", lib.ones(2, dtype=lib.int64)),
    lambda lib, x: setattr(x, "grad", lib.ones(2, dtype=lib.float16)),
    lambda lib, x: setattr(x, "grad", lib.ones(2, dtype=lib.complex64)),
    lambda lib, x: setattr(x, "grad", [1.0, 2.0]),
    lambda lib, x: setattr(x, "requires_grad", 1),
    lambda lib, x: setattr(x, "data", lib.tensor([1, 2])),
    lambda lib, x: setattr(x, "data", [1.0]),
    lambda lib, x: setattr(x, "shape", (2,)),
    lambda lib, x: setattr(x, "grad_fn", None),
    lambda lib, x: setattr(x, "is_leaf", False),
])
def test_attribute_assignment_errors_match_torch(assign):
    from oracle import check_error, grad_input
    check_error(assign, grad_input(np.array([1.0, 2.0], dtype=np.float32)))


def test_metadata_attributes_match_torch():
    for lib in (ember, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        assert repr(x.layout) == f"{lib.__name__}.strided" and x.layout is lib.strided
        assert x.output_nr == 0
        assert (x.is_nested, x.is_shared(), x.is_pinned()) == (False, False, False)
        assert x.t().dim_order() == (1, 0) and x.dim_order() == (0, 1)
        assert x.is_set_to(x) and not x.is_set_to(x.t())
        first, second = (x * 1).split(1)
        assert (first.output_nr, second.output_nr) == (0, 1)


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
def test_scalar_conversion_of_requires_grad_is_quiet_outside_grad_mode(mode):
    # torch warns about float(t) of a tensor that requires grad only while grad mode is on
    for lib in (ember, torch):
        tensor = lib.tensor(1.5, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with getattr(lib, mode)():
                assert (float(tensor), int(tensor), tensor.item()) == (1.5, 1, 1.5)


EMPTY = {
    "empty": lambda lib: lib.empty(0, 3),
    "zeros": lambda lib: lib.zeros(2, 0, 3),
    "full": lambda lib: lib.full((3, 0), 1.0),
    "randn": lambda lib: lib.randn(0, 2, 2),
    "nested_lists": lambda lib: lib.tensor([[], []]),
    "ndarray": lambda lib: lib.tensor(np.zeros((0, 3))),
    "from_numpy": lambda lib: lib.from_numpy(np.zeros((0, 3))),
    "from_numpy_t": lambda lib: lib.from_numpy(np.zeros((0, 3))).t(),
    "transpose": lambda lib: lib.empty(0, 3).t(),
    "unsqueeze": lambda lib: lib.empty(0, 3).unsqueeze(0),
    "permute": lambda lib: lib.zeros(2, 0, 3).permute(2, 0, 1),
    "narrow": lambda lib: lib.empty(0, 3).narrow(1, 0, 2),
    "reshape": lambda lib: lib.empty(0, 3).reshape(3, 0),
    "view": lambda lib: lib.empty(0, 3).view(0, 1, 3),
    "flatten": lambda lib: lib.zeros(2, 0, 3).flatten(),
    "clone_of_transpose": lambda lib: lib.empty(0, 3).t().clone(),
    "zeros_like": lambda lib: lib.zeros_like(lib.empty(0, 3).t()),
    "mm": lambda lib: lib.empty(2, 0).mm(lib.empty(0, 4)),
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_tensor_strides_match_torch(name):
    # NumPy gives a new empty array all-zero strides; torch computes contiguous ones (and
    # keeps a NumPy array's own)
    mine = EMPTY[name](ember)
    theirs = EMPTY[name](torch)
    assert mine.stride() == theirs.stride()
    assert mine.is_contiguous() == theirs.is_contiguous()
    for dim in range(theirs.dim()):
        assert mine.stride(dim) == theirs.stride(dim)
