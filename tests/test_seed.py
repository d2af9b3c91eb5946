"""The seed notebook, run unmodified through `python -m ember run`, prints PyTorch's output."""
import pathlib
import subprocess
import sys

SEED = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "seed"


def test_seed_notebook_prints_what_pytorch_prints(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "ember", "run", str(SEED / "seed_notebook.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert completed.stderr == ""
    assert completed.stdout == (SEED / "seed_notebook.expected").read_text()
