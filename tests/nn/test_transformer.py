"""Transformer encoder/decoder layers and stacks and nn.Transformer against torch: outputs,
input and parameter gradients (train and eval), masks, printouts, initialisation, warnings and
errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from module_oracle import build_pair, compare_modules, same_printout
from oracle import check_error, grad_input

RNG = np.random.default_rng(0)
D, HEADS, FF, L, S, N = 8, 2, 16, 5, 4, 3
TOL = {"atol": 5e-5, "rtol": 5e-4}


def _array(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _sequence(length, batch_first):
    return grad_input(_array(N, length, D) if batch_first else _array(length, N, D))


def _causal(length):
    return np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)


def _padding(length):
    mask = RNG.random((N, length)) > 0.7
    mask[:, 0] = False
    return mask


ACTIVATIONS = {
    "relu": lambda lib: lib.nn.functional.relu,
    "gelu string": lambda lib: "gelu",
    "GELU module": lambda lib: lib.nn.GELU(approximate="tanh"),
    "callable": lambda lib: lib.nn.functional.silu,
}


def _encoder_layer(activation="relu", dropout=0.0, **options):
    def build(lib):
        return lib.nn.TransformerEncoderLayer(D, HEADS, FF, dropout,
                                              ACTIVATIONS[activation](lib), **options)
    return build


def _encode(mask_kind):
    def run(lib, layer, src, src_mask, padding):
        if mask_kind == "is_causal":
            return layer(src, src_mask=src_mask, is_causal=True)
        return layer(src, src_mask=src_mask, src_key_padding_mask=padding)
    return run


def _encoder_masks(kind):
    if kind == "none":
        return None, None
    if kind in ("causal float", "is_causal"):
        return _causal(L), None
    if kind == "bool":
        mask = RNG.random((L, L)) > 0.6
        np.fill_diagonal(mask, False)
        return mask, None
    if kind == "padding":
        return None, _padding(L)
    return _causal(L), _padding(L).astype(np.float32) * -1e9


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask_kind", ["none", "causal float", "bool", "padding", "is_causal",
                                       "both float"])
def test_encoder_layer_masks_and_layouts(norm_first, batch_first, mask_kind):
    src_mask, padding = _encoder_masks(mask_kind)
    compare_modules(_encoder_layer(norm_first=norm_first, batch_first=batch_first),
                    _encode(mask_kind), _sequence(L, batch_first), src_mask, padding, **TOL)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("options", [{}, {"bias": False}, {"layer_norm_eps": 1e-3},
                                     {"norm_first": True, "bias": False}], ids=str)
def test_encoder_layer_activations_and_options(activation, options):
    compare_modules(_encoder_layer(activation, **options), _encode("none"),
                    _sequence(L, False), None, None, **TOL)


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_eval_mode_ignores_dropout(batch_first):
    compare_modules(_encoder_layer(dropout=0.3, batch_first=batch_first), _encode("padding"),
                    _sequence(L, batch_first), None, _padding(L), train=False, **TOL)


def test_encoder_layer_output_grad_fn_matches_torch():
    for norm_first in (False, True):
        compare_modules(_encoder_layer(norm_first=norm_first), _encode("none"),
                        _sequence(L, False), None, None, grad_fn=True, **TOL)


def test_unbatched_encoder_layer():
    compare_modules(_encoder_layer(), _encode("causal float"), grad_input(_array(L, D)),
                    _causal(L), None, **TOL)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_inference_matches_torch_fast_path(batch_first, norm_first):
    # without gradients torch may run its fused kernel; its values equal the math path's
    mine, theirs = build_pair(_encoder_layer(dropout=0.1, batch_first=batch_first,
                                             norm_first=norm_first))
    mine.eval()
    theirs.eval()
    x = _sequence(L, batch_first).array
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x.copy())).numpy()
    with ember.no_grad():
        got = mine(ember.from_numpy(x.copy())).numpy()
    np.testing.assert_allclose(got, expected, **TOL)


def _decoder_layer(dropout=0.0, **options):
    return lambda lib: lib.nn.TransformerDecoderLayer(D, HEADS, FF, dropout, **options)


def _decode(lib, layer, tgt, memory, tgt_mask, memory_mask, tgt_padding, memory_padding,
            tgt_is_causal=False):
    return layer(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                 tgt_key_padding_mask=tgt_padding, memory_key_padding_mask=memory_padding,
                 tgt_is_causal=tgt_is_causal)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_decoder_layer(norm_first, batch_first, masked):
    masks = (None, None, None, None)
    if masked:
        masks = (_causal(L), RNG.random((L, S)) > 0.8, _padding(L), _padding(S))
    compare_modules(_decoder_layer(norm_first=norm_first, batch_first=batch_first), _decode,
                    _sequence(L, batch_first), _sequence(S, batch_first), *masks, **TOL)


def test_decoder_layer_causal_hint_gelu_no_bias_eval():
    compare_modules(_decoder_layer(dropout=0.2, activation="gelu", bias=False), _decode,
                    _sequence(L, False), _sequence(S, False), _causal(L), None, None, None, True,
                    train=False, **TOL)


def _encoder(norm=True, **layer_options):
    def build(lib):
        layer = _encoder_layer(**layer_options)(lib)
        final = lib.nn.LayerNorm(D) if norm else None
        return lib.nn.TransformerEncoder(layer, 2, final, enable_nested_tensor=False)
    return build


def _encode_stack(lib, encoder, src, mask, padding, is_causal=None):
    return encoder(src, mask=mask, src_key_padding_mask=padding, is_causal=is_causal)


@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("mask_kind", ["none", "causal float", "padding", "both float"])
def test_encoder_stack(norm, mask_kind):
    src_mask, padding = _encoder_masks(mask_kind)
    compare_modules(_encoder(norm), _encode_stack, _sequence(L, False), src_mask, padding, **TOL)


def test_encoder_stack_eval_with_padding_and_bool_masks():
    mask = _causal(L) == 0
    compare_modules(_encoder(dropout=0.5, batch_first=True), _encode_stack,
                    _sequence(L, True), ~mask, _padding(L), train=False, **TOL)


def _decoder_stack(lib):
    layer = _decoder_layer()(lib)
    return lib.nn.TransformerDecoder(layer, 2, lib.nn.LayerNorm(D))


def test_decoder_stack():
    compare_modules(_decoder_stack, _decode, _sequence(L, False), _sequence(S, False), _causal(L),
                    None, _padding(L), _padding(S), None, **TOL)


def _transformer(**options):
    return lambda lib: lib.nn.Transformer(D, HEADS, 2, 2, FF, 0.0, **options)


def _transform(lib, model, src, tgt, src_mask, tgt_mask, src_padding):
    return model(src, tgt, src_mask=src_mask, tgt_mask=tgt_mask,
                 src_key_padding_mask=src_padding, memory_key_padding_mask=src_padding)


@pytest.mark.parametrize("options", [{}, {"batch_first": True, "norm_first": True},
                                     {"activation": "gelu", "bias": False}], ids=str)
def test_transformer(options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare_modules(_transformer(**options), _transform,
                        _sequence(S, options.get("batch_first", False)),
                        _sequence(L, options.get("batch_first", False)), None, _causal(L),
                        _padding(S), **TOL)


def test_generate_square_subsequent_mask():
    for dtype in (None, "float64"):
        def run(lib):
            kind = None if dtype is None else getattr(lib, dtype)
            return lib.nn.Transformer.generate_square_subsequent_mask(4, dtype=kind)
        mine, theirs = run(ember), run(torch)
        assert repr(mine).replace("ember.", "torch.") == repr(theirs)


@pytest.mark.parametrize("build", [
    lambda nn: nn.Transformer(D, HEADS, 1, 1, FF),
    lambda nn: nn.TransformerEncoderLayer(D, HEADS, activation=nn.GELU(), norm_first=True),
    lambda nn: nn.TransformerDecoderLayer(D, HEADS, FF, 0.2, bias=False, layer_norm_eps=1e-3),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True),
                                     3, enable_nested_tensor=False),
])
def test_repr(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mine, theirs = build_pair(lambda lib: build(lib.nn))
    same_printout(mine, theirs)


def test_transformer_initialisation_and_attributes():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ember.manual_seed(0)
        mine = ember.nn.Transformer(D, HEADS, 1, 1, FF)
        torch.manual_seed(0)
        theirs = torch.nn.Transformer(D, HEADS, 1, 1, FF)
    for name, parameter in mine.named_parameters():
        values = parameter.detach().numpy()
        if values.ndim > 1:
            bound = math.sqrt(6 / sum(values.shape))
            assert np.abs(values).max() <= bound and np.abs(values).max() > 0.6 * bound, name
    assert (mine.d_model, mine.nhead, mine.batch_first) == (theirs.d_model, theirs.nhead,
                                                            theirs.batch_first)
    layer = mine.encoder.layers[0]
    assert layer.activation_relu_or_gelu == theirs.encoder.layers[0].activation_relu_or_gelu
    assert mine.encoder.use_nested_tensor == theirs.encoder.use_nested_tensor
    assert mine.encoder.layers[0] is not mine.encoder.layers[1] if len(mine.encoder.layers) > 1 \
        else True


@pytest.mark.parametrize("build", [
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF), 2),
    lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True, norm_first=True), 2),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, 1, FF, batch_first=True), 2),
    lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True, activation=nn.functional.silu),
        2),
    lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True, bias=False), 2),
    lambda nn: nn.TransformerEncoder(nn.Identity(), 2),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True),
                                     2),
])
def test_enable_nested_tensor_warnings_match_torch(build):
    def messages(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = build(lib.nn)
        return [str(w.message) for w in caught], module.use_nested_tensor
    assert messages(ember) == messages(torch)


def test_causal_mask_is_detected_as_in_torch():
    from ember.nn.modules.transformer import _detect_is_causal_mask
    from torch.nn.modules.transformer import _detect_is_causal_mask as torch_detect
    for mask in (_causal(L), _causal(L)[:, ::-1].copy(), np.zeros((L, L), np.float32)):
        for is_causal in (None, True, False):
            assert _detect_is_causal_mask(ember.from_numpy(mask), is_causal) == \
                torch_detect(torch.from_numpy(mask), is_causal)


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.TransformerEncoderLayer(D, HEADS, activation="tanh"),
    lambda lib: lib.nn.TransformerDecoderLayer(D, HEADS, activation="foo"),
    lambda lib: _transformer()(lib)(lib.zeros(S, N, D), lib.zeros(L, 2, D)),
    lambda lib: _transformer(batch_first=True)(lib)(lib.zeros(N, S, D), lib.zeros(2, L, D)),
    lambda lib: _transformer()(lib)(lib.zeros(S, N, D), lib.zeros(L, N, 6)),
    lambda lib: _encoder_layer()(lib)(lib.zeros(L, N, D), src_mask=lib.zeros(L, L + 1)),
    lambda lib: _encoder_layer()(lib)(lib.zeros(L, N, D),
                                      src_key_padding_mask=lib.zeros(N, L, dtype=lib.int64)),
    lambda lib: _encoder_layer()(lib)(lib.zeros(L, N, 6)),
    lambda lib: _encoder_layer()(lib)(lib.zeros(L, N, D), is_causal=True),
])
def test_errors_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_error(case)
