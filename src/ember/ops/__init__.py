"""Op families. Importing this package attaches every method and operator to Tensor."""
from ember.ops import (conversion, creation, indexing, linalg, pointwise, reduction,  # noqa: F401
                       views)
