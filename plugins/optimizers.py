"""The built-in optimizers: plain gradient descent (the article's) and five adaptive rules.

Each rule follows PyTorch's ``torch.optim`` convention for the same name (weight decay 0,
no dampening), so a run can be checked against it. θ is any parameter array (a Θ^(l) or a
b^(l)), g = ∂J/∂θ its gradient, η the learning rate, t = 1, 2, … the update count; the
hyperparameters each rule declares (``MOMENTUM``, ``DECAY``, ``BETA1``, ``BETA2``, ``EPSILON``:
name, symbol, range, default) come in ``hp`` by name: hp["momentum"] is β (momentum, Nesterov),
RMSProp's ρ or Adam's β₁ (one name for them, as configs have always spelled it), hp["beta2"]
Adam's β₂ and hp["epsilon"] ε. Every step returns new arrays and leaves θ and g alone
(the trainer's snapshots hold references to both); the state (velocities, running averages)
is the optimizer's own and is updated in place.
"""
import numpy as np

from bpdash import Optimizer, hookimpl
from bpdash.fields import Field

MOMENTUM = Field("momentum", "float", 0.9, label="Momentum", symbol="β", low=0.0, high=0.9999, step=0.01,
                 help="v := β v + ∂J/∂θ: the share of the last step that carries over.")
DECAY = Field("momentum", "float", 0.9, label="Decay of the mean square", symbol="ρ", low=0.0, high=0.9999,
              step=0.01, help="s := ρ s + (1 − ρ)(∂J/∂θ)²: how slowly the mean square forgets.")
BETA1 = Field("momentum", "float", 0.9, label="First-moment decay", symbol="β₁", low=0.0, high=0.9999,
              step=0.01, help="m := β₁ m + (1 − β₁) ∂J/∂θ: the running mean of the gradient.")
BETA2 = Field("beta2", "float", 0.999, label="Second-moment decay", symbol="β₂", low=0.0, high=0.99999,
              step=0.001, help="v := β₂ v + (1 − β₂)(∂J/∂θ)²: the running mean of its square.")
EPSILON = Field("epsilon", "float", 1e-8, label="Stability constant", symbol="ε", low=0.0, low_open=True,
                high=1.0, step=1e-8, log=True, help="Added to the root in the denominator: keeps ÷ from 0.")


def _zeros_like(params):
    return [np.zeros_like(p) for p in params]  # in the parameters' dtype (float32 stays float32)


# -- gradient descent: θ := θ − η g --------------------------------------------------------------

def gd_init(params):
    return {}


_MINUS_ETA = {}  # (η, dtype) → −η as a read-only 0-d array, see gd_step


def gd_step(params, grads, state, lr, hp, t):
    """θ − ηg for every θ, made as (−η g) + θ: one new array per parameter, written in place
    (a second temporary as large as Θ costs page faults on large layers), the same numbers as
    θ − ηg. Every update of a plain run is this step, so it is written for speed: −η is a 0-d
    array of the parameters' dtype, made once per η (numpy converts a Python float on every
    call, ≈0.2 µs, a few % of a small network's epoch)."""
    new, minus_eta = [], None
    for p, g in zip(params, grads):
        if minus_eta is None or g.dtype is not minus_eta.dtype:
            minus_eta = _minus(lr, g.dtype)
        step = g * minus_eta
        step += p
        new.append(step)
    return new


def _minus(lr, dtype):
    """−η as a read-only 0-d array of ``dtype``, made once per (η, dtype)."""
    minus_eta = _MINUS_ETA.get((lr, dtype))
    if minus_eta is None:
        if len(_MINUS_ETA) >= 1024:  # a schedule changes η every epoch: stay bounded
            _MINUS_ETA.clear()
        minus_eta = _MINUS_ETA[lr, dtype] = np.array(-lr, dtype)
        minus_eta.flags.writeable = False
    return minus_eta


# -- momentum: v := βv + g; θ := θ − ηv -----------------------------------------------------------

def velocity_init(params):
    return {"v": _zeros_like(params)}


def momentum_step(params, grads, state, lr, hp, t):
    beta, v = hp["momentum"], state["v"]
    new = []
    for i, (p, g) in enumerate(zip(params, grads)):
        v[i] = beta * v[i] + g
        new.append(p - lr * v[i])
    return new


# -- Nesterov: v := βv + g; θ := θ − η(g + βv) ----------------------------------------------------

def nesterov_step(params, grads, state, lr, hp, t):
    beta, v = hp["momentum"], state["v"]
    new = []
    for i, (p, g) in enumerate(zip(params, grads)):
        v[i] = beta * v[i] + g
        new.append(p - lr * (g + beta * v[i]))
    return new


# -- AdaGrad: G := G + g²; θ := θ − η g / (√G + ε) ------------------------------------------------

def adagrad_init(params):
    return {"G": _zeros_like(params)}


def adagrad_step(params, grads, state, lr, hp, t):
    eps, G = hp["epsilon"], state["G"]
    new = []
    for i, (p, g) in enumerate(zip(params, grads)):
        G[i] = G[i] + g * g
        new.append(p - lr * (g / (np.sqrt(G[i]) + eps)))
    return new


# -- RMSProp: s := ρs + (1 − ρ)g²; θ := θ − η g / (√s + ε) ----------------------------------------

def rmsprop_init(params):
    return {"s": _zeros_like(params)}


def rmsprop_step(params, grads, state, lr, hp, t):
    rho, eps, s = hp["momentum"], hp["epsilon"], state["s"]
    new = []
    for i, (p, g) in enumerate(zip(params, grads)):
        s[i] = rho * s[i] + (1.0 - rho) * (g * g)
        new.append(p - lr * (g / (np.sqrt(s[i]) + eps)))
    return new


# -- Adam: m := β₁m + (1 − β₁)g; v := β₂v + (1 − β₂)g²; θ := θ − η m̂ / (√v̂ + ε) ---------------

def adam_init(params):
    return {"m": _zeros_like(params), "v": _zeros_like(params)}


def adam_step(params, grads, state, lr, hp, t):
    """With m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ), computed as PyTorch does:
    θ − (η/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), the same number up to rounding."""
    beta1, beta2, eps = hp["momentum"], hp["beta2"], hp["epsilon"]
    m, v = state["m"], state["v"]
    step_size = lr / (1.0 - beta1 ** t)
    root_correction2 = (1.0 - beta2 ** t) ** 0.5
    new = []
    for i, (p, g) in enumerate(zip(params, grads)):
        m[i] = beta1 * m[i] + (1.0 - beta1) * g
        v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g)
        new.append(p - step_size * (m[i] / (np.sqrt(v[i]) / root_correction2 + eps)))
    return new


@hookimpl
def register_optimizers():
    return [
        Optimizer("gd", gd_init, gd_step,
                  "Plain gradient descent, the article's rule: θ := θ - η ∂J/∂θ.",
                  latex=r"\theta := \theta - \eta\,\frac{\partial J}{\partial \theta}"),
        Optimizer("momentum", velocity_init, momentum_step,
                  "Momentum (PyTorch's SGD form): v := β v + ∂J/∂θ, then θ := θ - η v. "
                  "β is the momentum coefficient; v starts at 0.",
                  latex=r"v := \beta v + \frac{\partial J}{\partial \theta},\qquad \theta := \theta - \eta\, v",
                  hyperparameters=(MOMENTUM,)),
        Optimizer("nesterov", velocity_init, nesterov_step,
                  "Nesterov momentum (PyTorch's SGD nesterov form): v := β v + ∂J/∂θ, then "
                  "θ := θ - η (∂J/∂θ + β v). v starts at 0.",
                  latex=r"v := \beta v + \frac{\partial J}{\partial \theta},\qquad "
                        r"\theta := \theta - \eta\left(\frac{\partial J}{\partial \theta} + \beta v\right)",
                  hyperparameters=(MOMENTUM,)),
        Optimizer("adagrad", adagrad_init, adagrad_step,
                  "AdaGrad: G := G + (∂J/∂θ)², then θ := θ - η ∂J/∂θ / (√G + ε), element by element. "
                  "G starts at 0, so each weight's step shrinks with its gradients' history.",
                  latex=r"G := G + \left(\frac{\partial J}{\partial \theta}\right)^2,\qquad "
                        r"\theta := \theta - \eta\,\frac{\partial J/\partial \theta}{\sqrt{G} + \epsilon}",
                  hyperparameters=(EPSILON,)),
        Optimizer("rmsprop", rmsprop_init, rmsprop_step,
                  "RMSProp (PyTorch's): s := ρ s + (1 - ρ)(∂J/∂θ)², then θ := θ - η ∂J/∂θ / (√s + ε), "
                  "element by element; ρ is the momentum setting, s starts at 0.",
                  latex=r"s := \rho s + (1 - \rho)\left(\frac{\partial J}{\partial \theta}\right)^2,\qquad "
                        r"\theta := \theta - \eta\,\frac{\partial J/\partial \theta}{\sqrt{s} + \epsilon}",
                  hyperparameters=(DECAY, EPSILON)),
        Optimizer("adam", adam_init, adam_step,
                  "Adam (PyTorch's, bias-corrected): m := β₁ m + (1 - β₁) ∂J/∂θ, "
                  "v := β₂ v + (1 - β₂)(∂J/∂θ)², m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ), then "
                  "θ := θ - η m̂ / (√v̂ + ε); β₁ is the momentum setting, t counts the updates.",
                  latex=r"m := \beta_1 m + (1 - \beta_1)\,g,\quad v := \beta_2 v + (1 - \beta_2)\,g^2,\quad "
                        r"\hat m = \frac{m}{1 - \beta_1^t},\quad \hat v = \frac{v}{1 - \beta_2^t},\quad "
                        r"\theta := \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"
                        r"\qquad\left(g = \frac{\partial J}{\partial \theta}\right)",
                  hyperparameters=(BETA1, BETA2, EPSILON)),
    ]
