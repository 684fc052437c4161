"""Every layer against PyTorch's autograd: the built-in layers and the example layer norm on
random stacks, a 50-epoch softmax trajectory against CrossEntropyLoss + SGD, and dropout with
its masks held fixed against the same masked network. float64 throughout.

PyTorch is not a dependency of bpdash (CI does not install it): without it these tests skip.
"""
import importlib.util

import numpy as np
import pytest

from bpdash import Network
from bpdash.context import Context
from bpdash.trainer import Trainer
from stacks import layer_registry, random_stack

pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                reason="PyTorch is not installed (pip install torch==2.13.0, CPU build)")


@pytest.fixture(scope="module")
def layers():
    return layer_registry()


def torch_cost(net, X, Y, cost, masks=None):
    """(J, the leaf tensors of every parameter, per layer) of a PyTorch copy of ``net`` on (X, Y):
    the same layers from torch's own ops, dropout multiplied by the masks in ``masks``
    (layer index → [mask]), each cost from the output's weighted input where it links to it."""
    import torch
    from torch.nn import functional as F

    activation = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}
    params = [[torch.tensor(p, requires_grad=True) for p in layer] for layer in net.params]
    a = torch.from_numpy(X)
    for i, (spec, p) in enumerate(zip(net.specs, params)):
        kind = spec["layer"]
        if kind in ("dense", "softmax"):
            z = a @ p[0].T + p[1] if len(p) > 1 else a @ p[0].T
            a = torch.softmax(z, dim=1) if kind == "softmax" else activation[spec["activation"]](z)
        elif kind == "dropout":
            a = a * torch.from_numpy(masks[i][0]) if masks and i in masks else a
        else:  # the example's layer norm
            a = F.layer_norm(a, (a.shape[1],), p[0], p[1], spec["epsilon"])
    Yt, m = torch.from_numpy(Y), len(X)
    if cost == "categorical_cross_entropy":
        J = F.cross_entropy(z, Yt)  # from the logits: −(1/m) Σ y log softmax(z)
    elif cost == "cross_entropy":
        J = F.binary_cross_entropy_with_logits(z, Yt, reduction="sum") / m
    else:
        J = ((a - Yt) ** 2).sum() / (2 * m)
    return J, params


@pytest.mark.parametrize("seed", range(16))
def test_backprop_matches_autograd_on_random_stacks(layers, seed):
    """Every gradient of every layer to 1e-9 relative, dropout's masks from a recorded training
    pass replayed in PyTorch; J to 1e-12 (the costs from a here, from the logits there)."""
    n_in, specs, cost, X, Y = random_stack(seed)
    net = Network.from_specs(n_in, specs, seed=seed, registry=layers)
    context = Context(training=True, rng=np.random.default_rng(seed), record=True)
    grads = net.backprop(X, Y, cost, context=context)
    J, params = torch_cost(net, X, Y, cost, context.draws)
    J.backward()
    assert grads.cost == pytest.approx(J.item(), rel=1e-12)
    for l, (ours, theirs) in enumerate(zip(grads.params, params), start=1):
        for g, p, declared in zip(ours, theirs, net.layers[l - 1].parameters):
            np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-9, atol=1e-15,
                                       err_msg=f"{specs}: ∂J/∂{declared.name} of layer {l}")


def test_fifty_softmax_epochs_follow_cross_entropy_loss_and_sgd(registry):
    import torch

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    classes = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3)
    Y = np.eye(3)[classes]
    net = Network([2, 8, 3], ["tanh", "softmax"], seed=2, registry=registry)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for linear, W, b in zip(model[::2], net.weights, net.biases):
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
    sgd, loss = torch.optim.SGD(model.parameters(), lr=0.5), torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(50):
        sgd.zero_grad()
        J = loss(model(torch.from_numpy(X)), torch.from_numpy(classes))
        J.backward()
        sgd.step()
        losses.append(J.item())
    history = Trainer(net, X, Y, learning_rate=0.5, cost="categorical_cross_entropy").fit(50)
    np.testing.assert_allclose(history["cost"], losses, rtol=1e-12)
    assert losses[-1] < losses[0] / 2
    for linear, W, b in zip(model[::2], net.weights, net.biases):
        np.testing.assert_allclose(W, linear.weight.detach().numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(b, linear.bias.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_dropout_training_equals_the_same_masked_network_in_pytorch(registry):
    """Ten full-batch epochs with dropout: the trainer's masks come from its seeded generator,
    one per epoch; the PyTorch copy multiplies by the same masks (drawn from the same seed) and
    steps with SGD. Parameters and costs agree epoch by epoch."""
    import torch

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    Y = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    specs = [{"layer": "dense", "units": 7, "activation": "tanh"}, {"layer": "dropout", "rate": 0.4},
             {"layer": "dense", "units": 1, "activation": "sigmoid"}]
    net = Network.from_specs(3, specs, seed=1, registry=registry)
    start = [[p.copy() for p in layer] for layer in net.params]
    trainer = Trainer(net, X, Y, learning_rate=0.8, cost="cross_entropy", seed=11)
    history = trainer.fit(10)
    twin = net.copy()
    twin.params = tuple(tuple(layer) for layer in start)
    masks_from = np.random.default_rng(11)
    costs = []
    for _ in range(10):
        mask = (masks_from.random((30, 7)) >= 0.4) * (1 / 0.6)
        J, params = torch_cost(twin, X, Y, "cross_entropy", {1: [mask]})
        J.backward()
        costs.append(J.item())
        twin.params = tuple(tuple(p.detach().numpy() - 0.8 * p.grad.numpy() for p in layer) for layer in params)
    np.testing.assert_allclose(history["cost"], costs, rtol=1e-12)
    for ours, theirs in zip(net.params, twin.params):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
