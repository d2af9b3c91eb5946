"""Device queries and device objects against PyTorch's CPU-only build: ember.cuda,
ember.backends, ember.device parsing and printing, and moves to unavailable devices."""
import pickle

import pytest

import ember
from oracle import check_error, requires_oracle, torch

pytestmark = requires_oracle

CUDA_QUERIES = ["is_available", "device_count", "is_initialized", "is_bf16_supported",
                "memory_allocated", "max_memory_allocated", "memory_reserved", "get_arch_list",
                "get_rng_state_all", "get_gencode_flags", "empty_cache", "seed", "seed_all"]
CUDA_REFUSALS = ["current_device", "synchronize", "get_device_name", "get_device_capability",
                 "get_device_properties", "get_rng_state", "init", "mem_get_info",
                 "initial_seed", "ipc_collect", "current_stream", "default_stream"]


@pytest.mark.parametrize("name", CUDA_QUERIES)
def test_cuda_queries_answer_as_cpu_only_torch(name):
    mine = getattr(ember.cuda, name)()
    theirs = getattr(torch.cuda, name)()
    assert type(mine) is type(theirs) and mine == theirs


@pytest.mark.parametrize("name", CUDA_REFUSALS)
def test_cuda_queries_that_need_a_device_raise_torch_error(name):
    check_error(lambda lib: getattr(lib.cuda, name)())


def test_cuda_calls_with_arguments():
    check_error(lambda lib: lib.cuda.get_device_name(0))
    check_error(lambda lib: lib.cuda.can_device_access_peer(0, 1))
    check_error(lambda lib: lib.cuda.device(0).__enter__())
    for lib in (ember, torch):
        assert lib.cuda.manual_seed(0) is None and lib.cuda.manual_seed_all(0) is None
        assert lib.cuda.set_rng_state(lib.zeros(1, dtype=lib.uint8)) is None


@pytest.mark.parametrize("query", [
    lambda lib: lib.backends.mps.is_available(),
    lambda lib: lib.backends.mps.is_built(),
    lambda lib: lib.backends.cuda.is_built(),
    lambda lib: lib.backends.cuda.matmul.allow_tf32,
    lambda lib: lib.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
    lambda lib: lib.backends.cudnn.enabled,
    lambda lib: lib.backends.cudnn.is_available(),
    lambda lib: lib.backends.cudnn.version(),
    lambda lib: lib.backends.cudnn.benchmark,
    lambda lib: lib.backends.cudnn.deterministic,
    lambda lib: lib.backends.cudnn.allow_tf32,
])
def test_backend_flags_as_cpu_only_torch(query):
    mine, theirs = query(ember), query(torch)
    assert type(mine) is type(theirs) and mine == theirs


def test_mps_version_query_raises():
    check_error(lambda lib: lib.backends.mps.is_macos13_or_newer())


@pytest.mark.parametrize("spec", ["cpu", "cpu:0", "cuda", "cuda:1", "mps", "meta", "xpu:3",
                                  "cuda:10"])
def test_device_from_string(spec):
    mine, theirs = ember.device(spec), torch.device(spec)
    assert (repr(mine), str(mine), mine.type, mine.index) == (
        repr(theirs), str(theirs), theirs.type, theirs.index)


@pytest.mark.parametrize("spec, index", [("cuda", 1), ("cpu", 0), ("mps", None)])
def test_device_from_type_and_index(spec, index):
    mine, theirs = ember.device(spec, index), torch.device(spec, index)
    assert repr(mine) == repr(theirs) and str(mine) == str(theirs)


def test_device_equality_hash_and_pickle():
    assert ember.device("cpu") == ember.device("cpu")
    assert ember.device("cpu") != ember.device("cpu", 0)
    assert (ember.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert {ember.device("cuda", 1): 1}[ember.device("cuda:1")] == 1
    assert pickle.loads(pickle.dumps(ember.device("cuda:2"))) == ember.device("cuda", 2)
    assert ember.device(ember.device("mps")) == ember.device("mps")


@pytest.mark.parametrize("args", [
    ("",), ("CPU",), ("foo",), ("cuda:x",), ("cuda:-1",), ("cuda:01",), ("cuda: 1",),
    ("cpu:0:1",), ("cpu", -1), ("cpu", 1.0), ("cpu:0", 1), (0,), (-1,), (1.0,), (None,),
    ("float32",), (":0",), ("cpu:",), ("c-pu",), ("cp\u00fc",), ("cpu_x",),
])
def test_device_parsing_errors(args):
    check_error(lambda lib: lib.device(*args))


def test_tensor_device_attributes():
    mine, theirs = ember.ones(2), torch.ones(2)
    assert repr(mine.device) == repr(theirs.device)
    assert mine.get_device() == theirs.get_device()
    for name in ("is_cuda", "is_cpu", "is_mps", "is_meta"):
        assert getattr(mine, name) == getattr(theirs, name), name


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:1", "xpu", "mps", "hip", 0,
                                    "foo", "cuda:x", "float32"])
def test_moving_a_tensor_to_an_unavailable_device(device):
    def move(lib):
        target = lib.device(device) if device in ("cuda", "mps") else device
        return lib.ones(2).to(target)
    check_error(lambda lib: lib.ones(2).to(device))
    check_error(move)
    check_error(lambda lib: lib.ones(2).to(device=device))
    check_error(lambda lib: lib.ones(2).to(device, lib.float64))


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "xpu", 0, "foo"])
def test_creating_on_an_unavailable_device(device):
    check_error(lambda lib: lib.zeros(2, device=device))
    check_error(lambda lib: lib.ones(2, 3, device=device))
    check_error(lambda lib: lib.tensor([1.0], device=device))


def test_tensor_from_data_on_mps():
    check_error(lambda lib: lib.tensor([1.0], device="mps"))


def test_cpu_devices_are_accepted():
    for device in ("cpu", "cpu:0", ember.device("cpu")):
        assert ember.zeros(2, device=device).device == ember.device("cpu")
        assert ember.ones(2).to(device).device == ember.device("cpu")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).cuda(),
    lambda lib: lib.ones(2).cuda(0),
    lambda lib: lib.ones(2).cuda("cuda:0"),
    lambda lib: lib.ones(2).cuda("cpu"),
    lambda lib: lib.ones(2).cuda("mps"),
])
def test_tensor_cuda(call):
    check_error(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.Linear(2, 3).to("cuda"),
    lambda lib: lib.nn.Linear(2, 3).to(lib.device("cuda", 0)),
    lambda lib: lib.nn.Linear(2, 3).cuda(),
    lambda lib: lib.nn.Linear(2, 3).to("mps"),
    lambda lib: lib.nn.Linear(2, 3).to("cuda", lib.float64),
])
def test_moving_a_module_to_an_unavailable_device(call):
    check_error(call)


def test_failed_module_move_leaves_it_on_the_cpu():
    module = ember.nn.Linear(2, 3)
    with pytest.raises(AssertionError):
        module.to("cuda")
    assert module.weight.device == ember.device("cpu")
    assert module.to("cpu") is module
