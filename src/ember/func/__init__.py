"""torch.func for ember: function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap)
and functional module calls (functional_call, stack_module_state). Loaded lazily."""
from ember.func._module_state import (functional_call, replace_all_batch_norm_modules_,
                                      stack_module_state)
from ember.func._transforms import (debug_unwrap, functionalize, grad, grad_and_value, hessian,
                                    jacfwd, jacrev, jvp, linearize, vjp)
from ember.func._vmap import vmap

__all__ = ["debug_unwrap", "functional_call", "functionalize", "grad", "grad_and_value",
           "hessian", "jacfwd", "jacrev", "jvp", "linearize", "replace_all_batch_norm_modules_",
           "stack_module_state", "vjp", "vmap"]
