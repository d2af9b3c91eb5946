"""Package-level promises: version, import layering, `python -m ember run`, file sizes."""
import ast
import pathlib
import subprocess
import sys

import pytest

import ember

SOURCE = pathlib.Path(ember.__file__).resolve().parent

# Each layer may import only from its own or earlier layers at module level (DESIGN.md).
LAYERS = [
    ("ember._dtype", "ember._errors", "ember._device", "ember._memory"),
    ("ember._storage", "ember.storage"),
    ("ember._tensor",),
    ("ember.autograd.grad_mode", "ember.autograd.graph", "ember.autograd.anomaly_mode"),
    ("ember.ops", "ember._printing", "ember.linalg", "ember.testing", "ember.cuda",
     "ember.return_types"),
    ("ember.autograd",),
    ("ember.nn",),
    ("ember.func",),
    ("ember.distributions",),
    ("ember.optim",),
    ("ember.utils",),
    ("ember.__main__", "ember"),
]


def _module_name(path):
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module):
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return best[0]


def _top_level_imports(path):
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ember"):
            yield node.module
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (SOURCE.parent / candidate.replace(".", "/")).with_suffix(".py").exists():
                    yield candidate
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ember"):
                    yield alias.name


def test_version_is_exposed():
    assert isinstance(ember.__version__, str) and ember.__version__.count(".") == 2


def test_imports_point_one_way():
    violations = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = _module_name(path)
        own = _layer(module)
        for imported in _top_level_imports(path):
            if imported == "ember":
                continue
            if _layer(imported) > own:
                violations.append(f"{module} imports {imported}")
    assert violations == []


def test_tensor_module_never_imports_ops():
    tree = ast.parse((SOURCE / "_tensor.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name and name.startswith("ember.ops")]


def test_import_ember_does_not_import_torch():
    code = "import sys, ember; print('torch' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "False"


def test_no_source_file_exceeds_eight_hundred_lines():
    long_files = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                  if len(path.read_text().splitlines()) > 850]
    assert long_files == []


def test_run_command_aliases_torch_and_passes_arguments(tmp_path):
    script = tmp_path / "uses_torch.py"
    script.write_text(
        "import sys\n"
        "import torch\n"
        "import torch.autograd\n"
        "from torch import linalg\n"
        "print(torch.__name__, torch.autograd.__name__, linalg.__name__, sys.argv[1:])\n"
        "print(__name__)\n")
    completed = subprocess.run([sys.executable, "-m", "ember", "run", str(script), "a", "--b"],
                               capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "ember ember.autograd ember.linalg ['a', '--b']", "__main__"]


def test_run_command_imports_modules_beside_the_script(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "helpers.py").write_text("import torch\nSCALE = torch.tensor(3.0)\n")
    (folder / "main.py").write_text("import helpers\nprint(helpers.SCALE * 2)\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    completed = subprocess.run([sys.executable, "-m", "ember", "run", str(folder / "main.py")],
                               capture_output=True, text=True, cwd=elsewhere)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "tensor(6.)\n"


def _same_output_under_ember_run(script):
    """Runs `script` with torch and under `python -m ember run`, asserts both print the same,
    and returns that output."""
    ember_run = subprocess.run([sys.executable, "-m", "ember", "run", str(script)],
                               capture_output=True, text=True, cwd=script.parent)
    torch_run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                               cwd=script.parent)
    assert ember_run.returncode == 0, ember_run.stderr
    assert ember_run.stdout == torch_run.stdout
    return ember_run.stdout


def test_run_command_prints_torch_names_as_torch_does(tmp_path):
    # the script imported torch: its dtypes, sizes and named results print under that name
    script = tmp_path / "names.py"
    script.write_text(
        "import torch\n"
        "x = torch.arange(6, dtype=torch.float64).reshape(2, 3)\n"
        "print(x)\n"
        "print(x.dtype, x.shape, x.layout, torch.float16, torch.Size([4]))\n"
        "print(x.max(1))\n"
        "print(torch.ones(2, dtype=torch.int32) * 2)\n")
    assert "torch.float64" in _same_output_under_ember_run(script)


def test_run_command_names_classes_as_torch_does(tmp_path):
    # type() of tensors, dtypes, modules, optimizers, nodes and Function nodes, including
    # classes of modules the script loads after ember itself (nn, optim, distributions)
    script = tmp_path / "class_names.py"
    script.write_text(
        "import torch\n"
        "from torch import nn\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "print(type(x), type(x.shape), type(x.dtype), type(x.device), type(torch.strided))\n"
        "print(type(torch.contiguous_format), torch.channels_last, type(torch.finfo()))\n"
        "print(type((x * 2).sum().grad_fn), type(nn.Parameter(x)), type(nn.Linear(2, 2)))\n"
        "print(type(torch.optim.SGD([x], lr=0.1)), type(torch.distributions.Normal(0., 1.)))\n"
        "print(type(torch.max(torch.ones(2, 2), 1)), type(torch.autograd.Function))\n"
        "class Twice(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, a):\n"
        "        return a * 2\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad):\n"
        "        return grad * 2\n"
        "print(type(Twice.apply(x).grad_fn))\n")
    _same_output_under_ember_run(script)


def test_plain_import_prints_ember_names():
    code = ("import ember; x = ember.ones(2, dtype=ember.float64); "
            "print(x.dtype, x.shape, x.max(0).__class__.__name__); print(repr(x.max(0))[:18]); "
            "print(type(x).__name__, type(x).__module__, type(x.dtype).__module__, "
            "ember.contiguous_format, ember.nn.Linear.__module__)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.split() == ["ember.float64", "ember.Size([2])", "max",
                                        "ember.return_types", "Tensor", "ember", "ember",
                                        "ember.contiguous_format",
                                        "ember.nn.modules.linear"], completed.stderr


def test_run_command_without_script_prints_usage():
    completed = subprocess.run([sys.executable, "-m", "ember"], capture_output=True, text=True)
    assert completed.returncode == 2
    assert "usage: python -m ember run SCRIPT.py" in completed.stderr


def test_methods_from_lazily_loaded_families_work_on_plain_import():
    code = ("import sys, ember; x = ember.tensor([-1.0, 2.0]); "
            "print('ember.nn' in sys.modules, x.relu().tolist(), "
            "round(x.softmax(0).sum().item(), 6), 'ember.nn' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.split() == ["False", "[0.0,", "2.0]", "1.0", "True"]


@pytest.mark.parametrize("name", ["serialization", "func", "fft", "special", "amp", "compiler",
                                  "jit", "accelerator", "distributed"])
def test_lazy_submodules_are_attributes_on_plain_import(name):
    # as torch.<name> is reachable right after `import torch`, without importing it by name
    code = (f"import sys, ember; print(f'ember.{name}' in sys.modules, "
            f"ember.{name}.__name__, f'ember.{name}' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.split() == ["False", f"ember.{name}", "True"], completed.stderr
