"""Shared family table for the distribution tests: how to build each family from NumPy
parameters, values inside its support, and probabilities for icdf."""
import numpy as np

RNG = np.random.default_rng(7)
LOC = np.array([-1.0, 0.3, 2.0])
SCALE = np.array([0.5, 1.0, 2.5])
REAL = np.array([-0.7, 0.1, 3.0])
POSITIVE_VALUES = np.array([0.2, 1.1, 3.5])
UNIT = np.array([0.1, 0.45, 0.9])
FLIPPED = SCALE[::-1].copy()
COUNTS = np.array([0.0, 3.0, 5.0])
LOGITS = np.array([[0.2, -1.0, 0.5, 1.5], [0.0, 0.3, -2.0, 0.7]])


class Case:
    """A family: build(D, *tensors) -> distribution; params: NumPy arrays (differentiable);
    value: a NumPy array inside the support."""

    def __init__(self, name, build, params, value, discrete=False):
        self.name, self.build, self.params, self.value = name, build, params, value
        self.discrete = discrete

    def __repr__(self):
        return self.name


CASES = [
    Case("Normal", lambda D, a, b: D.Normal(a, b), [LOC, SCALE], REAL),
    Case("Bernoulli(probs)", lambda D, p: D.Bernoulli(probs=p), [UNIT],
         np.array([1.0, 0.0, 1.0]), discrete=True),
    Case("Bernoulli(logits)", lambda D, z: D.Bernoulli(logits=z), [REAL],
         np.array([0.0, 1.0, 1.0]), discrete=True),
    Case("Categorical(logits)", lambda D, z: D.Categorical(logits=z), [LOGITS],
         np.array([3, 1]), discrete=True),
    Case("Categorical(probs)", lambda D, p: D.Categorical(probs=p),
         [np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)], np.array([0, 2]),
         discrete=True),
    Case("Uniform", lambda D, a, b: D.Uniform(a, b), [LOC, LOC + SCALE],
         LOC + 0.3 * SCALE),
    Case("Exponential", lambda D, r: D.Exponential(r), [SCALE], POSITIVE_VALUES),
    Case("Laplace", lambda D, a, b: D.Laplace(a, b), [LOC, SCALE], REAL),
    Case("Cauchy", lambda D, a, b: D.Cauchy(a, b), [LOC, SCALE], REAL),
    Case("LogNormal", lambda D, a, b: D.LogNormal(a, b), [LOC, SCALE], POSITIVE_VALUES),
    Case("Gamma", lambda D, a, b: D.Gamma(a, b), [SCALE, FLIPPED], POSITIVE_VALUES),
    Case("Chi2", lambda D, k: D.Chi2(k), [SCALE * 2], POSITIVE_VALUES),
    Case("Beta", lambda D, a, b: D.Beta(a, b), [SCALE, FLIPPED + 0.7], UNIT),
    Case("Dirichlet", lambda D, a: D.Dirichlet(a), [np.exp(LOGITS)],
         np.array([[0.2, 0.3, 0.1, 0.4], [0.05, 0.05, 0.8, 0.1]])),
    Case("Poisson", lambda D, r: D.Poisson(r), [SCALE], COUNTS, discrete=True),
    Case("Geometric(probs)", lambda D, p: D.Geometric(p), [UNIT], COUNTS, discrete=True),
    Case("Geometric(logits)", lambda D, z: D.Geometric(logits=z), [REAL], COUNTS,
         discrete=True),
    Case("Binomial", lambda D, p: D.Binomial(6, p), [UNIT], COUNTS, discrete=True),
    Case("Binomial(logits, counts)", lambda D, n, z: D.Binomial(n, logits=z),
         [np.array([4.0, 6.0, 5.0]), REAL], COUNTS, discrete=True),
    Case("NegativeBinomial", lambda D, n, p: D.NegativeBinomial(n, p),
         [SCALE * 2, UNIT], COUNTS, discrete=True),
    Case("NegativeBinomial(logits)", lambda D, n, z: D.NegativeBinomial(n, logits=z),
         [SCALE * 2, REAL], COUNTS, discrete=True),
    Case("Multinomial", lambda D, p: D.Multinomial(5, probs=p), [np.exp(LOGITS)],
         np.array([[1.0, 0.0, 2.0, 2.0], [0.0, 0.0, 5.0, 0.0]]), discrete=True),
    Case("OneHotCategorical", lambda D, z: D.OneHotCategorical(logits=z), [LOGITS],
         np.array([[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]), discrete=True),
    Case("StudentT", lambda D, k, a, b: D.StudentT(k, a, b),
         [np.array([0.8, 1.5, 4.0]), LOC, SCALE], REAL),
    Case("Gumbel", lambda D, a, b: D.Gumbel(a, b), [LOC, SCALE], REAL),
    Case("HalfNormal", lambda D, b: D.HalfNormal(b), [SCALE], POSITIVE_VALUES),
    Case("HalfCauchy", lambda D, b: D.HalfCauchy(b), [SCALE], POSITIVE_VALUES),
    Case("Pareto", lambda D, a, b: D.Pareto(a, b), [SCALE, FLIPPED + 1.5], SCALE + 0.4),
    Case("Weibull", lambda D, a, b: D.Weibull(a, b), [SCALE, FLIPPED + 0.5], POSITIVE_VALUES),
    Case("InverseGamma", lambda D, a, b: D.InverseGamma(a, b), [FLIPPED + 1.5, SCALE],
         POSITIVE_VALUES),
    Case("LogisticNormal", lambda D, a, b: D.LogisticNormal(a, b), [LOC, SCALE],
         np.array([0.2, 0.3, 0.1, 0.4])),
    Case("FisherSnedecor", lambda D, a, b: D.FisherSnedecor(a, b),
         [SCALE * 2, FLIPPED * 3], POSITIVE_VALUES),
    Case("Kumaraswamy", lambda D, a, b: D.Kumaraswamy(a, b), [SCALE + 0.5, FLIPPED + 0.5],
         UNIT),
    Case("ContinuousBernoulli", lambda D, p: D.ContinuousBernoulli(p),
         [np.array([0.1, 0.4995, 0.8])], UNIT),
    Case("ContinuousBernoulli(logits)", lambda D, z: D.ContinuousBernoulli(logits=z), [REAL],
         UNIT),
    Case("VonMises", lambda D, a, k: D.VonMises(a, k),
         [LOC, np.array([0.5, 2.0, 6.0])], REAL),
    Case("RelaxedBernoulli", lambda D, t, p: D.RelaxedBernoulli(t, probs=p),
         [np.array(0.7), UNIT], UNIT[::-1].copy()),
    Case("RelaxedBernoulli(logits)", lambda D, t, z: D.RelaxedBernoulli(t, logits=z),
         [SCALE, REAL], UNIT[::-1].copy()),
    Case("RelaxedOneHotCategorical", lambda D, t, z: D.RelaxedOneHotCategorical(t, logits=z),
         [np.array(0.5), LOGITS], np.array([[0.2, 0.3, 0.1, 0.4], [0.05, 0.05, 0.8, 0.1]])),
    Case("MixtureSameFamily(Normal)", lambda D, z, a, b: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Normal(a, b)), [LOGITS[:, :3].copy(), np.stack([LOC, REAL]),
                                                  np.stack([SCALE, FLIPPED])],
        np.array([0.3, -1.2])),
    Case("MixtureSameFamily(Independent)", lambda D, z, a, b: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Independent(D.Normal(a, b), 1)),
        [LOGITS[0, :2].copy(), np.stack([LOC, REAL]), np.stack([SCALE, FLIPPED])],
        np.array([[0.3, -1.2, 0.5], [1.0, 2.0, 3.0]])),
]
