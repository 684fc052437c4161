"""Weight regularization: a penalty on the weights Θ^(l) added to the cost J, never on the biases.

With rate λ ≥ 0 the regularized cost is J(θ) = J_data(θ) + R(Θ), where

- L2 ("l2"): R = (λ/2) Σ_l Σ_jk (θ_jk^(l))², so ∂R/∂θ = λ θ (weight decay);
- L1 ("l1"): R = λ Σ_l Σ_jk |θ_jk^(l)|, so ∂R/∂θ = λ sign(θ) (taken as 0 at θ = 0);
- "none" (or λ = 0): R = 0.

The penalty does not depend on the data, so it is added once per cost, not per sample.

L1 and exact zeros. A gradient step with λ sign(θ) makes a small weight jump back and forth
across 0 rather than land on it. After each update the trainer therefore applies
``clip_l1`` (TF Playground's rule, a proximal step): a weight whose sign changed in the update
is set to exactly 0, and so is a weight that was 0 and whose data gradient |∂J_data/∂θ| ≤ λ
(0 is then optimal for it: the penalty's pull outweighs the data's). So L1 drives unneeded
weights to exactly 0, where they stay until the data's gradient exceeds λ.
"""
from __future__ import annotations

import numpy as np

from . import schema

KINDS = schema.field("regularization").choices


def check(kind: str, rate) -> None:
    """Raise ValueError unless ``kind`` and ``rate`` are valid as ``bpdash.schema`` declares the
    config's ``regularization`` (one of KINDS) and ``reg_rate`` (its bounds)."""
    schema.check("regularization", kind)
    schema.check("reg_rate", float(rate) if isinstance(rate, np.floating) else rate)


def active(kind: str, rate) -> bool:
    """Whether (kind, rate) changes anything: a kind other than "none" and λ > 0."""
    return kind != "none" and rate > 0


def penalty(weights, kind: str, rate: float) -> float:
    """R(Θ) for the list of weight matrices ``weights`` (biases are never passed or penalized):
    L2 (λ/2) Σ θ², L1 λ Σ |θ|, 0 for "none"."""
    if not active(kind, rate):
        return 0.0
    if kind == "l2":
        total = 0.0
        for W in weights:
            flat = W.ravel()
            total += float(flat.dot(flat))
        return 0.5 * rate * total
    return rate * sum(float(np.abs(W).sum()) for W in weights)


def gradient(W, kind: str, rate: float) -> np.ndarray:
    """∂R/∂Θ for one weight matrix W (same shape): L2 λθ, L1 λ sign(θ), zeros for "none"."""
    if not active(kind, rate):
        return np.zeros_like(W, dtype=float)
    return rate * W if kind == "l2" else rate * np.sign(W)


def add_gradient(dW, W, kind: str, rate: float) -> np.ndarray:
    """``dW + ∂R/∂Θ`` written into ``dW`` (an array the caller owns) and returned."""
    if active(kind, rate):
        dW += gradient(W, kind, rate)
    return dW


def clip_l1(W_old, W_new, dW, rate: float) -> np.ndarray:
    """Set to exactly 0, in ``W_new`` (a fresh array the caller owns), every weight whose sign
    changed from ``W_old``, or that was 0 and whose gradient |dW| ≤ λ; return ``W_new``.

    ``dW`` is the gradient the update used, ∂J_data/∂θ + λ sign(θ): where θ = 0 it is the data
    gradient alone (sign(0) = 0), which is what the rule compares with λ.
    """
    crossed = W_old * W_new < 0
    crossed |= (W_old == 0) & (np.abs(dW) <= rate)
    W_new[crossed] = 0.0
    return W_new
