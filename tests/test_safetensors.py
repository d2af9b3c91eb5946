"""ember.utils.safetensors against the safetensors library (the oracle for the format): the
same bytes for the same tensors, files that move both ways between torch and ember models, and
strict header validation."""
import json
import struct

import numpy as np
import pytest

import ember
from ember.utils import safetensors as st
from oracle import requires_oracle, torch

safetensors_torch = pytest.importorskip("safetensors.torch",
                                        reason="the safetensors package is the format oracle")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64"]


def _pair(dtype_name, shape, seed):
    values = np.asarray(np.random.default_rng(seed).standard_normal(shape) * 7)
    if dtype_name == "complex64":
        values = values + 1j * values[::-1]
    return (ember.from_numpy(values.copy()).to(getattr(ember, dtype_name)),
            torch.from_numpy(values.copy()).to(getattr(torch, dtype_name)))


def _assert_same(mine, theirs):
    assert str(mine.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert tuple(mine.shape) == tuple(theirs.shape)
    wide = "complex128" if theirs.is_complex() else "float64"
    np.testing.assert_array_equal(mine.to(getattr(ember, wide)).numpy(),
                                  theirs.to(getattr(torch, wide)).numpy())


def _collection():
    shapes = [(2, 3), (), (0, 4), (5,)]
    mine, theirs = {}, {}
    for index, dtype_name in enumerate(DTYPES):
        shape = shapes[index % len(shapes)]
        mine[f"{dtype_name}.w"], theirs[f"{dtype_name}.w"] = _pair(dtype_name, shape, index)
    return mine, theirs


@requires_oracle
def test_the_same_tensors_give_the_same_bytes_as_the_safetensors_library():
    mine, theirs = _collection()
    assert st.save(mine) == safetensors_torch.save(theirs)
    one = {"format": "pt"}
    assert st.save(mine, metadata=one) == safetensors_torch.save(theirs, metadata=one)


@requires_oracle
def test_files_move_both_ways(tmp_path):
    mine, theirs = _collection()
    st.save_file(mine, tmp_path / "ember.safetensors", metadata={"a": "1", "b": "ü"})
    loaded_by_library = safetensors_torch.load_file(tmp_path / "ember.safetensors")
    safetensors_torch.save_file(theirs, tmp_path / "torch.safetensors", metadata={"c": "2"})
    loaded_by_ember = st.load_file(tmp_path / "torch.safetensors")
    assert sorted(loaded_by_library) == sorted(loaded_by_ember) == sorted(theirs)
    for name in theirs:
        _assert_same(mine[name], loaded_by_library[name])
        _assert_same(loaded_by_ember[name], theirs[name])
    with st.safe_open(tmp_path / "torch.safetensors", framework="pt") as opened:
        assert opened.metadata() == {"c": "2"}
        assert opened.keys() == sorted(theirs)
    from safetensors import safe_open
    with safe_open(tmp_path / "ember.safetensors", framework="pt") as opened:
        assert opened.metadata() == {"a": "1", "b": "ü"}


@requires_oracle
def test_bytes_api_moves_both_ways():
    mine, theirs = _collection()
    for name, tensor in st.load(safetensors_torch.save(theirs)).items():
        _assert_same(tensor, theirs[name])
    for name, tensor in safetensors_torch.load(st.save(mine)).items():
        _assert_same(mine[name], tensor)


def _models(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.ReLU(),
                             lib.nn.Flatten(), lib.nn.Linear(4 * 5 * 5, 3))


@requires_oracle
def test_a_torch_model_saved_with_safetensors_gives_the_same_outputs_in_ember(tmp_path):
    torch.manual_seed(0)
    theirs = _models(torch)
    safetensors_torch.save_file(theirs.state_dict(), tmp_path / "model.safetensors")
    mine = _models(ember)
    mine.load_state_dict(st.load_file(tmp_path / "model.safetensors"))
    inputs = np.random.default_rng(3).standard_normal((2, 1, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(mine(ember.from_numpy(inputs)).detach().numpy(),
                               theirs(torch.from_numpy(inputs)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


@requires_oracle
def test_an_ember_model_saved_with_safetensors_gives_the_same_outputs_in_torch(tmp_path):
    ember.manual_seed(1)
    mine = _models(ember)
    st.save_file(mine.state_dict(), tmp_path / "model.safetensors")
    theirs = _models(torch)
    theirs.load_state_dict(safetensors_torch.load_file(tmp_path / "model.safetensors"))
    inputs = np.random.default_rng(4).standard_normal((2, 1, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(mine(ember.from_numpy(inputs)).detach().numpy(),
                               theirs(torch.from_numpy(inputs)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_loaded_tensors_own_their_memory_and_can_be_saved_again(tmp_path):
    st.save_file({"a": ember.arange(4.0), "b": ember.ones(2, 2)}, tmp_path / "x.safetensors")
    loaded = st.load_file(tmp_path / "x.safetensors")
    assert loaded["a"].untyped_storage().data_ptr() != loaded["b"].untyped_storage().data_ptr()
    loaded["a"].add_(1)
    st.save_file(loaded, tmp_path / "y.safetensors")
    assert ember.equal(st.load_file(tmp_path / "y.safetensors")["a"], ember.arange(1.0, 5.0))


# ---- refused saves, as the safetensors library refuses them --------------------------------

def _library_error(function_of_lib):
    with pytest.raises(Exception) as theirs:
        function_of_lib(torch, safetensors_torch)
    with pytest.raises(Exception) as mine:
        function_of_lib(ember, st)
    assert type(mine.value).__name__ == type(theirs.value).__name__
    return str(mine.value), str(theirs.value)


@requires_oracle
@pytest.mark.parametrize("make", [
    lambda lib: {"a": lib.arange(6.0).reshape(2, 3).t()},
    lambda lib: {"a": 1},
    lambda lib: {1: lib.zeros(1)},
    lambda lib: [lib.zeros(1)],
], ids=["non-contiguous", "not-a-tensor", "key-not-str", "not-a-dict"])
def test_refused_saves_match_the_library(make):
    mine, theirs = _library_error(lambda lib, module: module.save(make(lib)))
    assert mine.replace("ember", "torch") == theirs


@requires_oracle
def test_metadata_must_be_strings_as_in_the_library():
    mine, theirs = _library_error(lambda lib, module: module.save({"a": lib.zeros(1)},
                                                                  metadata={"a": 1}))
    assert mine == theirs


@requires_oracle
def test_shared_tensors_are_refused_as_in_the_library():
    def save_views(lib, module):
        base = lib.arange(6.0)
        return module.save({"a": base, "b": base[2:]})
    mine, theirs = _library_error(save_views)
    assert mine.replace("'b', 'a'", "'a', 'b'") == theirs.replace("'b', 'a'", "'a', 'b'")


# ---- malformed files ---------------------------------------------------------------------

def _file(header, data=b"", pad=True):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text)) + text + data


F32_PAIR = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
MALFORMED = {
    "header-too-small": (b"\x01\x00", "header too small"),
    "header-too-large": (struct.pack("<Q", 10**9) + b"{}", "header too large"),
    "header-longer-than-file": (struct.pack("<Q", 100) + b"{}", "invalid header length"),
    "not-utf8": (_file(b"\xff\xfe"), "invalid UTF-8 in header"),
    "not-json": (_file(b'{"a"'), "invalid JSON in header"),
    "not-an-object": (_file(b"[1] "), "invalid JSON in header"),
    "metadata-not-strings": (_file({"__metadata__": {"a": 1}}), "invalid JSON in header"),
    "unknown-dtype": (_file({"a": dict(F32_PAIR, dtype="X32")}, b"\0" * 8),
                      "invalid JSON in header"),
    "negative-shape": (_file({"a": dict(F32_PAIR, shape=[-2])}, b"\0" * 8),
                       "invalid JSON in header"),
    "missing-offsets": (_file({"a": {"dtype": "F32", "shape": [2]}}, b"\0" * 8),
                        "invalid JSON in header"),
    "overlap": (_file({"a": F32_PAIR, "b": {"dtype": "F32", "shape": [1],
                                            "data_offsets": [4, 8]}}, b"\0" * 8),
                "invalid offset for tensor `b`"),
    "gap": (_file({"a": dict(F32_PAIR, data_offsets=[4, 12])}, b"\0" * 12),
            "invalid offset for tensor `a`"),
    "reversed-offsets": (_file({"a": dict(F32_PAIR, data_offsets=[8, 0])}, b"\0" * 8),
                         "invalid offset for tensor `a`"),
    "size-mismatch": (_file({"a": dict(F32_PAIR, shape=[3])}, b"\0" * 8),
                      "invalid shape, data type, or offset for tensor"),
    "out-of-range": (_file({"a": dict(F32_PAIR, data_offsets=[0, 16])}, b"\0" * 8),
                     "invalid shape, data type, or offset for tensor"),
    "trailing-bytes": (_file({"a": F32_PAIR}, b"\0" * 12),
                       "incomplete metadata, file not fully covered"),
    "truncated-data": (_file({"a": F32_PAIR}, b"\0" * 7),
                       "incomplete metadata, file not fully covered"),
}


@requires_oracle
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_are_refused_like_the_library(name, tmp_path):
    payload, message = MALFORMED[name]
    with pytest.raises(Exception, match="Error while deserializing") as theirs:
        safetensors_torch.load(payload)
    assert message in str(theirs.value)
    with pytest.raises(st.SafetensorError, match="Error while deserializing") as mine:
        st.load(payload)
    assert message in str(mine.value)
    path = tmp_path / "bad.safetensors"
    path.write_bytes(payload)
    with pytest.raises(st.SafetensorError, match=message.replace("`", ".")):
        st.load_file(path)


def test_a_valid_header_with_a_dtype_ember_lacks_raises_clearly():
    payload = _file({"a": {"dtype": "U16", "shape": [1], "data_offsets": [0, 2]}}, b"\0\0")
    with pytest.raises(st.SafetensorError, match="ember has no dtype for safetensors' U16"):
        st.load(payload)


def test_empty_and_zero_size_files_load():
    assert st.load(_file({})) == {}
    loaded = st.load(_file({"a": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]}}))
    assert loaded["a"].shape == (0, 3)


def test_missing_tensor_in_safe_open(tmp_path):
    st.save_file({"a": ember.zeros(1)}, tmp_path / "a.safetensors")
    with st.safe_open(tmp_path / "a.safetensors", framework="pt") as opened:
        with pytest.raises(st.SafetensorError, match="File does not contain tensor b"):
            opened.get_tensor("b")


# ---- save_model / load_model: tied weights --------------------------------------------------

def _tied(lib):
    model = lib.nn.Sequential(lib.nn.Embedding(10, 4), lib.nn.Tanh(), lib.nn.Linear(4, 10))
    model[2].weight = model[0].weight
    return model


@requires_oracle
def test_tied_weights_move_both_ways_with_save_model_and_load_model(tmp_path):
    torch.manual_seed(0)
    theirs = _tied(torch)
    mine = _tied(ember)
    mine.load_state_dict({name: ember.from_numpy(tensor.detach().numpy().copy())
                          for name, tensor in theirs.state_dict().items()})
    mine[2].weight = mine[0].weight
    st.save_model(mine, tmp_path / "ember.safetensors")
    safetensors_torch.save_model(theirs, tmp_path / "torch.safetensors")
    assert ((tmp_path / "ember.safetensors").read_bytes()
            == (tmp_path / "torch.safetensors").read_bytes())

    ember.manual_seed(5)
    reloaded = _tied(ember)
    assert st.load_model(reloaded, tmp_path / "torch.safetensors") == (set(), [])
    assert reloaded[2].weight is reloaded[0].weight
    tokens = np.array([[1, 7, 3]])
    np.testing.assert_allclose(reloaded(ember.from_numpy(tokens)).detach().numpy(),
                               theirs(torch.from_numpy(tokens)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_load_model_reports_missing_and_unexpected_names(tmp_path):
    st.save_file({"weight": ember.zeros(2, 3), "extra": ember.zeros(1)},
                 tmp_path / "partial.safetensors")
    model = ember.nn.Linear(3, 2)
    missing, unexpected = st.load_model(model, tmp_path / "partial.safetensors", strict=False)
    assert missing == {"bias"} and unexpected == ["extra"]
    with pytest.raises(RuntimeError, match='Error\\(s\\) in loading state_dict for Linear:\n'
                       '    Missing key\\(s\\) in state_dict: "bias"\n'
                       '    Unexpected key\\(s\\) in state_dict: "extra"'):
        st.load_model(model, tmp_path / "partial.safetensors")


@requires_oracle
def test_views_that_do_not_overlap_may_be_saved_as_with_the_library():
    def save_halves(lib, module):
        base = lib.arange(6.0)
        return module.save({"a": base[:3], "b": base[3:]})
    assert save_halves(ember, st) == save_halves(torch, safetensors_torch)
