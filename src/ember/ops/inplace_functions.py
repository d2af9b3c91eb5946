"""torch.<name>_: the top-level forms of Tensor's in-place methods (PyTorch binds one kernel
both ways, so each is the method of the same name called with the tensor as `input`), and
torch.fill, the out-of-place form of fill_."""
from ember import _dtype
from ember._errors import argument_type_error, parser_type_name, parser_value_description
from ember._tensor import Tensor, _wrap
from ember.ops._registry import node_class, record
from ember.ops.conversion import preserved_copy

# every torch.<name>_ whose kernel is a Tensor method (relu_, selu_, celu_ and the dropout
# family live with nn.functional)
_METHOD_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
    "clamp_", "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_",
    "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_",
    "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "resize_as_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_")

__all__ = ["fill"] + list(_METHOD_NAMES)

# the parameters PyTorch requires, where more than `input`, for its missing-argument message;
# overloaded functions answer a missing argument with their "invalid combination" message
_REQUIRED = {"gcd_": ("input", "other"), "lcm_": ("input", "other"),
             "ldexp_": ("input", "other"), "resize_as_": ("input", "the_template"),
             "as_strided_": ("input", "size", "stride")}
_OVERLOADED = ("addmv_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "fill_", "round_",
               "xlogy_")


def _missing_arguments(name, args, kwargs):
    """PyTorch's TypeError when required arguments are missing (None when none is): its
    parser lists every required parameter from the first one not given by position, and says
    "arguments" for one, "argument" for several."""
    required = _REQUIRED.get(name, ("input",))
    if name in _OVERLOADED or all(parameter in kwargs for parameter in required[len(args):]):
        return None
    missing = required[len(args):]
    plural = "arguments" if len(missing) == 1 else "argument"
    names = ", ".join(f'"{parameter}"' for parameter in missing)
    return TypeError(f"{name}() missing {len(missing)} required positional {plural}: {names}")


def _function_form(name):
    """torch.<name>(input, ...): Tensor.<name>, with PyTorch's check that input is a Tensor.
    The method is looked up per call, so a later rebinding of it (a lazily loaded family)
    is followed."""
    def function(*args, **kwargs):
        error = _missing_arguments(name, args, kwargs)
        if error is not None:
            raise error
        input = args[0] if args else kwargs.pop("input")
        if not isinstance(input, Tensor):
            raise argument_type_error(name, "input", 1, "Tensor", input)
        return getattr(Tensor, name)(input, *args[1:], **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"In-place {name[:-1]} of input (Tensor.{name})."
    return function


globals().update((name, _function_form(name)) for name in _METHOD_NAMES)


FillBackward0 = node_class("FillBackward0", lambda grad: grad * 0)
FillBackward1 = node_class("FillBackward1", lambda grad: grad * 0, lambda grad: grad.sum())


def _fill_arguments_error(input, value):
    got = ", ".join(parser_type_name(argument) for argument in (input, value))
    marked = ", ".join(name if fits else f"!{name}!" for name, fits in (
        (parser_value_description(input), isinstance(input, Tensor)),
        (parser_value_description(value), isinstance(value, (Tensor,) + _dtype._NUMBER_TYPES))))
    overload_failure = "      didn't match because some of the arguments have invalid types: "
    return TypeError(
        f"fill() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * (Tensor input, Tensor value)\n{overload_failure}({marked})\n"
        f" * (Tensor input, Number value)\n{overload_failure}({marked})\n")


def fill(input, value):
    """A copy of input (same layout) filled with value."""
    if not isinstance(input, Tensor) or not isinstance(value, (Tensor,) + _dtype._NUMBER_TYPES):
        raise _fill_arguments_error(input, value)
    data = input._data
    filled = _wrap(preserved_copy(data, data.dtype, None))
    if isinstance(value, Tensor):
        filled.fill_(value.detach())
        return record(filled._data, FillBackward1, (input, value), ())
    filled.fill_(value)
    return record(filled._data, FillBackward0, (input,), ())
