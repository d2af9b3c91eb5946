"""LBFGS against torch.optim.LBFGS: the same iterates, evaluation counts and curvature memory
in float64, with and without the strong-Wolfe line search, and PyTorch's errors."""

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, run_script_both_ways, torch


def _problem(lib):
    """A small tanh network on fixed data, as parameters and a loss of them."""
    rng = np.random.default_rng(5)
    inputs = lib.tensor(rng.standard_normal((12, 4)))
    targets = lib.tensor(rng.standard_normal((12, 2)))
    params = [lib.tensor(rng.standard_normal(shape) * 0.4, requires_grad=True)
              for shape in [(4, 6), (6,), (6, 2), (2,)]]

    def loss():
        hidden = lib.tanh(inputs @ params[0] + params[1])
        return ((hidden @ params[2] + params[3] - targets) ** 2).mean()
    return params, loss


def _run(lib, steps, **options):
    params, loss_of = _problem(lib)
    optimizer = lib.optim.LBFGS(params, **options)

    def closure():
        optimizer.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    losses = [optimizer.step(closure) for _ in range(steps)]
    return params, losses, optimizer.state[params[0]]


@pytest.mark.parametrize("options", [
    {},
    {"lr": 0.5, "max_iter": 6, "history_size": 3},
    {"max_iter": 8, "line_search_fn": "strong_wolfe"},
    {"lr": 0.7, "max_iter": 5, "max_eval": 9, "history_size": 2,
     "line_search_fn": "strong_wolfe"},
])
def test_iterates_and_state_match_torch(options):
    mine_params, mine_losses, mine_state = _run(ember, 4, **options)
    theirs_params, theirs_losses, theirs_state = _run(torch, 4, **options)
    assert_matches(mine_losses, theirs_losses, rtol=1e-9, atol=1e-12, grad_fn=False)
    assert_matches(mine_params, theirs_params, rtol=1e-8, atol=1e-10, grad_fn=False)
    assert list(mine_state) == list(theirs_state)
    for key in ("func_evals", "n_iter"):
        assert mine_state[key] == theirs_state[key], key
    assert len(mine_state["old_dirs"]) == len(theirs_state["old_dirs"])
    for key in ("d", "prev_flat_grad", "H_diag", "t"):
        assert_matches(mine_state[key], theirs_state[key], where=key, rtol=1e-8, atol=1e-10,
                       grad_fn=False)


def test_rosenbrock_converges_like_torch():
    results = []
    for lib in (ember, torch):
        point = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
        optimizer = lib.optim.LBFGS([point], max_iter=40, line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad()
            loss = (1 - point[0]) ** 2 + 100 * (point[1] - point[0] ** 2) ** 2
            loss.backward()
            return loss
        optimizer.step(closure)
        results.append((point, optimizer.state[point]["func_evals"]))
    assert_matches(results[0][0], results[1][0], rtol=1e-9, atol=1e-12, grad_fn=False)
    assert results[0][1] == results[1][1]


def test_defaults_and_state_dict_match_torch():
    dicts = []
    for lib in (ember, torch):
        params, losses, state = _run(lib, 1, max_iter=3)
        optimizer = lib.optim.LBFGS(params, max_iter=3)
        optimizer.state[params[0]] = state
        dicts.append(optimizer.state_dict())
    assert dicts[0]["param_groups"] == dicts[1]["param_groups"]
    assert list(dicts[0]["state"]) == list(dicts[1]["state"])


def test_parameter_groups_are_refused():
    check_error(lambda lib: lib.optim.LBFGS([{"params": [lib.ones(2, requires_grad=True)]},
                                             {"params": [lib.ones(1, requires_grad=True)]}]))


def test_unknown_line_search():
    def run(lib):
        param = lib.ones(2, requires_grad=True)
        optimizer = lib.optim.LBFGS([param], line_search_fn="backtracking")

        def closure():
            optimizer.zero_grad()
            loss = (param ** 2).sum()
            loss.backward()
            return loss
        optimizer.step(closure)
    check_error(run)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_loss_conversion_gives_no_scalar_warning(tmp_path, line_search_fn):
    # torch converts the closure's loss with float() outside the closure's enable_grad, so its
    # once-per-process "Converting a tensor with requires_grad=True" warning stays silent; a
    # fresh process per library keeps that once-only state out of the comparison
    script = tmp_path / "lbfgs_warning.py"
    script.write_text(
        "import torch\n"
        "param = torch.tensor([1.0, -0.5], dtype=torch.float64, requires_grad=True)\n"
        f"optimizer = torch.optim.LBFGS([param], max_iter=5, line_search_fn={line_search_fn!r})\n"
        "def closure():\n"
        "    optimizer.zero_grad()\n"
        "    loss = ((param - 2.0) ** 4).sum()\n"
        "    loss.backward()\n"
        "    return loss\n"
        "print(optimizer.step(closure))\n")
    mine, theirs = run_script_both_ways(script)
    assert mine.stdout == theirs.stdout
    assert ("Converting a tensor" in mine.stderr) == ("Converting a tensor" in theirs.stderr)
