"""ember.nn: modules, parameters, initialisation and utilities, as torch.nn."""
from ember.nn import functional, init, parallel, utils  # noqa: F401
from ember.nn.modules import *  # noqa: F401,F403
from ember.nn.modules import __all__ as _modules_all
from ember.nn.parallel import DataParallel
from ember.nn.parameter import (Buffer, Parameter, UninitializedBuffer,
                                UninitializedParameter)

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "functional",
           "init", "parallel", "utils", "DataParallel"] + _modules_all
