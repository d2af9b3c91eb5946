"""torch.func's autograd transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Reverse mode throughout: jvp is the double-vjp trick and jacfwd computes jacrev's values
(the same numbers torch's forward mode gives). Error messages are torch.func's, including the
API names torch reports (jacrev's errors are vjp's, jacfwd's are jvp's)."""
import functools

from ember._tensor import Tensor
from ember.autograd.grad_mode import enable_grad, is_grad_enabled
from ember.func._levels import Level, autograd_grad_or_zeros
from ember.func._pytree import tree_flatten, tree_map, tree_unflatten, treespec_pprint
from ember.func._vmap import check_randomness, refuse_randomness_since
from ember.ops.creation import zeros, zeros_like
from ember.ops.ranges import eye
from ember.ops.sampling import get_rng_state
from ember.ops.joining import stack

_JVP = "jvp(f, primals, tangents)"
_VJP = "vjp(f, *primals)"


def _wrap_argnum(argnum, count):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < count:
        return argnum
    if -count <= argnum < 0:
        return argnum + count
    raise RuntimeError(f"Got argnum={argnum}, but only {count} positional inputs")


def _normalize_argnums(argnums, count):
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, count)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    argnums = tuple(_wrap_argnum(argnum, count) for argnum in argnums)
    if len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def _slice_argnums(args, argnums):
    """The positional arguments selected by argnums: one argument or a tuple of them."""
    if isinstance(argnums, int):
        return args[argnums]
    return tuple(args[argnum] for argnum in argnums)


def _replace_args(args, new, argnums):
    if isinstance(argnums, int):
        return tuple(new if i == argnums else arg for i, arg in enumerate(args))
    replacements = dict(zip(argnums, new))
    return tuple(replacements.get(i, arg) for i, arg in enumerate(args))


def _split_aux(output, api):
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return output


def _check_tensor_outputs(flat_outputs, api):
    if len(flat_outputs) == 0:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output "
                           f"(got output = {flat_outputs})")
    for output in flat_outputs:
        if not isinstance(output, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, "
                               f"got unsupported type {type(output)}")


def _check_real(name, tree, is_input):
    leaves, _ = tree_flatten(tree)
    for position, leaf in enumerate(leaves):
        if isinstance(leaf, Tensor) and leaf.dtype.is_complex:
            kind = "inputs" if is_input else "outputs"
            raise RuntimeError(f"{name}: Expected all {kind} to be real but received complex "
                               f"tensor at flattened input idx: {position}")


def _grad_and_value(func, argnums, has_aux, args, kwargs):
    level = Level()
    with enable_grad():
        argnums = _normalize_argnums(argnums, len(args))
        diff_args = tree_map(level.differentiable, _slice_argnums(args, argnums))
        output = func(*_replace_args(args, diff_args, argnums), **kwargs)
        aux = None
        if has_aux:
            output, aux = _split_aux(output, "grad_and_value(f)(*args)")
        if not isinstance(output, Tensor):
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"scalar Tensor, got tensor with {output.dim()} dims. Maybe you "
                               "wanted to use the vjp or jacrev APIs instead?")
        flat_diff, spec = tree_flatten(diff_args)
        create_graph = level.reaches_outside(output)
        flat_grads = autograd_grad_or_zeros((output,), flat_diff, create_graph=create_graph)
        grads = level.unwrap_tree(tree_unflatten(list(flat_grads), spec))
        output = level.unwrap(output)
        if has_aux:
            return grads, (output, level.unwrap_tree(aux))
        return grads, output


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func w.r.t. the argnums inputs, func's value)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _grad_and_value(func, argnums, has_aux, args, kwargs)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of the scalar func w.r.t. the argnums inputs."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        if has_aux:
            return grads, value[1]
        return grads
    return wrapper


class _Linearized:
    """func evaluated with differentiable inputs: what vjp, jacrev and jvp share."""

    def __init__(self, func, args, argnums, has_aux, api):
        self.level = Level()
        with enable_grad():
            if argnums is None:
                self.diff = tree_map(self.level.differentiable, args)
                call_args = self.diff
            else:
                argnums = _normalize_argnums(argnums, len(args))
                self.diff = tree_map(self.level.differentiable, _slice_argnums(args, argnums))
                call_args = _replace_args(args, self.diff, argnums)
            output = func(*call_args)
            self.aux = None
            if has_aux:
                output, aux = _split_aux(output, api)
                self.aux = self.level.unwrap_tree(aux)
            self.flat_outputs, self.output_spec = tree_flatten(output)
            _check_tensor_outputs(self.flat_outputs, api)
            self.flat_diff, self.diff_spec = tree_flatten(self.diff)
            self.create_graph = self.level.any_reaches_outside(self.flat_outputs)
            self.output = self.level.unwrap_tree(output)

    def pullback(self, flat_cotangents, create_graph):
        """The flat vector-Jacobian products for flat cotangents, one per differentiable leaf."""
        # the results land in the caller's grad mode of now, not of when func ran; a graph that
        # reaches only this call's own leaves would be cut off by unwrap anyway
        self.level.outside_records = is_grad_enabled()
        create_graph = create_graph and (self.level.any_reaches_outside(self.flat_outputs)
                                         or self.level.any_reaches_outside(flat_cotangents))
        with enable_grad():
            grads = autograd_grad_or_zeros(self.flat_outputs, self.flat_diff, flat_cotangents,
                                           create_graph=create_graph)
            return [self.level.unwrap(g) for g in grads]

    def jacobian_blocks(self, forward):
        """For each flat output, a tuple of blocks out.shape + leaf.shape, one per leaf: one
        vjp per output element. Forward mode's blocks take the output's dtype (tangents are
        the output's), reverse mode's the input's."""
        blocks = []
        for out in self.flat_outputs:
            rows = [[] for _ in self.flat_diff]
            if out.requires_grad:
                basis = eye(out.numel(), dtype=out.dtype).reshape((out.numel(),)
                                                                  + tuple(out.shape))
                for index in range(out.numel()):
                    with enable_grad():
                        grads = autograd_grad_or_zeros((out,), self.flat_diff, (basis[index],),
                                                       create_graph=self.create_graph)
                    for position, grad_value in enumerate(grads):
                        rows[position].append(grad_value)
            blocks.append(tuple(
                self._block(out, leaf, rows[position], out.dtype if forward else leaf.dtype)
                for position, leaf in enumerate(self.flat_diff)))
        return blocks

    def _block(self, out, leaf, rows, dtype):
        shape = tuple(out.shape) + tuple(leaf.shape)
        if not rows:
            return zeros(shape, dtype=dtype)
        return self.level.unwrap(stack(rows).reshape(shape).to(dtype))


def _check_floating_outputs(linear):
    for out in linear.flat_outputs:
        if not (out.is_floating_point() or out.is_complex()):
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex "
                               f"Tensors, got Tensor with dtype {out.dtype}")


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) returns one gradient per primal."""
    linear = _Linearized(func, primals, None, has_aux, _VJP)
    _check_floating_outputs(linear)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_cotangents, spec = tree_flatten(cotangents)
        if spec != linear.output_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {treespec_pprint(spec)}, "
                f"primal output: {treespec_pprint(linear.output_spec)}")
        grads = linear.pullback(flat_cotangents, create_graph)
        return tree_unflatten(grads, linear.diff_spec)

    if has_aux:
        return linear.output, vjp_fn, linear.aux
    return linear.output, vjp_fn


def _check_tensor_list(flat, argname):
    if len(flat) == 0:
        raise RuntimeError(f"{_JVP}: Expected {argname} to contain at least one Tensor.")
    for value in flat:
        if not isinstance(value, Tensor):
            raise RuntimeError(f"{_JVP}: Expected {argname} to only contain Tensors, "
                               f"got {type(value)}")


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J @ tangents[, aux]), by differentiating a vjp (the double-vjp trick)."""
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. "
                           "E.g. it should be valid to call f(*primals).")
    flat_primals, primals_spec = tree_flatten(primals)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {primals_spec} and tangents with structure {tangents_spec}")
    _check_tensor_list(flat_primals, "primals")
    _check_tensor_list(flat_tangents, "tangents")
    for primal, tangent in zip(flat_primals, flat_tangents):
        if tuple(primal.shape) != tuple(tangent.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(primal.shape)} while the given forward gradient is of size "
                f"{list(tangent.shape)}.")
    linear = _Linearized(func, primals, None, has_aux, _JVP)
    products = _push_forward(linear, flat_tangents, strict)
    tangents_out = tree_unflatten(products, linear.output_spec)
    if has_aux:
        return linear.output, tangents_out, linear.aux
    return linear.output, tangents_out


def _push_forward(linear, flat_tangents, strict):
    """J @ tangents for every flat output: u -> J^T u is linear in u, and its vjp with the
    tangents is J @ tangents."""
    level = linear.level
    products = []
    with enable_grad():
        differentiable = [out for out in linear.flat_outputs if out.requires_grad]
        if strict and len(differentiable) < len(linear.flat_outputs):
            raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is "
                               "independent of the inputs. This is not allowed with "
                               "strict=True.")
        dummies = [level.leaf(out) for out in differentiable]
        create_graph = linear.create_graph or level.any_reaches_outside(flat_tangents)
        pulled = autograd_grad_or_zeros(differentiable, linear.flat_diff, dummies,
                                        create_graph=True)
        pushed = iter(autograd_grad_or_zeros(pulled, dummies, flat_tangents,
                                             create_graph=create_graph))
        for out in linear.flat_outputs:
            if out.requires_grad:
                products.append(level.unwrap(next(pushed)))
            else:
                products.append(zeros_like(out))
    return products


def _jacobian(func, argnums, has_aux, name, api, randomness=None):
    @functools.wraps(func)
    def wrapper(*args):
        _check_real(name, args, is_input=True)
        forward = api == _JVP
        if forward:
            # torch's jacfwd is a vmap over basis vectors, with vmap's randomness rules
            check_randomness(randomness)
            state = get_rng_state()
        linear = _Linearized(func, args, argnums, has_aux, api)
        if forward and randomness == "error":
            refuse_randomness_since(state)
        if not forward:
            _check_floating_outputs(linear)
        _check_real(name, linear.flat_outputs, is_input=False)
        blocks = linear.jacobian_blocks(forward)
        # argnums=int: diff_spec is that argument's own structure, so no extra tuple level
        per_output = [tree_unflatten(list(block), linear.diff_spec) for block in blocks]
        jacobian = tree_unflatten(per_output, linear.output_spec)
        if has_aux:
            return jacobian, linear.aux
        return jacobian
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function returning the Jacobian of func w.r.t. the argnums inputs (reverse mode)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev", _VJP)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function returning the Jacobian of func w.r.t. the argnums inputs (computed in
    reverse mode here: the values forward mode gives)."""
    return _jacobian(func, argnums, has_aux, "jacfwd", _JVP, randomness)


def hessian(func, argnums=0):
    """A function returning the Hessian of func w.r.t. the argnums inputs."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is the Jacobian-vector product at primals."""
    output = func(*primals)
    _, output_spec = tree_flatten(output)
    flat_primals, primals_spec = tree_flatten(primals)

    def jvp_fn(*tangents):
        flat_tangents, tangents_spec = tree_flatten(tangents)
        if tangents_spec != primals_spec:
            raise RuntimeError(f"Expected the tangents {tangents_spec} to have the same argspec "
                               f"as the primals {primals_spec}")
        for position, (tangent, primal) in enumerate(zip(flat_tangents, flat_primals)):
            for what, mine, theirs in (("shape", tangent.shape, primal.shape),
                                       ("dtype", tangent.dtype, primal.dtype)):
                if mine != theirs:
                    raise RuntimeError(f"tangent:{position} with {what} {mine} in flattened "
                                       f"pytree doesn't match the {what} {theirs} of the "
                                       "corresponding primal.")
        _, products = jvp(func, primals, tangents)
        flat_products, _ = tree_flatten(products)
        return tree_unflatten(flat_products, output_spec)

    return output, jvp_fn


def debug_unwrap(tensor, *, recurse=True):
    """The tensor under a transform's wrapper: ember's transforms do not wrap, so itself."""
    return tensor


def functionalize(func, *, remove="mutations"):
    """func with the same results but no output aliasing an input; mutations of the inputs
    still reach them, as torch's functionalize copies them back."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            "functionalize(f, remove='mutations'): received invalid argument for "
            f"remove={remove}. Valid options are:\n     remove='mutations': all inplace and out= "
            "operators will be removed from the program, and replaced with their out-of-place "
            "equivalents.\n     remove='mutations_and_views': In addition to the above, all "
            "aliasing operators {view} will be replaced with their non-aliasing counterparts, "
            "{view}_copy.\n")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        leaves, _ = tree_flatten((args, kwargs))
        storages = {leaf.untyped_storage().data_ptr() for leaf in leaves
                    if isinstance(leaf, Tensor)}

        def unaliased(value):
            if isinstance(value, Tensor) and value.untyped_storage().data_ptr() in storages:
                return value.clone()
            return value
        return tree_map(unaliased, func(*args, **kwargs))

    return wrapper
