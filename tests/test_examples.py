"""The examples run as users run them (`python -m ember run ...`, in a fresh directory): the
digits demo reaches 97% test accuracy and leaves a checkpoint that loads and scores as reported
plus a PNG; the seed-notebook script prints what PyTorch prints and draws its tangent plot."""
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import ember
from oracle import torch

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytest.importorskip("matplotlib", reason="the examples need the examples extra")
pytest.importorskip("sklearn", reason="the digits demo needs scikit-learn")
pytest.importorskip("tqdm", reason="the digits demo needs tqdm")


def _run(arguments, cwd, timeout=150):
    # Tiny matrices gain nothing from BLAS threads, and spinning threads thrash when the
    # suite shares its cores: one thread keeps the run time steady.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    result = subprocess.run([sys.executable] + arguments, cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _digits_model():
    nn = ember.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 2 * 2, 10))


def test_digits_demo_reaches_97_percent_and_saves_a_loadable_checkpoint(tmp_path):
    result = _run(["-m", "ember", "run", str(EXAMPLES / "train_digits.py")], tmp_path)
    reported = re.search(r"test accuracy: ([\d.]+)%", result.stdout)
    assert reported, result.stdout
    accuracy = float(reported.group(1)) / 100
    assert accuracy >= 0.97
    assert "epoch  1/8" in result.stderr              # tqdm's per-epoch progress bar
    assert (tmp_path / "digits_training.png").read_bytes()[:8] == PNG_SIGNATURE

    checkpoint = ember.load(tmp_path / "digits_cnn.pt")
    assert checkpoint["epoch"] == 8
    assert len(checkpoint["history"]["test_accuracy"]) == 8
    assert checkpoint["optimizer"]["param_groups"][0]["params"] == list(range(6))
    model = _digits_model()
    model.load_state_dict(checkpoint["model"])
    model.eval()

    # score the saved weights independently, on the demo's held-out split
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[:, None]
    _, test_x, _, test_y = train_test_split(images, digits.target, test_size=0.25,
                                            random_state=0, stratify=digits.target)
    with ember.no_grad():
        predictions = model(ember.from_numpy(test_x)).argmax(dim=1).numpy()
    assert np.mean(predictions == test_y) == pytest.approx(accuracy, abs=5e-5)
    if torch is not None:
        # the checkpoint is PyTorch's format: torch reads it without unpickling code
        theirs = torch.load(tmp_path / "digits_cnn.pt", weights_only=True)
        np.testing.assert_array_equal(theirs["model"]["7.weight"].numpy(),
                                      checkpoint["model"]["7.weight"].numpy())


def test_seed_notebook_script_prints_what_torch_prints_and_plots_the_tangent(tmp_path):
    script = str(EXAMPLES / "seed_notebook.py")
    mine = _run(["-m", "ember", "run", script], tmp_path).stdout
    torch_dir = tmp_path / "torch"
    torch_dir.mkdir()
    theirs = _run([script], torch_dir).stdout
    assert "f(1) = -1.0, f'(1) = 2.0: tangent y = 2.0x - 3.0" in mine
    # the version line differs by design; every other printed line matches PyTorch's
    assert mine.splitlines()[1:] == theirs.splitlines()[1:]
    assert "tensor(28., grad_fn=<DotBackward0>)" in mine
    assert (tmp_path / "seed_notebook_tangent.png").read_bytes()[:8] == PNG_SIGNATURE
