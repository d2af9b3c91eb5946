"""ember.func against torch.func: the cores of PyTorch's torch.func tutorials (per-sample
gradients, model ensembling, Jacobians and Hessians), vmap's in_dims/out_dims, nesting, aux
outputs, argnums and torch's error messages. Deterministic NumPy data throughout."""
import collections

import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input

RNG = np.random.default_rng(2024)
X = RNG.standard_normal((5, 4))
Y = RNG.standard_normal((5, 4))
V3 = RNG.standard_normal(3)
V4 = RNG.standard_normal(4)
M34 = RNG.standard_normal((3, 4))
B234 = RNG.standard_normal((2, 3, 4))
B43 = RNG.standard_normal((4, 3))
TARGETS = np.array([0, 2, 1, 2, 0])


def _items(tree):
    """A dict as a list of (key, value) pairs, which the oracle compares element by element."""
    if isinstance(tree, dict):
        return [(key, _items(value)) for key, value in tree.items()]
    if isinstance(tree, (tuple, list)):
        return type(tree)(_items(value) for value in tree)
    return tree


def _mlp(lib, seed=0, hidden=6):
    """Linear(4, hidden) -> ReLU -> Linear(hidden, 3) with weights drawn from NumPy."""
    rng = np.random.default_rng(seed)
    model = lib.nn.Sequential(lib.nn.Linear(4, hidden), lib.nn.ReLU(), lib.nn.Linear(hidden, 3))
    with lib.no_grad():
        for parameter in model.parameters():
            values = rng.standard_normal(tuple(parameter.shape)) * 0.5
            parameter.copy_(lib.from_numpy(values.astype(np.float32)))
    return model


# ---- per-sample gradients (the torch.func tutorial) --------------------------------------

def _per_sample_grads(lib, data, targets, detach):
    model = _mlp(lib)
    params = {k: v.detach() if detach else v for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    func = lib.func

    def compute_loss(params, buffers, sample, target):
        batch = sample.unsqueeze(0)
        predictions = func.functional_call(model, (params, buffers), (batch,))
        return lib.nn.functional.cross_entropy(predictions, target.unsqueeze(0))

    per_sample = func.vmap(func.grad(compute_loss), in_dims=(None, None, 0, 0))
    return _items(per_sample(params, buffers, data, targets))


def test_per_sample_gradients_of_mlp():
    grads = check(lambda lib, x, t: _per_sample_grads(lib, x, t, detach=True),
                  X.astype(np.float32), TARGETS)
    assert [name for name, _ in grads] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert tuple(grads[0][1].shape) == (5, 6, 4)


def test_per_sample_gradients_match_a_loop_over_samples():
    def loop(lib, data, targets):
        model = _mlp(lib)
        rows = []
        for index in range(data.shape[0]):
            loss = lib.nn.functional.cross_entropy(model(data[index:index + 1]),
                                                   targets[index:index + 1])
            rows.append(lib.autograd.grad(loss, list(model.parameters())))
        return [lib.stack([row[p] for row in rows]) for p in range(4)]
    mine = _per_sample_grads(ember, ember.from_numpy(X.astype(np.float32)),
                             ember.from_numpy(TARGETS), detach=True)
    theirs = check(loop, X.astype(np.float32), TARGETS)
    for (_, got), expected in zip(mine, theirs):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_per_sample_gradients_with_parameters_that_require_grad():
    # not detached: the per-sample gradients stay differentiable w.r.t. the parameters
    def run(lib, data, targets):
        grads = _per_sample_grads(lib, data, targets, detach=False)
        return [value.requires_grad for _, value in grads]
    check(run, X.astype(np.float32), TARGETS)


# ---- model ensembling (the torch.func tutorial) -------------------------------------------

def _ensemble(lib, data, same_minibatch):
    models = [_mlp(lib, seed) for seed in range(3)]
    params, buffers = lib.func.stack_module_state(models)

    def fmodel(params, buffers, x):
        return lib.func.functional_call(models[0], (params, buffers), (x,))

    in_dims = (0, 0, None) if same_minibatch else (0, 0, 0)
    batch = data if same_minibatch else data.reshape(3, 2, 4)
    out = lib.func.vmap(fmodel, in_dims=in_dims)(params, buffers, batch)
    out.pow(2).sum().backward()
    return out, [(k, v.grad, v.is_leaf, v.requires_grad) for k, v in params.items()]


def test_ensembling_over_one_minibatch():
    out, _ = check(lambda lib, x: _ensemble(lib, x, True), X[:4].astype(np.float32),
                   grad_fn=False)
    assert tuple(out.shape) == (3, 4, 3)


def test_ensembling_over_one_minibatch_per_model():
    data = np.concatenate([X, Y[:1]]).astype(np.float32)
    check(lambda lib, x: _ensemble(lib, x, False), data, grad_fn=False)


def test_stack_module_state_of_buffers_and_errors():
    def run(lib):
        models = [lib.nn.BatchNorm1d(3) for _ in range(2)]
        params, buffers = lib.func.stack_module_state(models)
        return _items(params), _items(buffers)
    check(run, grad_fn=False)
    check_error(lambda lib: lib.func.stack_module_state([]))
    check_error(lambda lib: lib.func.stack_module_state(
        [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2).eval()]))
    check_error(lambda lib: lib.func.stack_module_state([lib.nn.Linear(2, 2), lib.nn.ReLU()]))


def test_replace_all_batch_norm_modules_then_vmap():
    def run(lib, x):
        model = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3))
        with lib.no_grad():
            model[0].weight.copy_(lib.from_numpy(M34.astype(np.float32)))
            model[0].bias.zero_()
        lib.func.replace_all_batch_norm_modules_(model)
        out = lib.func.vmap(model, in_dims=1)(x.reshape(5, 1, 4).expand(5, 2, 4))
        return out, model[1].running_mean is None, model[1].track_running_stats
    check(run, X.astype(np.float32), grad_fn=False)


# ---- functional_call ----------------------------------------------------------------------

def test_functional_call_substitutes_and_restores():
    def run(lib, weight, bias, x):
        model = _mlp(lib)
        original = model[0].weight
        out = lib.func.functional_call(model, {"0.weight": weight, "0.bias": bias}, x)
        return out, model[0].weight is original, model[0].weight.detach().clone()
    check(run, grad_input(RNG.standard_normal((6, 4)).astype(np.float32)),
          grad_input(RNG.standard_normal(6).astype(np.float32)), X.astype(np.float32))


def test_functional_call_restores_after_an_exception():
    def run(lib, weight):
        model = lib.nn.Linear(4, 3)
        original = model.weight
        try:
            lib.func.functional_call(model, {"weight": weight}, (lib.ones(2, 5),))
        except RuntimeError:
            pass
        return model.weight is original, isinstance(model.weight, lib.nn.Parameter)
    check(run, M34.astype(np.float32))


def test_functional_call_kwargs_buffers_and_tuple_of_dicts():
    def run(lib, x, mean, weight):
        model = lib.nn.BatchNorm1d(4).eval()
        return lib.func.functional_call(
            model, ({"running_mean": mean}, {"weight": weight}), args=(), kwargs={"input": x})
    check(run, X.astype(np.float32), V4.astype(np.float32),
          grad_input(np.abs(V4).astype(np.float32) + 0.5))


def test_functional_call_tied_weights():
    def run(lib, weight, x):
        model = lib.nn.Sequential(lib.nn.Linear(4, 4, bias=False), lib.nn.Linear(4, 4,
                                                                                 bias=False))
        model[1].weight = model[0].weight
        tied = lib.func.functional_call(model, {"0.weight": weight}, (x,))
        untied = lib.func.functional_call(model, {"0.weight": weight}, (x,), tie_weights=False)
        return tied, untied.shape
    check(run, grad_input(np.eye(4, dtype=np.float32) * 0.5), X.astype(np.float32),
          grad_fn=False)


def test_functional_call_errors():
    def strict(lib):
        model = lib.nn.Linear(2, 2)
        lib.func.functional_call(model, {"weight": lib.ones(2, 2), "extra": lib.ones(1)},
                                 (lib.ones(2),), strict=True)
    check_error(strict)
    check_error(lambda lib: lib.func.functional_call(
        lib.nn.Linear(2, 2), ({"weight": lib.ones(2, 2)}, {"weight": lib.ones(2, 2)}),
        (lib.ones(2),)))
    check_error(lambda lib: lib.func.functional_call(lib.nn.Linear(2, 2), 3, (lib.ones(2),)))
    check_error(lambda lib: lib.func.functional_call(
        lib.nn.Sequential(lib.nn.Linear(2, 2)), {"foo.weight": lib.ones(2, 2)}, (lib.ones(2),)))

    def tied(lib):
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 2))
        model[1].weight = model[0].weight
        lib.func.functional_call(model, {"0.weight": lib.ones(2, 2),
                                         "1.weight": lib.zeros(2, 2)}, (lib.ones(2),))
    check_error(tied)


# ---- grad and grad_and_value --------------------------------------------------------------

def test_grad_of_scalar_function():
    check(lambda lib, x: lib.func.grad(lambda v: (v.sin() * v).sum())(x), V4)


def test_grad_stays_differentiable_for_inputs_that_require_grad():
    # torch.func composes with ordinary autograd: the gradient is a function of x
    check(lambda lib, x: lib.func.grad(lambda v: (v ** 3).sum())(x), grad_input(V4),
          grad_fn=False)


def test_grad_through_a_closed_over_tensor_that_requires_grad():
    check(lambda lib, x, w: lib.func.grad(lambda v: (v * w).pow(2).sum())(x),
          V4, grad_input(V4 + 1.0), grad_fn=False)


def test_transforms_under_no_grad_compute_but_record_nothing_outside():
    def run(lib, x, w):
        func = lib.func
        with lib.no_grad():
            cube = func.grad(lambda a: (a ** 3).sum())(x)
            closure = func.grad(lambda a: (a * w).pow(2).sum())(x.detach())
            out, vjp_fn = func.vjp(lambda a: a ** 2 * w, x)
            jac = func.jacrev(lambda a: a ** 2 * w)(x)
            tangent = func.jvp(lambda a: a ** 2 * w, (x,), (w.detach(),))[1]
            pulled = vjp_fn(w.detach())
        # called with grad enabled, the pullback records its use of w (torch's too)
        return cube, closure, out, pulled, jac, tangent, vjp_fn(w.detach())
    check(run, grad_input(V3), grad_input(V3 + 1), grad=False)


def test_no_grad_inside_the_function_makes_a_constant():
    def run(lib, x):
        def func(a):
            with lib.no_grad():
                c = a ** 2
            return (a - c).sum()
        return lib.func.grad(func)(x)
    check(run, V3)


def test_nested_grad():
    def run(lib, x):
        func = lib.func
        second = func.grad(func.grad(lambda v: v.sin() * v ** 3))(x)
        third = func.grad(func.grad(func.grad(lambda v: v.exp() * v)))(x)
        return second, third
    check(run, np.array(0.7))


def test_nested_grad_with_a_captured_outer_input():
    # d/dx [ d/dy (x * y^2) at y = x ] = d/dx 2x^2 = 4x
    def run(lib, x):
        def inner(x):
            return lib.func.grad(lambda y: x * y ** 2)(x)
        return lib.func.grad(inner)(x)
    check(run, np.array(1.5))


def test_grad_argnums_pytrees_aux_and_kwargs():
    def loss(params, x, scale=1.0):
        return ((x @ params["w"] + params["b"]).tanh().sum() * scale,
                {"norm": params["w"].norm()})

    def run(lib, w, b, x):
        params = {"w": w, "b": b}
        grads, aux = lib.func.grad(loss, has_aux=True)(params, x, scale=2.0)
        both = lib.func.grad(lambda a, c: (a * c).sum(), argnums=(0, 1))(x, x + 1)
        negative = lib.func.grad(lambda a, c: (a * c).sum(), argnums=-1)(x, x + 1)
        unused = lib.func.grad(lambda a, c: a.sum(), argnums=1)(x, x)
        return _items(grads), _items(aux), both, negative, unused
    check(run, B43, V3, X[:, :4])


def test_grad_and_value():
    def run(lib, x):
        result = lib.func.grad_and_value(lambda v: (v ** 2).sum())(x)
        with_aux = lib.func.grad_and_value(lambda v: ((v ** 2).sum(), v.mean()),
                                           has_aux=True)(x)
        return result, with_aux
    check(run, V4)


def test_grad_of_a_function_independent_of_its_input_is_zero():
    check(lambda lib, x: lib.func.grad(lambda v: lib.ones((), dtype=lib.float64))(x), V3)


# ---- vjp and jvp --------------------------------------------------------------------------

def test_vjp_returns_output_and_reusable_pullback():
    def run(lib, x, y, v):
        out, vjp_fn = lib.func.vjp(lambda a, b: (a * b).sin(), x, y)
        return out, vjp_fn(v), vjp_fn(2 * v)
    check(run, V4, V4 + 0.5, V4 * 0.1)


def test_vjp_is_differentiable_in_its_cotangent_and_primals():
    def run(lib, x, v):
        out, vjp_fn = lib.func.vjp(lambda a: a.sin() * a, x)
        return out, vjp_fn(v), vjp_fn(v, create_graph=False)
    check(run, grad_input(V4), grad_input(V4 * 0.1), grad_fn=False)


def test_vjp_with_aux_and_tuple_outputs():
    def run(lib, x, v):
        out, vjp_fn, aux = lib.func.vjp(lambda a: ((a.exp(), a.sum()), a * 3), x,
                                        has_aux=True)
        return out, vjp_fn((v, lib.tensor(2.0, dtype=lib.float64))), aux
    check(run, V4, V4)


def test_jvp_by_double_vjp():
    def run(lib, x, y, tx, ty):
        out, tangent = lib.func.jvp(lambda a, b: (a * b).sin(), (x, y), (tx, ty))
        pair = lib.func.jvp(lambda a: (a ** 2, lib.ones(2), a.long()), (x,), (tx,))
        aux = lib.func.jvp(lambda a: (a.exp(), a.sum()), (x,), (tx,), has_aux=True)
        return out, tangent, pair, aux
    check(run, V4, V4 + 1, V4 * 0.3, -V4)


def test_linearize():
    def run(lib, x, t):
        out, jvp_fn = lib.func.linearize(lambda a: (a.sin() * a, a.sum()), x)
        return out, jvp_fn(t), jvp_fn(2 * t), lib.func.debug_unwrap(x)
    check(run, V4, V4 * 0.5)
    check_error(lambda lib, x: lib.func.linearize(lib.sin, x)[1](x, x), V4)
    check_error(lambda lib, x: lib.func.linearize(lib.sin, x)[1](x[:2]), V4)
    check_error(lambda lib, x: lib.func.linearize(lib.sin, x)[1](x.float()), V4)


def test_functionalize_keeps_values_and_input_mutations_but_not_aliasing():
    def run(lib, x):
        def func(a):
            b = a.view(2, 2)
            b.add_(1)
            return b, a * 2
        out = lib.func.functionalize(func)(x)
        return out, x, out[0].data_ptr() == x.data_ptr()
    check(run, V4)
    check_error(lambda lib: lib.func.functionalize(lib.sin, remove="foo"))


def test_complex_inputs_follow_torchs_conjugate_convention():
    # the double-vjp jvp must agree with forward mode on non-holomorphic functions too
    def run(lib, z, t):
        funcs = [lambda a: a.abs(), lambda a: a.conj() * a, lambda a: a.real * a]
        tangents = [lib.func.jvp(f, (z,), (t,))[1] for f in funcs]
        gradient = lib.func.grad(lambda a: (a * a.conj()).real.sum() + a.abs().sum())(z)
        _, vjp_fn = lib.func.vjp(lambda a: a * a.conj() * (2 + 1j), z)
        return tangents, gradient, vjp_fn(t)
    check(run, V4 + 1j * X[0], V4[::-1] - 0.5j)


# ---- Jacobians and Hessians ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobian_of_vector_function(name):
    check(lambda lib, x: getattr(lib.func, name)(lambda v: v.sin() * v.sum())(x), V4)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobian_argnums_pytree_outputs_and_aux(name):
    def run(lib, x, w):
        transform = getattr(lib.func, name)

        def func(a, params):
            out = {"o": a @ params["w"], "p": (a.sum() * params["w"].sum(),)}
            return out, a.norm()
        jac, aux = transform(func, argnums=(0, 1), has_aux=True)(x, {"w": w})
        single = transform(lambda a, b: a.outer(b), argnums=1)(x, x[:3])
        return _items(jac), aux, single
    check(run, V4, B43)


def test_jacobian_dtypes_follow_the_mode():
    # forward mode's tangents have the output's dtype, reverse mode's cotangents the input's
    def run(lib, x):
        func = lib.func
        return (func.jacfwd(lambda a: a.float() * 2)(x), func.jacrev(lambda a: a.float())(x),
                func.jacfwd(lambda a: (a * 2).long())(x))
    check(run, V3)


def test_jacobian_of_linear_layer_output_and_input_shapes():
    def run(lib, x, weight, bias):
        return lib.func.jacrev(lib.nn.functional.linear, argnums=(1, 2))(x, weight, bias)
    check(run, X[:2], M34, V3)


def test_hessian():
    def run(lib, x, y):
        func = lib.func
        scalar = func.hessian(lambda v: (v.sin() * v ** 2).sum())(x)
        pair = func.hessian(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(x, y)
        double = func.jacrev(func.jacrev(lambda v: v.tanh().prod()))(x)
        return scalar, pair, double
    check(run, V4, V4 * 0.5)


def test_hessian_with_inputs_that_require_grad():
    check(lambda lib, x: lib.func.hessian(lambda v: (v ** 3).sum())(x), grad_input(V3),
          grad_fn=False)


# ---- vmap ---------------------------------------------------------------------------------

def _vmap_cases(lib):
    vmap = lib.func.vmap
    return [
        lambda a, b, m, v: vmap(lib.dot)(a, b),
        lambda a, b, m, v: vmap(lib.mv, in_dims=(None, 0))(m, a),
        lambda a, b, m, v: vmap(lib.matmul, in_dims=(1, None))(m, v[:3]),
        lambda a, b, m, v: vmap(lib.sum, in_dims=-1)(m),
        lambda a, b, m, v: vmap(lambda x: x * 2, out_dims=1)(a),
        lambda a, b, m, v: vmap(lambda x: x.outer(x), out_dims=-1)(m),
        lambda a, b, m, v: vmap(lambda x, y: (x + y, x * y), out_dims=(0, 1))(a, b),
        lambda a, b, m, v: vmap(lambda x, y: x @ y, in_dims=(0, None))(a, m.t()),
        lambda a, b, m, v: vmap(vmap(lib.dot, (0, None)), (None, 0))(a, b),
        lambda a, b, m, v: vmap(lambda x: lib.ones(2) * 3)(a),
        lambda a, b, m, v: vmap(lambda x, s: x * s)(a, s=v),
    ]


@pytest.mark.parametrize("case", range(11))
def test_vmap_in_dims_out_dims_and_nesting(case):
    check(lambda lib, *args: _vmap_cases(lib)[case](*args), X, Y, M34, V4, grad_fn=False)


def test_vmap_out_dims_layout_is_a_moved_batch_dim():
    check(lambda lib, x: lib.func.vmap(lambda a: a * 2, out_dims=1)(x), M34, strides=True)


@pytest.mark.parametrize("case", [0, 2, 6, 8])
def test_vmap_gradients_flow_to_the_batched_inputs(case):
    check(lambda lib, *args: _vmap_cases(lib)[case](*args), grad_input(X), grad_input(Y),
          grad_input(M34), grad_input(V4), grad_fn=False)


def test_vmap_pytrees_and_unbatched_outputs():
    def run(lib, a, b):
        out = lib.func.vmap(lambda d: {"s": d["a"].sum(), "t": d["b"], "n": 3},
                            in_dims=({"a": 0, "b": None},),
                            out_dims={"s": 0, "t": 0, "n": None})({"a": a, "b": b})
        listed = lib.func.vmap(lambda x: [x, x * 2], out_dims=[0, 1])(a)
        nested = lib.func.vmap(lambda p, x: p[0] * x + p[1], in_dims=((0, None), 0))(
            (a, b), a)
        return _items(out), listed, nested
    check(run, B234[0], V4)


def test_vmap_pytree_node_types_are_torchs():
    # return types and Size are nodes; an unregistered tuple subclass is a leaf
    def run(lib, x):
        out = lib.func.vmap(lambda a: a.max(0))(x)
        sizes = lib.func.vmap(lambda a: (a * 2, a.shape), out_dims=(0, None))(x)
        return type(out).__name__, out, sizes
    check(run, B234)
    point = collections.namedtuple("Point", "x y")
    check_error(lambda lib, x: lib.func.vmap(lambda p: p.x, in_dims=((0, 0, 0),))(point(x, x)),
                V4)


def test_vmap_in_place_writes_through_to_the_input():
    def run(lib, x):
        lib.func.vmap(lambda row: row.mul_(2))(x)
        return x
    check(run, X)


def test_vmap_of_grad_with_batched_parameters():
    def run(lib, w, x):
        return lib.func.vmap(lib.func.grad(lambda p, v: (p @ v).tanh().sum()),
                             in_dims=(0, None))(w, x)
    check(run, B234, V4)


def test_vmap_of_an_empty_batch():
    check(lambda lib, x: lib.func.vmap(lambda v: v.sum())(x), np.zeros((0, 3)))


def test_vmap_randomness_modes():
    def run(lib, x):
        lib.manual_seed(0)
        same = lib.func.vmap(lambda v: v * 0 + lib.rand(()), randomness="same")(x)
        different = lib.func.vmap(lambda v: v * 0 + lib.rand(()), randomness="different")(x)
        return bool((same == same[0]).all()), bool((different == different[0]).all())
    check(run, X)
    check_error(lambda lib, x: lib.func.vmap(lambda v: v + lib.rand(()))(x), X)


def test_vmap_is_a_lazy_top_level_attribute():
    check(lambda lib, x: lib.vmap(lib.sin)(x), X)


# ---- errors -------------------------------------------------------------------------------

def _f(lib):
    return lib.func


ERRORS = [
    lambda lib, x: _f(lib).grad(lambda a: a * 2)(x),
    lambda lib, x: _f(lib).grad(lambda a: 2.0)(x),
    lambda lib, x: _f(lib).grad(lambda a: a.sum(), has_aux=True)(x),
    lambda lib, x: _f(lib).grad(lambda a: a.sum(), argnums=2)(x),
    lambda lib, x: _f(lib).grad(lambda a: a.sum(), argnums=1.0)(x),
    lambda lib, x: _f(lib).grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x),
    lambda lib, x: _f(lib).grad(lambda a, b: a.sum(), argnums=())(x, x),
    lambda lib, x: _f(lib).grad(lambda a: a.sum())(3.0),
    lambda lib, x: _f(lib).grad(lambda a: a.sum())(x.long()),
    lambda lib, x: _f(lib).grad(lambda a: (a.sum(), 3), has_aux=True)(x),
    lambda lib, x: _f(lib).grad(lambda a: a.mul_(2).sum())(x),
    lambda lib, x: _f(lib).vmap(lambda a, b: a + b[:3])(x, lib.ones(4)),
    lambda lib, x: _f(lib).vmap(lambda a: a, in_dims=None)(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, in_dims=1)(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, in_dims=[0])(x),
    lambda lib, x: _f(lib).vmap(lambda a, b: a, in_dims=(0, 0, 0))(x, x),
    lambda lib, x: _f(lib).vmap(lambda a, b: a, in_dims=((0, 0), 0))(x, x),
    lambda lib, x: _f(lib).vmap(lambda a, b: a, in_dims=(0, 0))(x, 3),
    lambda lib, x: _f(lib).vmap(lambda a, b: a, in_dims=(0, 1.5))(x, x),
    lambda lib, x: _f(lib).vmap(lambda a, b: a, in_dims=(None, None))(x, x),
    lambda lib, x: _f(lib).vmap(lambda: x)(),
    lambda lib, x: _f(lib).vmap(lambda a: 3)(x),
    lambda lib, x: _f(lib).vmap(lambda a: (a, None))(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, out_dims=None)(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, out_dims=1.0)(x),
    lambda lib, x: _f(lib).vmap(lambda a: (a, a), out_dims=(0, 0, 0))(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, out_dims=(0, 0))(x),
    lambda lib, x: _f(lib).vmap(lambda a: [a, a], out_dims=(0, 0))(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, out_dims=2)(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, randomness="foo")(x),
    lambda lib, x: _f(lib).vmap(lambda a: a, chunk_size=0)(x),
    lambda lib, x: _f(lib).vjp(lambda a: a, x, has_aux=True),
    lambda lib, x: _f(lib).vjp(lambda a: a.long(), x),
    lambda lib, x: _f(lib).vjp(lambda a: 3.0, x),
    lambda lib, x: _f(lib).vjp(lambda a: a * 2, x)[1]((x, x)),
    lambda lib, x: _f(lib).jvp(lambda a: a * 2, x, x),
    lambda lib, x: _f(lib).jvp(lambda a: a * 2, (x,), (x, x)),
    lambda lib, x: _f(lib).jvp(lambda a: a * 2, (x,), (3.0,)),
    lambda lib, x: _f(lib).jvp(lambda a: a * 2, (x,), (lib.ones(4),)),
    lambda lib, x: _f(lib).jvp(lambda a: lib.ones(2), (x,), (x,), strict=True),
    lambda lib, x: _f(lib).jacrev(lambda a: 3.0)(x),
    lambda lib, x: _f(lib).jacfwd(lambda a: 3.0)(x),
    lambda lib, x: _f(lib).jacrev(lambda a: ())(x),
    lambda lib, x: _f(lib).jacrev(lambda a: a, has_aux=True)(x),
    lambda lib, x: _f(lib).jacfwd(lambda a: a, has_aux=True)(x),
    lambda lib, x: _f(lib).jacrev(lambda a: a * 2)(x.long()),
    lambda lib, x: _f(lib).jacrev(lambda a: (a * 2, a.long()))(x),
    lambda lib, x: _f(lib).jacrev(lambda a: a, chunk_size=0)(x),
    lambda lib, x: _f(lib).jacrev(lambda a: a)(x.to(lib.complex64)),
    lambda lib, x: _f(lib).jacfwd(lambda a: a * lib.rand(()))(x),
    lambda lib, x: _f(lib).jacfwd(lambda a: a, randomness="foo")(x),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    check_error(ERRORS[case], V3)


def test_func_loads_lazily():
    import subprocess
    import sys
    code = "import ember, sys; print('ember.func' in sys.modules); ember.func.grad; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "ok"]
