"""Optimizer plugins: each rule's first three steps by hand, PyTorch's trajectories, plugin checks,
and the trainer's general path (state, update count, divergence)."""
import importlib.util
import textwrap

import numpy as np
import pytest

import bpdash
from bpdash import Network
from bpdash.trainer import Trainer
from bpdash.validation import RecordError, check_optimizer

HP = {"momentum": 0.9, "beta2": 0.999, "epsilon": 1e-8}
LR = 0.1
RULES = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def test_the_six_optimizers_are_registered_with_their_rules(registry):
    assert set(RULES) <= set(registry.optimizers)
    for name in RULES:
        opt = registry.optimizers[name]
        assert opt.description and opt.latex and ":=" in opt.description


# -- the first three steps, element by element with numpy scalars --------------------------------

def by_hand(name, theta, grads):
    """θ after each of len(grads) steps of rule ``name``, for ONE scalar parameter θ."""
    b, b2, eps = np.float64(HP["momentum"]), np.float64(HP["beta2"]), np.float64(HP["epsilon"])
    lr = np.float64(LR)
    v = G = s = m = u = np.float64(0.0)
    out = []
    for t, g in enumerate(grads, start=1):
        g = np.float64(g)
        if name == "gd":
            theta = theta - lr * g
        elif name == "momentum":
            v = b * v + g
            theta = theta - lr * v
        elif name == "nesterov":
            v = b * v + g
            theta = theta - lr * (g + b * v)
        elif name == "adagrad":
            G = G + g * g
            theta = theta - lr * (g / (np.sqrt(G) + eps))
        elif name == "rmsprop":
            s = b * s + (1 - b) * g * g
            theta = theta - lr * (g / (np.sqrt(s) + eps))
        elif name == "adam":
            m = b * m + (1 - b) * g
            u = b2 * u + (1 - b2) * g * g
            m_hat, u_hat = m / (1 - b ** t), u / (1 - b2 ** t)
            theta = theta - lr * m_hat / (np.sqrt(u_hat) + eps)
        out.append(theta)
    return out


@pytest.mark.parametrize("name", RULES)
def test_first_three_steps_match_the_rule_by_hand(registry, name):
    opt = registry.optimizers[name]
    rng = np.random.default_rng(3)
    params = [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2,))]
    grads = [[rng.uniform(-1, 1, p.shape) for p in params] for _ in range(3)]
    state = opt.init([p.copy() for p in params])
    trajectory, current = [], params
    for t in (1, 2, 3):
        current = opt.step(current, grads[t - 1], state, LR, dict(HP), t)
        trajectory.append(current)
    for i, p in enumerate(params):
        for index in np.ndindex(p.shape):
            expected = by_hand(name, p[index], [grads[t][i][index] for t in range(3)])
            got = [trajectory[t][i][index] for t in range(3)]
            np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_adam_is_bias_corrected_its_first_step_is_about_lr_times_sign(registry):
    opt = registry.optimizers["adam"]
    params, grads = [np.array([0.0, 0.0])], [np.array([1e-3, -5.0])]
    new = opt.step(params, grads, opt.init(params), 0.01, dict(HP), 1)
    np.testing.assert_allclose(new[0], [-0.01, 0.01], rtol=1e-4)


# -- PyTorch's trajectories --------------------------------------------------------------------

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def torch_trajectory(net, X, Y, make_optimizer, steps):
    """Θ^(l), b^(l) after each of ``steps`` full-batch steps of a float64 PyTorch copy of ``net``
    (sigmoid layers, J = 1/(2m) Σ (y − a)²)."""
    import torch

    layers = []
    for W, b in zip(net.weights, net.biases):
        linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    optimizer = make_optimizer(model.parameters())
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(Xt) - Yt) ** 2).sum() / (2 * len(X))
        loss.backward()
        optimizer.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    return [m.weight.detach().numpy() for m in linears], [m.bias.detach().numpy() for m in linears]


TORCH_RULES = {
    "adam": lambda torch, p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8),
    "momentum": lambda torch, p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "nesterov": lambda torch, p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda torch, p: torch.optim.Adagrad(p, lr=0.05, eps=1e-8),
    "rmsprop": lambda torch, p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-8),
}


@pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", sorted(TORCH_RULES))
def test_matches_pytorch_over_20_steps(registry, name):
    import torch

    rng = np.random.default_rng(0)
    X, Y = rng.uniform(-1, 1, (8, 3)), (rng.uniform(size=(8, 2)) > 0.5).astype(float)
    net = Network([3, 4, 2], "sigmoid", seed=1, registry=registry)
    weights, biases = torch_trajectory(net.copy(), X, Y, lambda p: TORCH_RULES[name](torch, p), 20)
    Trainer(net, X, Y, learning_rate=0.05, optimizer=name, seed=0).fit(20)
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


# -- checking a plugin's optimizer ---------------------------------------------------------------

def _opt(step, init=lambda params: {}):
    return bpdash.Optimizer("bad", init, step)


@pytest.mark.parametrize("step, init, says", [
    (lambda p, g, s, lr, hp, t: [x[:1] for x in p], None, "shape"),
    (lambda p, g, s, lr, hp, t: [x.__isub__(lr * y) for x, y in zip(p, g)], None, "new arrays"),
    (lambda p, g, s, lr, hp, t: p, None, "new arrays"),
    (lambda p, g, s, lr, hp, t: [x - lr * y.__imul__(2.0) for x, y in zip(p, g)], None, "grads in place"),
    (lambda p, g, s, lr, hp, t: [x * np.inf for x in p], None, "non-finite"),
    (lambda p, g, s, lr, hp, t: [x - lr * np.random.uniform() * y for x, y in zip(p, g)], None, "differ"),
    (lambda p, g, s, lr, hp, t: [x - lr * y for x, y in zip(p, g)], lambda params: [0.0], "dict"),
    (lambda p, g, s, lr, hp, t: [x - lr * y for x, y in zip(p, g)], lambda params: {"v": [np.zeros(1)]},
     "one per parameter"),
])
def test_check_optimizer_catches_bad_rules(step, init, says):
    with pytest.raises(RecordError, match=says):
        check_optimizer(_opt(step, init or (lambda params: {})))


def test_a_bad_optimizer_plugin_is_reported_and_the_rest_load(tmp_path):
    (tmp_path / "inplace.py").write_text(textwrap.dedent("""
        from bpdash import Optimizer, hookimpl

        def step(params, grads, state, lr, hp, t):
            for p, g in zip(params, grads):
                p -= lr * g
            return params

        @hookimpl
        def register_optimizers():
            return [Optimizer("inplace", lambda params: {}, step, "θ -= η g in place")]
        """))
    reg = bpdash.load_plugins(extra_dirs=[tmp_path], entry_points=False)
    assert "inplace" not in reg.optimizers and "adam" in reg.optimizers
    assert any(p.plugin == "inplace" and "new arrays" in p.message for p in reg.errors)


# -- the trainer's general path ------------------------------------------------------------------

def _data(m=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (m, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


@pytest.mark.parametrize("batch_size", [None, 5])
def test_momentum_zero_repeats_plain_gradient_descent_bit_for_bit(registry, batch_size):
    """β = 0 makes momentum's v = g: the general path must give the fast path's numbers."""
    X, Y = _data()
    runs = []
    for optimizer in ("gd", "momentum"):
        net = Network([2, 3, 1], "tanh", seed=2, registry=registry)
        trainer = Trainer(net, X, Y, learning_rate=0.3, batch_size=batch_size, seed=4, optimizer=optimizer,
                          optimizer_params={"momentum": 0.0})
        runs.append((trainer.fit(15), net))
    (h1, n1), (h2, n2) = runs
    assert h1.equals(h2)
    assert all(np.array_equal(a, b) for a, b in zip(n1.weights + n1.biases, n2.weights + n2.biases))


def test_update_count_counts_mini_batches_and_state_has_the_parameter_shapes(registry):
    X, Y = _data(m=20)
    net = Network([2, 3, 1], "sigmoid", seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.01, batch_size=6, optimizer="adam", seed=0)
    assert trainer.optimizer_state["t"] == 0
    trainer.fit(2)
    state = trainer.optimizer_state
    assert state["name"] == "adam" and state["t"] == 8  # 4 batches an epoch
    shapes = [W.shape for W in net.weights] + [b.shape for b in net.biases]
    assert [np.shape(a) for a in state["state"]["m"]] == shapes


def test_without_biases_the_optimizer_sees_only_the_weights(registry):
    X, Y = _data()
    net = Network([2, 3, 1], "sigmoid", bias=False, seed=0, registry=registry)
    trainer = Trainer(net, X, Y, learning_rate=0.1, optimizer="rmsprop")
    trainer.fit(3)
    assert len(trainer.optimizer_state["state"]["s"]) == 2
    assert all(not b.any() for b in net.biases)


def test_plain_gradient_descent_keeps_no_state(registry):
    """gd's step is the only update: it keeps no state, so a saved run carries none for it."""
    X, Y = _data()
    trainer = Trainer(Network([2, 2, 1], seed=0, registry=registry), X, Y, learning_rate=0.1)
    trainer.fit(2)
    assert trainer.optimizer.name == "gd" and trainer.optimizer_state is None


def test_unknown_optimizer_and_bad_hyperparameters_raise(registry):
    X, Y = _data()
    net = Network([2, 2, 1], seed=0, registry=registry)
    with pytest.raises(KeyError, match="optimizer"):
        Trainer(net, X, Y, learning_rate=0.1, optimizer="lion")
    with pytest.raises(ValueError, match="beta3"):
        Trainer(net, X, Y, learning_rate=0.1, optimizer="adam", optimizer_params={"beta3": 0.5})


def test_divergence_with_an_optimizer_restores_the_weights_and_restarts_its_state(registry):
    X, Y = _data()
    net = Network([2, 4, 1], "linear", seed=0, registry=registry)
    trainer = Trainer(net, X * 1e150, Y, learning_rate=1e3, optimizer="momentum")
    trainer.fit(50)
    assert trainer.diverged and trainer.run_epoch() is None
    assert all(np.isfinite(W).all() for W in net.weights)
    state = trainer.optimizer_state
    assert state["t"] == 0 and all(not np.any(v) for v in state["state"]["v"])
