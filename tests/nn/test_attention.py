"""scaled_dot_product_attention, multi_head_attention_forward and nn.MultiheadAttention against
torch: values, attention weights, gradients of inputs, masks and parameters, printouts,
initialisation and errors."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from module_oracle import build_pair, compare_modules, same_printout
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
TOL = {"atol": 2e-5, "rtol": 2e-4}


def _array(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _bool_mask(*shape):
    """A random boolean mask in which every query row keeps at least its first key."""
    mask = RNG.random(shape) > 0.4
    mask[..., 0] = True
    return mask


def _float_mask(*shape):
    mask = _array(*shape)
    mask[RNG.random(shape) > 0.7] = -np.inf
    mask[..., 0] = 0.5
    return mask


# ---- scaled_dot_product_attention ---------------------------------------------------------------

def _sdpa(**options):
    def run(lib, q, k, v, mask=None):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, **options)
    return run


Q = grad_input(_array(2, 3, 4, 8))
K = grad_input(_array(2, 3, 6, 8))
V = grad_input(_array(2, 3, 6, 5))
SDPA_CASES = {
    "plain": (_sdpa(), Q, K, V),
    "self": (_sdpa(), Q, Q, Q),
    "scale": (_sdpa(scale=0.3), Q, K, V),
    "causal": (_sdpa(is_causal=True), Q, K, V),
    "causal longer query": (_sdpa(is_causal=True), K, Q, grad_input(_array(2, 3, 4, 5))),
    "bool 2-D": (_sdpa(), Q, K, V, Input(_bool_mask(4, 6))),
    "bool 4-D": (_sdpa(), Q, K, V, Input(_bool_mask(2, 3, 4, 6))),
    "bool broadcast": (_sdpa(), Q, K, V, Input(_bool_mask(2, 1, 1, 6))),
    "float 2-D": (_sdpa(), Q, K, V, Input(_float_mask(4, 6))),
    "float with grad": (_sdpa(), Q, K, V, grad_input(_array(3, 4, 6))),
    "3-D inputs": (_sdpa(), grad_input(_array(5, 4, 8)), grad_input(_array(5, 6, 8)),
                   grad_input(_array(5, 6, 8))),
    "2-D inputs": (_sdpa(), grad_input(_array(4, 8)), grad_input(_array(6, 8)),
                   grad_input(_array(6, 8)), Input(_bool_mask(4, 6))),
    "5-D inputs": (_sdpa(), grad_input(_array(2, 2, 2, 3, 4)), grad_input(_array(2, 2, 2, 5, 4)),
                   grad_input(_array(2, 2, 2, 5, 4))),
    "broadcast batch": (_sdpa(), Q, grad_input(_array(1, 3, 6, 8)), grad_input(_array(1, 3, 6, 5))),
    "gqa": (_sdpa(enable_gqa=True), grad_input(_array(2, 6, 4, 8)), K, V),
    "float64": (_sdpa(), grad_input(RNG.standard_normal((2, 4, 3))),
                grad_input(RNG.standard_normal((2, 5, 3))),
                grad_input(RNG.standard_normal((2, 5, 3)))),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    function, *inputs = SDPA_CASES[case]
    check(function, *inputs, grad_fn=False, **TOL)


@pytest.mark.parametrize("kind", ["bool", "float", "bool 4-D"])
def test_sdpa_rows_that_see_no_key_give_zeros(kind):
    if kind == "bool":
        mask = _bool_mask(4, 6)
        mask[1] = False
    elif kind == "float":
        mask = _float_mask(4, 6)
        mask[2] = -np.inf
    else:
        mask = _bool_mask(2, 1, 4, 6)
        mask[1, 0, 3] = False
    output = check(_sdpa(), Q, K, V, Input(mask), grad_fn=False, **TOL)
    assert np.all(np.isfinite(output.detach().numpy()))


def test_sdpa_dropout():
    # p = 1 drops every weight (deterministic); p = 0.5 changes values, keeps the shape
    check(_sdpa(dropout_p=1.0), Q, K, V, grad_fn=False, **TOL)
    q, k, v = (ember.from_numpy(x.array) for x in (Q, K, V))
    dropped = ember.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    plain = ember.nn.functional.scaled_dot_product_attention(q, k, v)
    assert dropped.shape == plain.shape
    assert not np.allclose(dropped.numpy(), plain.numpy())


@pytest.mark.parametrize("inputs,options", [
    ((_array(2, 4, 8), _array(2, 6, 4), _array(2, 6, 8)), {}),
    ((_array(2, 4, 8), _array(2, 6, 8), _array(2, 6, 8).astype(np.float64)), {}),
    ((_array(8), _array(8), _array(8)), {}),
    ((_array(2, 4, 8), _array(2, 6, 8), _array(2, 6, 8)),
     {"attn_mask": np.ones((4, 6), dtype=np.int64)}),
    ((_array(2, 4, 8), _array(2, 6, 8), _array(2, 6, 8)),
     {"attn_mask": np.zeros((4, 6), dtype=np.float64)}),
    ((_array(2, 4, 8), _array(2, 6, 8), _array(2, 6, 8)), {"attn_mask": np.zeros((3, 6))}),
    ((_array(2, 4, 8), _array(2, 6, 8), _array(2, 6, 8)), {"dropout_p": 1.5}),
    ((_array(2, 3, 4, 8), _array(2, 2, 6, 8), _array(2, 2, 6, 8)), {}),
    ((_array(2, 3, 4, 8), _array(2, 2, 6, 8), _array(2, 2, 6, 8)), {"enable_gqa": True}),
])
def test_sdpa_errors_match_torch(inputs, options):
    mask = options.pop("attn_mask", None)

    def run(lib, q, k, v, attn_mask):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask, **options)
    check_error(run, *inputs, mask)


@pytest.mark.parametrize("mask", [_bool_mask(4, 6), _float_mask(4, 6)])
def test_sdpa_mask_with_causal_flag_is_an_error(mask):
    # PyTorch's math path (the one that records gradients) rejects the combination
    check_error(_sdpa(is_causal=True), Q, K, V, Input(mask))


# ---- MultiheadAttention -------------------------------------------------------------------------

E, HEADS, L, S, N = 8, 2, 4, 5, 3


def _mha(**options):
    return lambda lib: lib.nn.MultiheadAttention(E, HEADS, **options)


def _masks(kind, batch_first=False):
    """(attn_mask, key_padding_mask) of each kind, for target length L and source length S."""
    if kind == "none":
        return None, None
    if kind == "bool 2-D":
        return _bool_mask(L, S), None
    if kind == "float 2-D":
        return _float_mask(L, S), None
    if kind == "bool 3-D":
        return _bool_mask(N * HEADS, L, S), None
    if kind == "float 3-D":
        return _float_mask(N * HEADS, L, S), None
    if kind == "padding bool":
        return None, ~_bool_mask(N, S)
    if kind == "padding float":
        return None, _float_mask(N, S)
    return _float_mask(L, S), _float_mask(N, S)


def _attend(self_attention, **call_options):
    def run(lib, module, query, key, value, attn_mask, key_padding_mask):
        if self_attention:
            key = value = query
        return module(query, key, value, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                      **call_options)
    return run


def _inputs(batch_first, target=L, source=S, kdim=E, vdim=E):
    def shape(length, width):
        return (N, length, width) if batch_first else (length, N, width)
    return (grad_input(_array(*shape(target, E))), grad_input(_array(*shape(source, kdim))),
            grad_input(_array(*shape(source, vdim))))


MASK_KINDS = ["none", "bool 2-D", "float 2-D", "bool 3-D", "float 3-D", "padding bool",
              "padding float", "both float"]


@pytest.mark.parametrize("mask_kind", MASK_KINDS)
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_cross_attention_masks(mask_kind, need_weights, average, batch_first):
    attn_mask, padding = _masks(mask_kind)
    compare_modules(_mha(batch_first=batch_first), _attend(False, need_weights=need_weights,
                                                           average_attn_weights=average),
                    *_inputs(batch_first), attn_mask, padding, **TOL)


@pytest.mark.parametrize("options", [
    {}, {"bias": False}, {"add_bias_kv": True}, {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "bias": False}, {"batch_first": True},
], ids=str)
@pytest.mark.parametrize("mask_kind", ["none", "bool 2-D", "padding bool", "both float"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_self_attention_options(options, mask_kind, need_weights):
    attn_mask, padding = _masks(mask_kind)
    if attn_mask is not None:
        attn_mask = attn_mask[:, :L]
    if padding is not None:
        padding = padding[:, :L]
    query = _inputs(options.get("batch_first", False))[0]
    compare_modules(_mha(**options), _attend(True, need_weights=need_weights), query, None, None,
                    attn_mask, padding, **TOL)


@pytest.mark.parametrize("options", [{"kdim": 3, "vdim": 6}, {"kdim": 3},
                                     {"vdim": 6, "bias": False},
                                     {"kdim": 3, "vdim": 6, "add_bias_kv": True}])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_separate_key_value_widths(options, need_weights):
    attn_mask, padding = _masks("both float")
    inputs = _inputs(False, kdim=options.get("kdim", E), vdim=options.get("vdim", E))
    compare_modules(_mha(**options), _attend(False, need_weights=need_weights), *inputs,
                    attn_mask, padding, **TOL)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_padding", [False, True])
def test_mha_is_causal_hint(need_weights, with_padding):
    causal = np.triu(np.full((L, L), -np.inf, dtype=np.float32), 1)
    padding = np.zeros((N, L), dtype=np.float32) if with_padding else None
    query = _inputs(False)[0]
    compare_modules(_mha(), _attend(True, need_weights=need_weights, is_causal=True), query,
                    None, None, causal, padding, **TOL)


@pytest.mark.parametrize("mask_kind", ["none", "bool 2-D", "bool 3-D", "padding bool"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched(mask_kind, need_weights):
    attn_mask, padding = _masks(mask_kind)
    if attn_mask is not None and attn_mask.ndim == 3:
        attn_mask = attn_mask[:HEADS]
    if padding is not None:
        padding = padding[0]
    inputs = [grad_input(_array(L, E)), grad_input(_array(S, E)), grad_input(_array(S, E))]
    compare_modules(_mha(), _attend(False, need_weights=need_weights), *inputs, attn_mask,
                    padding, **TOL)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_dropout_train_and_eval(need_weights):
    inputs = _inputs(True)
    # eval ignores dropout; in training p=1 drops every attention weight
    compare_modules(_mha(dropout=0.5, batch_first=True), _attend(False, need_weights=need_weights),
                    *inputs, None, None, train=False, **TOL)
    compare_modules(_mha(dropout=1.0), _attend(False, need_weights=need_weights),
                    *_inputs(False), None, None, **TOL)


def test_mha_output_grad_fns_match_torch():
    for batch_first in (False, True):
        compare_modules(_mha(batch_first=batch_first), _attend(True), _inputs(batch_first)[0],
                        None, None, None, None, grad_fn=True, **TOL)


def test_multi_head_attention_forward_functional():
    def run(lib, query, key, value, in_weight, in_bias, out_weight, out_bias):
        return lib.nn.functional.multi_head_attention_forward(
            query, key, value, E, HEADS, in_weight, in_bias, None, None, False, 0.0, out_weight,
            out_bias, training=True, average_attn_weights=False)
    check(run, *_inputs(False), grad_input(_array(3 * E, E)), grad_input(_array(3 * E)),
          grad_input(_array(E, E)), grad_input(_array(E)), **TOL)


@pytest.mark.parametrize("options", [{}, {"bias": False, "add_bias_kv": True}, {"kdim": 3},
                                     {"vdim": 2, "add_zero_attn": True, "batch_first": True}])
def test_mha_repr_parameters_and_init(options):
    mine, theirs = build_pair(_mha(**options))
    same_printout(mine, theirs)
    assert [(n, tuple(p.shape)) for n, p in mine.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    ember.manual_seed(0)
    fresh = _mha(**options)(ember)
    for name, parameter in fresh.named_parameters():
        values = parameter.detach().numpy()
        if name.endswith("bias") and name not in ("bias_k", "bias_v"):
            assert not values.any(), name
        elif name.endswith("proj_weight") or name == "in_proj_weight":
            bound = math.sqrt(6 / sum(values.shape))
            assert np.abs(values).max() <= bound and np.abs(values).max() > 0.7 * bound, name
    for attribute in ("embed_dim", "kdim", "vdim", "num_heads", "head_dim", "batch_first",
                      "dropout", "add_zero_attn", "_qkv_same_embed_dim"):
        assert getattr(fresh, attribute) == getattr(theirs, attribute), attribute


def test_mismatched_mask_types_warn():
    module = ember.nn.MultiheadAttention(E, HEADS)
    x = ember.from_numpy(_array(L, N, E))
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        module(x, x, x, key_padding_mask=ember.zeros(N, L, dtype=ember.bool),
               attn_mask=ember.zeros(L, L))


def _call_mha(options, **call_options):
    def run(lib, query, key, value, *masks):
        lib.manual_seed(0)
        module = lib.nn.MultiheadAttention(E, HEADS, **options)
        named = dict(zip(("attn_mask", "key_padding_mask"), masks))
        return module(query, key, value, **named, **call_options)
    return run


X3 = _array(S, N, E)
MHA_ERRORS = [
    ({}, {}, (X3, X3, X3, np.zeros((4, S), np.float32))),
    ({}, {}, (X3, X3, X3, np.zeros((S, S, S), np.float32))),
    ({}, {}, (X3, X3, X3, np.zeros((1, S, S, S), np.float32))),
    ({}, {}, (X3, X3, X3, None, np.zeros((N, 4), bool))),
    ({}, {}, (X3, X3, X3, None, np.zeros((2, S), bool))),
    ({}, {}, (X3, X3, X3, None, np.zeros((N, S), np.int64))),
    ({}, {}, (X3, X3, X3, np.zeros((S, S), np.int64))),
    ({}, {"is_causal": True}, (X3, X3, X3)),
    ({}, {}, (X3, X3[:4], X3)),
    ({}, {}, (X3[..., :4], X3[..., :4], X3[..., :4])),
    ({}, {}, (X3, X3[0], X3[0])),
    ({}, {}, (X3[0], X3, X3)),
    ({}, {}, (X3[0, 0], X3[0, 0], X3[0, 0])),
    ({}, {}, (X3[0], X3[0], X3[0], np.zeros((3, S, S), np.float32))),
    ({}, {}, (X3[0], X3[0], X3[0], None, np.zeros((N, S), bool))),
    ({"kdim": 3}, {}, (X3, X3[..., :3], X3[:4])),
]


@pytest.mark.parametrize("case", MHA_ERRORS)
def test_mha_errors_match_torch(case):
    options, call_options, inputs = case
    check_error(_call_mha(options, **call_options), *inputs)


@pytest.mark.parametrize("construct", [
    lambda nn: nn.MultiheadAttention(8, 3), lambda nn: nn.MultiheadAttention(0, 3),
    lambda nn: nn.MultiheadAttention(8, -1)])
def test_mha_constructor_errors_match_torch(construct):
    check_error(lambda lib: construct(lib.nn))


def test_plain_call_warns_nothing_and_returns_averaged_weights():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = ember.nn.MultiheadAttention(E, HEADS)
        x = ember.from_numpy(_array(L, N, E))
        output, weights = module(x, x, x)
    assert tuple(output.shape) == (L, N, E) and tuple(weights.shape) == (N, L, L)
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1, rtol=1e-5)


@settings(max_examples=15, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), target=st.integers(1, 5),
       source=st.integers(1, 5), width=st.integers(1, 6), value_width=st.integers(1, 4),
       causal=st.booleans(), masked=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_sdpa_shapes_property(batch, target, source, width, value_width, causal, masked, seed):
    rng = np.random.default_rng(seed)

    def tensor(*shape):
        return grad_input(rng.standard_normal((*batch, *shape)).astype(np.float32))
    mask = None
    if masked and not causal:
        mask = Input(rng.random((target, source)) > 0.3)
    check(_sdpa(is_causal=causal), tensor(target, width), tensor(source, width),
          tensor(source, value_width), mask, grad_fn=False, **TOL)


@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_finite_differences(masked):
    mask = ember.from_numpy(_bool_mask(3, 4)) if masked else None

    def function(q, k, v):
        return ember.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    finite_differences(function, RNG.standard_normal((2, 3, 5)), RNG.standard_normal((2, 4, 5)),
                       RNG.standard_normal((2, 4, 2)))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_inference_matches_torch_fast_path(need_weights):
    # batch_first self-attention without gradients takes torch's fused kernel
    mine, theirs = build_pair(_mha(batch_first=True, dropout=0.2))
    mine.eval()
    theirs.eval()
    x = _array(N, L, E)
    with torch.no_grad():
        expected = theirs(*[torch.from_numpy(x)] * 3, need_weights=need_weights)
    with ember.no_grad():
        got = mine(*[ember.from_numpy(x)] * 3, need_weights=need_weights)
    np.testing.assert_allclose(got[0].numpy(), expected[0].numpy(), **TOL)
    if need_weights:
        np.testing.assert_allclose(got[1].numpy(), expected[1].numpy(), **TOL)
