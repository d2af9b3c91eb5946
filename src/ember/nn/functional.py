"""nn.functional: the functional form of layers, activations and losses (one family module
each under ember.nn._functional, re-exported here as torch.nn.functional lays them out)."""
from ember.nn._functional.activation import *  # noqa: F401,F403
from ember.nn._functional.attention import *  # noqa: F401,F403
from ember.nn._functional.conv import *  # noqa: F401,F403
from ember.nn._functional.distance import *  # noqa: F401,F403
from ember.nn._functional.dropout import *  # noqa: F401,F403
from ember.nn._functional.grid_sample import *  # noqa: F401,F403
from ember.nn._functional.linear import *  # noqa: F401,F403
from ember.nn._functional.loss import *  # noqa: F401,F403
from ember.nn._functional.loss_ctc import *  # noqa: F401,F403
from ember.nn._functional.loss_likelihood import *  # noqa: F401,F403
from ember.nn._functional.loss_margin import *  # noqa: F401,F403
from ember.nn._functional.normalization import *  # noqa: F401,F403
from ember.nn._functional.padding import *  # noqa: F401,F403
from ember.nn._functional.pooling import *  # noqa: F401,F403
from ember.nn._functional.recurrent import *  # noqa: F401,F403
from ember.nn._functional.sparse import *  # noqa: F401,F403
from ember.nn._functional.vision import *  # noqa: F401,F403
from ember.nn._functional import activation as _activation  # noqa: E402
from ember.nn._functional import attention as _attention  # noqa: E402
from ember.nn._functional import conv as _conv  # noqa: E402
from ember.nn._functional import distance as _distance  # noqa: E402
from ember.nn._functional import dropout as _dropout  # noqa: E402
from ember.nn._functional import grid_sample as _grid_sample  # noqa: E402
from ember.nn._functional import linear as _linear  # noqa: E402
from ember.nn._functional import loss as _loss  # noqa: E402
from ember.nn._functional import loss_ctc as _loss_ctc  # noqa: E402
from ember.nn._functional import loss_likelihood as _loss_likelihood  # noqa: E402
from ember.nn._functional import loss_margin as _loss_margin  # noqa: E402
from ember.nn._functional import normalization as _normalization  # noqa: E402
from ember.nn._functional import padding as _padding  # noqa: E402
from ember.nn._functional import pooling as _pooling  # noqa: E402
from ember.nn._functional import recurrent as _recurrent  # noqa: E402
from ember.nn._functional import sparse as _sparse  # noqa: E402
from ember.nn._functional import vision as _vision  # noqa: E402

# The family modules are bound under private names: `dropout` and `linear` are functions here.
__all__ = (_activation.__all__ + _attention.__all__ + _conv.__all__ + _dropout.__all__
           + _distance.__all__
           + _grid_sample.__all__
           + _linear.__all__ + _loss.__all__ + _loss_ctc.__all__ + _loss_likelihood.__all__
           + _loss_margin.__all__
           + _normalization.__all__ + _padding.__all__
           + _pooling.__all__ + _recurrent.__all__ + _sparse.__all__ + _vision.__all__)
