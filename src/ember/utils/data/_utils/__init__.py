"""torch.utils.data._utils: the path PyTorch's documentation gives for extending collation
(`_utils.collate.collate` with a custom `default_collate_fn_map`)."""
from ember.utils.data._utils import collate

__all__ = ["collate"]
