"""vmap by slicing: func runs once per batch index on `select`ed slices (so it sees the
tensors without the mapped dim, as inside torch's vmap) and the per-slice results are stacked
at out_dims. One Python call per batch element, never per tensor element; in-place ops on a
slice write through to the input, as they do on torch's BatchedTensor."""
import functools

from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.func._pytree import broadcast_to_and_flatten, tree_flatten, tree_unflatten
from ember.ops.joining import stack
from ember.ops.sampling import get_rng_state, set_rng_state

_RANDOMNESS = ("error", "different", "same")


def _name(func):
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _check_out_dims(out_dims, func):
    if isinstance(out_dims, int):
        return
    leaves, _ = tree_flatten(out_dims)
    for leaf in leaves:
        if leaf is not None and not isinstance(leaf, int):
            raise ValueError(
                f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear.")


def _process_inputs(in_dims, args, func):
    """(batch size, flat in_dims normalised to non-negative, flat args, args spec)."""
    prefix = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{prefix}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")
    if len(args) == 0:
        raise ValueError(f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to "
                         "add inputs, or you are trying to vmap over a function with no "
                         "inputs. The latter is unsupported.")
    flat_args, spec = tree_flatten(args)
    flat_in_dims = broadcast_to_and_flatten(in_dims, spec)
    if flat_in_dims is None:
        raise ValueError(f"{prefix}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has structure {tree_flatten(in_dims)[1]} but inputs has "
                         f"structure {spec}.")
    for position, (arg, in_dim) in enumerate(zip(flat_args, flat_in_dims)):
        if in_dim is None:
            continue
        if not isinstance(in_dim, int):
            raise ValueError(f"{prefix}: Got in_dim={in_dim} for an input but in_dim must be "
                             "either an integer dimension or None.")
        if not isinstance(arg, Tensor):
            raise ValueError(f"{prefix}: Got in_dim={in_dim} for an input but the input is of "
                             f"type {type(arg)}. We cannot vmap over non-Tensor arguments, "
                             "please use None as the respective in_dim")
        if not -arg.dim() <= in_dim < arg.dim():
            raise ValueError(f"{prefix}: Got in_dim={in_dim} for some input, but that input "
                             f"is a Tensor of dimensionality {arg.dim()} so expected in_dim to "
                             f"satisfy -{arg.dim()} <= in_dim < {arg.dim()}.")
        flat_in_dims[position] = in_dim % arg.dim()
    sizes = [arg.size(in_dim) for arg, in_dim in zip(flat_args, flat_in_dims)
             if in_dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(size != sizes[0] for size in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0], flat_in_dims, flat_args, spec


def _slice(flat_args, flat_in_dims, index):
    return [arg if in_dim is None else arg.select(in_dim, index)
            for arg, in_dim in zip(flat_args, flat_in_dims)]


def _empty_slice(flat_args, flat_in_dims):
    """Stand-ins for a size-0 batch: zeros shaped like one slice, to learn output shapes."""
    with no_grad():
        return [arg if in_dim is None else arg.new_zeros(
                    tuple(arg.shape[:in_dim]) + tuple(arg.shape[in_dim + 1:]))
                for arg, in_dim in zip(flat_args, flat_in_dims)]


def _run_slices(func, batch_size, flat_in_dims, flat_args, spec, randomness, kwargs):
    """func's output for every batch index (one call on stand-ins for an empty batch)."""
    if batch_size == 0:
        return [func(*tree_unflatten(_empty_slice(flat_args, flat_in_dims), spec), **kwargs)]
    state = None if randomness == "different" else get_rng_state()
    outputs = []
    for index in range(batch_size):
        if randomness == "same":
            set_rng_state(state)
        outputs.append(func(*tree_unflatten(_slice(flat_args, flat_in_dims, index), spec),
                            **kwargs))
        if randomness == "error":
            refuse_randomness_since(state)
    return outputs


def check_randomness(randomness):
    if randomness not in _RANDOMNESS:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def refuse_randomness_since(state):
    """Raises vmap's error when the default generator moved since `state` (a random op ran
    in randomness='error' mode); torch refuses before drawing, so the state is put back."""
    if not get_rng_state().equal(state):
        set_rng_state(state)
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap")


def _flat_out_dims(first_output, out_dims, func):
    _, spec = tree_flatten(first_output)

    def incompatible():
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            "compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {spec}.")

    if isinstance(first_output, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims], spec
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims), spec
        incompatible()
    flat_out_dims = broadcast_to_and_flatten(out_dims, spec)
    if flat_out_dims is None:
        incompatible()
    return flat_out_dims, spec


def _unbatched(column, func):
    """The out_dim=None result: allowed when the output does not vary over the batch."""
    first = column[0]
    if not isinstance(first, Tensor):
        return first
    for other in column[1:]:
        if other is not first and not (isinstance(other, Tensor) and other.equal(first)):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` can not return a "
                             "BatchedTensor when out_dim is None")
    return first


def _combine(outputs, batch_size, out_dims, func):
    flat_out_dims, spec = _flat_out_dims(outputs[0], out_dims, func)
    columns = list(zip(*[tree_flatten(output)[0] for output in outputs]))
    results = []
    for column, out_dim in zip(columns, flat_out_dims):
        if out_dim is None:
            results.append(_unbatched(column, func))
            continue
        for value in column:
            if not isinstance(value, Tensor):
                raise ValueError(
                    f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got "
                    f"type {type(value)}. Did you mean to set out_dims= to None for output?")
        # batch first, then moved: torch's layout (a movedim view of a batch-first result)
        stacked = stack(list(column))
        if batch_size == 0:
            stacked = stacked.narrow(0, 0, 0)
        results.append(stacked.movedim(0, out_dim))
    return tree_unflatten(results, spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over the in_dims dimension of its inputs, results stacked at out_dims."""
    check_randomness(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        _check_out_dims(out_dims, func)
        batch_size, flat_in_dims, flat_args, spec = _process_inputs(in_dims, args, func)
        outputs = _run_slices(func, batch_size, flat_in_dims, flat_args, spec, randomness,
                              kwargs)
        return _combine(outputs, batch_size, out_dims, func)

    return wrapped
