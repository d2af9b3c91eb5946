"""nn.utils.parametrizations, as torch.nn.utils.parametrizations: orthogonal (matrix
exponential, Cayley and Householder maps), spectral_norm (power iteration) and weight_norm,
each registered through nn.utils.parametrize."""
from enum import Enum, auto

import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import no_grad
from ember.nn._functional.softmax import normalize
from ember.nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ember.nn.modules.module import Module
from ember.nn.utils import parametrize
from ember.nn.utils.weight_norm import _norm_except_dim, _weight_norm
from ember.ops.comparison import allclose
from ember.ops.creation import zeros_like
from ember.ops.decompositions import solve
from ember.ops.joining import cat
from ember.ops.linalg import mv, vdot
from ember.ops.matrix_functions import matrix_exp
from ember.ops.pointwise import add
from ember.ops.ranges import eye
from ember.ops.sampling import randn

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _geqrf(A):
    """LAPACK's geqrf (torch.geqrf): the reflectors below the diagonal and R on and above it,
    and the scaling factors tau. Not differentiable, as in torch. NumPy's raw QR returns the
    transpose of LAPACK's matrix."""
    data = A.detach().numpy()
    batch = data.shape[:-2]
    rows, cols = data.shape[-2:]
    flat = data.reshape((-1, rows, cols))
    reflectors = np.empty_like(flat)
    taus = np.empty((flat.shape[0], min(rows, cols)), dtype=data.dtype)
    for index, matrix in enumerate(flat):
        h, tau = np.linalg.qr(matrix, mode="raw")
        reflectors[index] = h.T
        taus[index] = tau
    return (_wrap(reflectors.reshape(data.shape)),
            _wrap(taus.reshape(batch + (min(rows, cols),))))


def _householder_product(A, tau):
    """torch.linalg.householder_product, composed of ember ops so that it is differentiable:
    the first k columns of H_1 ... H_k with H_i = I - tau_i v_i v_i^H, v_i the i-th column of
    A below the diagonal with a 1 on it."""
    n, k = A.size(-2), A.size(-1)
    identity = eye(n, k, dtype=A.dtype)
    reflectors = A.tril(-1) + identity
    Q = identity.expand(A.shape)
    for i in reversed(range(tau.size(-1))):
        v = reflectors[..., :, i:i + 1]
        scale = tau[..., i:i + 1].unsqueeze(-1)
        Q = Q - scale * (v @ (v.mH @ Q))
    return Q


def _is_orthogonal(Q):
    n, k = Q.size(-2), Q.size(-1)
    identity = eye(k, dtype=Q.dtype)
    # a reasonable eps, but not too large
    eps = 10.0 * n * _dtype.finfo(Q.dtype).eps
    return allclose(Q.mH @ Q, identity, atol=eps)


def _make_orthogonal(A):
    """The Q of A's QR decomposition, with signs chosen so that R has a positive diagonal."""
    X, tau = _geqrf(A)
    Q = _householder_product(X, tau)
    return Q * X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps an unconstrained matrix (or batch) to an orthogonal (unitary) one."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        # complex Householder reflectors cannot be stored as a plain tensor with tau
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # X is a tall matrix from here on
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            Q = self._skew_map(X, n, k)
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            # the diagonal of X holds 1s and -1s; it is not differentiated through
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def _skew_map(self, X, n, k):
        # n * k - k * (k - 1) / 2 parameters: the lower triangle, embedded in a square matrix
        X = X.tril()
        if n != k:
            X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
        A = X - X.mH
        if self.orthogonal_map == _OrthMaps.matrix_exp:
            Q = matrix_exp(A)
        else:
            # the Cayley retraction (I + A/2)(I - A/2)^{-1}
            identity = eye(n, dtype=A.dtype)
            Q = solve(add(identity, A, alpha=-0.5), add(identity, A, alpha=0.5))
        if n != k:
            Q = Q[..., :k]
        return Q

    def right_inverse(self, Q):
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False.")
            A, tau = _geqrf(Q)
            # a QR decomposition with diag(R) > 0; LAPACK's tau is exactly 0 where it chose
            # not to reflect
            data = A.numpy()
            diagonal = np.sign(np.diagonal(data, axis1=-2, axis2=-1))
            diagonal = np.where(tau.numpy() == 0.0, -diagonal, diagonal)
            rows = np.arange(diagonal.shape[-1])
            data[..., rows, rows] = diagonal
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # complete Q into a full n x n orthogonal matrix
            noise = randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype)
            Q = _make_orthogonal(cat([Q, noise], dim=-1))
        self.base = Q
        # -Id makes householder(zeros(m, n)) == eye(m, n), as the diagonal holds the signs
        negative_identity = zeros_like(Q_init)
        negative_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return negative_identity


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrains module.<name> to be orthogonal (unitary), through a parametrization."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    # the maps on the sphere would do for vectors, but would surprise more than help
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """weight = g * v / ||v||, from original0 = g and original1 = v."""

    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        weight_g = _norm_except_dim(weight, self.dim)
        weight_v = weight
        return weight_g, weight_v


def weight_norm(module, name="weight", dim=0):
    """Reparametrizes module.<name> as g * v / ||v|| (original0 = g, original1 = v)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(hooked, state_dict, prefix, local_metadata, strict,
                                 missing_keys, unexpected_keys, error_msgs):
        # state dicts saved with the hook-based weight_norm (<name>_g, <name>_v) still load
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module.register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value estimated by power iteration with the
    buffers _u and _v."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            # vectors need no approximation (see forward)
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            # start from reasonable u, v
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u and v are updated in place (out=), so replicas sharing the buffers see the update
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = normalize(mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = normalize(mv(weight_mat.H, self._u), dim=0, eps=self.eps,
                                    out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            # faster and exact: no approximation needed
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # clones, so that backward through two forwards (GAN losses) sees unmodified u, v
        u = self._u.clone()
        v = self._v.clone()
        sigma = vdot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divides module.<name> by its spectral norm, estimated by power iteration."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
        dim = 1 if isinstance(module, transposed) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
