"""Module classes; each family file adds its classes here."""
from ember.nn.modules.container import (ModuleDict, ModuleList, ParameterDict, ParameterList,
                                        Sequential)
from ember.nn.modules.linear import Bilinear, Flatten, Identity, Linear, Unflatten
from ember.nn.modules.module import Module
from ember.nn.modules import (activation, adaptive, conv, distance, dropout,  # noqa: E402
                              lazy, loss, normalization, padding, pooling, rnn, sparse,
                              transformer, vision)
from ember.nn.modules.activation import *  # noqa: F401,F403,E402
from ember.nn.modules.adaptive import *  # noqa: F401,F403,E402
from ember.nn.modules.conv import *  # noqa: F401,F403,E402
from ember.nn.modules.distance import *  # noqa: F401,F403,E402
from ember.nn.modules.dropout import *  # noqa: F401,F403,E402
from ember.nn.modules.lazy import *  # noqa: F401,F403,E402
from ember.nn.modules.loss import *  # noqa: F401,F403,E402
from ember.nn.modules.normalization import *  # noqa: F401,F403,E402
from ember.nn.modules.padding import *  # noqa: F401,F403,E402
from ember.nn.modules.pooling import *  # noqa: F401,F403,E402
from ember.nn.modules.rnn import *  # noqa: F401,F403,E402
from ember.nn.modules.sparse import *  # noqa: F401,F403,E402
from ember.nn.modules.transformer import *  # noqa: F401,F403,E402
from ember.nn.modules.vision import *  # noqa: F401,F403,E402

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]
__all__ += (activation.__all__ + adaptive.__all__ + conv.__all__ + distance.__all__
            + dropout.__all__ + lazy.__all__ + loss.__all__ + normalization.__all__
            + padding.__all__ + pooling.__all__ + rnn.__all__ + sparse.__all__
            + transformer.__all__ + vision.__all__)
