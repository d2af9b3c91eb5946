"""Op families. Importing this package attaches every method and operator to Tensor."""
from ember.ops import (conversion, creation, indexing, joining, linalg, pointwise,  # noqa: F401
                       ranges, reduction, sampling, scan, sorting, views)
from ember.ops import binary, bitwise, comparison, ternary, unary  # noqa: F401,E402
from ember.ops import scatter_gather, selection, view_scatter  # noqa: F401,E402
from ember.ops import view_history  # noqa: F401,E402
from ember.ops import gamma_functions, triangular_solve  # noqa: F401,E402
from ember.ops import complex_numbers  # noqa: F401,E402
from ember.ops import combinatorics, statistics  # noqa: F401,E402
from ember.ops import special_functions  # noqa: F401,E402
from ember.ops import views_inplace  # noqa: F401,E402
from ember.ops import inplace_functions  # noqa: F401,E402
from ember.ops import windows  # noqa: F401,E402
from ember.ops import tensor_queries  # noqa: F401,E402
from ember.ops import creation_memory  # noqa: F401,E402
from ember.ops import numerical_gradient  # noqa: F401,E402
