"""Support for Module.state_dict/load_state_dict: the result type and the copy of one entry."""
from collections import namedtuple

from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn.parameter import Parameter, is_lazy
from ember.ops.combinatorics import typename

__all__ = ["typename", "load_entry"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """load_state_dict's result: the keys it missed and the keys it did not expect."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def load_entry(module, name, key, param, input_param, assign, error_msgs):
    """Copies (or assigns) one state_dict entry into `param`, or records why it cannot."""
    if not isinstance(input_param, Tensor):
        error_msgs.append(f'While copying the parameter named "{key}", expected ember.Tensor '
                          f"or Tensor-like object from checkpoint but received "
                          f"{type(input_param)}")
        return
    # an uninitialised (lazy) parameter takes any entry: its module's load hook gave it the
    # entry's shape, or the entry is uninitialised too
    param_is_lazy = is_lazy(param)
    # a 0-d parameter accepts a one-element 1-d entry (old checkpoints saved them so)
    if (not param_is_lazy and param.dim() == 0 and input_param.dim() == 1
            and input_param.shape[0] == 1):
        input_param = input_param[0]
    if not param_is_lazy and input_param.shape != param.shape:
        error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                          f"{input_param.shape} from checkpoint, the shape in current model "
                          f"is {param.shape}.")
        return
    try:
        with no_grad():
            if assign:
                if isinstance(param, Parameter):
                    if not isinstance(input_param, Parameter):
                        input_param = Parameter(input_param, requires_grad=param.requires_grad)
                    else:
                        input_param.requires_grad_(param.requires_grad)
                setattr(module, name, input_param)
            else:
                param.copy_(input_param)
    except Exception as error:
        error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the '
                          f"model are {param.size()} and whose dimensions in the checkpoint "
                          f"are {input_param.size()}, an exception occurred : {error.args}.")
