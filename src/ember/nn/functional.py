"""nn.functional: the functional form of layers, activations and losses (one family module
each under ember.nn._functional, re-exported here as torch.nn.functional lays them out)."""
from ember.nn._functional.activation import *  # noqa: F401,F403
from ember.nn._functional.attention import *  # noqa: F401,F403
from ember.nn._functional.conv import *  # noqa: F401,F403
from ember.nn._functional.dropout import *  # noqa: F401,F403
from ember.nn._functional.linear import *  # noqa: F401,F403
from ember.nn._functional.loss import *  # noqa: F401,F403
from ember.nn._functional.normalization import *  # noqa: F401,F403
from ember.nn._functional.padding import *  # noqa: F401,F403
from ember.nn._functional.pooling import *  # noqa: F401,F403
from ember.nn._functional.recurrent import *  # noqa: F401,F403
from ember.nn._functional.sparse import *  # noqa: F401,F403
from ember.nn._functional.vision import *  # noqa: F401,F403
from ember.nn._functional import (activation, attention, conv, dropout, linear,  # noqa: E402
                                  loss, normalization, padding, pooling, recurrent, sparse,
                                  vision)

__all__ = (activation.__all__ + attention.__all__ + conv.__all__ + dropout.__all__
           + linear.__all__ + loss.__all__ + normalization.__all__ + padding.__all__
           + pooling.__all__ + recurrent.__all__ + sparse.__all__ + vision.__all__)
