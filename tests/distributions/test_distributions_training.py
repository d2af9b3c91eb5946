"""End-to-end gradient steps against torch: REINFORCE with a Categorical policy and a VAE
step with Normal.rsample and a KL to the standard normal, from the same weights and noise."""
import numpy as np

import ember
from oracle import assert_tensor_matches, torch

RNG = np.random.default_rng(5)
W1, B1 = RNG.standard_normal((8, 4)) * 0.3, RNG.standard_normal(8) * 0.1
W2, B2 = RNG.standard_normal((3, 8)) * 0.3, RNG.standard_normal(3) * 0.1
STATES = RNG.standard_normal((16, 4))
ADVANTAGES = RNG.standard_normal(16)


def _mlp(lib, sizes, weights):
    layers = []
    for (fan_in, fan_out), (weight, bias) in zip(sizes, weights):
        layer = lib.nn.Linear(fan_in, fan_out).double()
        with lib.no_grad():
            layer.weight.copy_(lib.from_numpy(weight.copy()))
            layer.bias.copy_(lib.from_numpy(bias.copy()))
        layers += [layer, lib.nn.Tanh()]
    return lib.nn.Sequential(*layers[:-1])


def _compare_grads(mine, theirs):
    for a, b in zip(mine.parameters(), theirs.parameters()):
        assert_tensor_matches(a.grad, b.grad, grad_fn=False, rtol=1e-10, atol=1e-12)


def test_reinforce_step_matches_torch():
    sizes, weights = [(4, 8), (8, 3)], [(W1, B1), (W2, B2)]
    mine, theirs = _mlp(ember, sizes, weights), _mlp(torch, sizes, weights)
    ember.manual_seed(0)
    policy = ember.distributions.Categorical(logits=mine(ember.from_numpy(STATES)))
    actions = policy.sample()
    loss = -(policy.log_prob(actions) * ember.from_numpy(ADVANTAGES)).mean()
    (loss - 0.01 * policy.entropy().mean()).backward()
    reference = torch.distributions.Categorical(logits=theirs(torch.from_numpy(STATES)))
    reference_loss = -(reference.log_prob(torch.from_numpy(actions.numpy()))
                       * torch.from_numpy(ADVANTAGES)).mean()
    (reference_loss - 0.01 * reference.entropy().mean()).backward()
    assert abs(loss.item() - reference_loss.item()) < 1e-12
    _compare_grads(mine, theirs)


def test_vae_step_matches_torch():
    encoder_sizes = [(4, 8), (8, 3)]
    encoder = [(W1, B1), (np.concatenate([W2, W2[::-1] * 0.5]), np.concatenate([B2, B2]))]
    encoder_sizes[1] = (8, 6)
    decoder = [(RNG.standard_normal((4, 3)) * 0.3, RNG.standard_normal(4) * 0.1)]
    mine_enc, theirs_enc = _mlp(ember, encoder_sizes, encoder), _mlp(torch, encoder_sizes,
                                                                      encoder)
    mine_dec, theirs_dec = _mlp(ember, [(3, 4)], decoder), _mlp(torch, [(3, 4)], decoder)

    def step(lib, enc, dec, draw):
        D = lib.distributions
        x = lib.from_numpy(STATES)
        stats = enc(x)
        posterior = D.Normal(stats[:, :3], lib.nn.functional.softplus(stats[:, 3:]) + 1e-3)
        z = draw(posterior)
        recon = D.Normal(dec(z), lib.ones(4, dtype=lib.float64)).log_prob(x).sum(-1)
        prior = D.Normal(lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64))
        kl = D.kl_divergence(posterior, prior).sum(-1)
        loss = (kl - recon).mean()
        loss.backward()
        return loss

    ember.manual_seed(21)
    captured = {}

    def ember_draw(posterior):
        z = posterior.rsample()
        captured["eps"] = ((z - posterior.loc) / posterior.scale).detach().numpy()
        return z
    loss = step(ember, mine_enc, mine_dec, ember_draw)
    ember.manual_seed(21)
    np.testing.assert_allclose(ember.randn(16, 3, dtype=ember.float64).numpy(),
                               captured["eps"], rtol=1e-12)
    eps = torch.from_numpy(captured["eps"])
    reference = step(torch, theirs_enc, theirs_dec, lambda p: p.loc + eps * p.scale)
    assert abs(loss.item() - reference.item()) < 1e-10
    _compare_grads(mine_enc, theirs_enc)
    _compare_grads(mine_dec, theirs_dec)
