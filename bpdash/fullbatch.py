"""The article's epoch: one gradient-descent update with the whole training set, as one closure.

``full_batch_epoch(trainer)`` returns a function that trains one full-batch epoch and returns
its history row (None when it diverged): the forward pass, J and δ^(L), the backward pass
(the numbers of ``Trainer._gradients``), the update θ := θ − η ∂J/∂θ with the history's norms
(``bpdash.updates.descend``) or the optimizer's, the divergence guard, the row and the snapshot.

Why a closure. On the article's 2-2-2 network an epoch is about forty numpy calls of ≈0.3 µs
each, and the Python around them cost a further fifth of the epoch: attribute lookups, method
calls, and tests of settings that cannot change during a run. Everything fixed for the run (the
data, the layer functions, the cost, the history and snapshot store, buffers) is bound here
once, as locals the loop reads for free. What may change between epochs is read every epoch:
the network's parameters (a user may assign them) and η (a schedule sets it).

The trainer builds the closure on first use and drops it when ``restore`` replaces the history
and snapshots it holds.
"""
from __future__ import annotations

import math

import numpy as np

from .metrics import hits
from .updates import descend

# Up to this many values in z^(l), b^(l) is added through a kept (m, n) buffer filled with b:
# the broadcasting add costs ≈0.6 µs of set-up a call, the fill ≈0.1 µs; beyond it the two
# passes over the buffer cost more than the set-up saves.
BIAS_ROWS_LIMIT = 4096


def full_batch_epoch(trainer):
    """The trainer's full-batch epoch as a function of no arguments (see the module docstring)."""
    net, X, Y = trainer.net, trainer.X, trainer.Y
    m, n_layers, has_bias = len(X), len(net.sizes) - 1, trainer._bias
    forward = trainer._activations
    slopes = [(df_from_a, df) for _, df_from_a, df in trainer._layer_functions]
    keep_zs = any(df_from_a is None for df_from_a, _ in slopes[:-1])  # f′ from z in a hidden layer
    value_and_delta = trainer._value_and_delta or trainer._output_delta
    bias_rows = [np.empty((m, n)) if has_bias and m * n <= BIAS_ROWS_LIMIT else None
                 for n in net.sizes[1:]]
    ones, zero_db, labels = trainer._ones, trainer._zero_bias_gradients, trainer._labels
    updater, regularized = trainer._updater, trainer._regularized
    with_test = trainer.X_test is not None
    history, record = trainer._history, trainer.snapshots.record
    append_row, flush_every = history.append_unchecked, history.FLUSH
    backward = range(n_layers - 1, -1, -1)
    isfinite, nan = math.isfinite, math.nan

    def epoch():
        weights, biases = start = net.weights, net.biases
        trainer._start = start  # what a failed epoch falls back to
        test_cost, test_accuracy = trainer._test_metrics() if with_test else (nan, nan)
        # forward: z^(l+1) = a^(l) Θ^(l)ᵀ + b^(l), a^(l+1) = f(z^(l+1))
        A, activations, zs = X, [X], []
        for W, b, f, rows in zip(weights, biases, forward, bias_rows):
            Z = A.dot(W.T)  # A.dot(B) is A @ B without matmul's generalized-ufunc set-up
            if has_bias:
                if rows is None:
                    Z += b
                else:
                    rows[...] = b
                    Z += rows
            A = f(Z)
            activations.append(A)
            if keep_zs:
                zs.append(Z)
        J, delta = value_and_delta(Z, A, Y)
        accuracy = nan if labels is None else hits(A, labels) / m
        # backward: ∂J/∂Θ^(l+1) = (δ^(l+2))ᵀ a^(l+1), ∂J/∂b = Σ_samples δ (as ones · δ: one BLAS
        # call), then δ^(l+1) = (δ^(l+2) Θ^(l+1)) ⊙ f′(z^(l+1)), in the product's fresh array
        dW = [None] * n_layers
        db = [None] * n_layers if has_bias else list(zero_db)
        for l in backward:
            dW[l] = delta.T.dot(activations[l])
            if has_bias:
                db[l] = ones.dot(delta)
            if l:
                df_from_a, df = slopes[l - 1]
                delta = delta.dot(weights[l])
                delta *= df_from_a(activations[l]) if df_from_a is not None else df(zs[l - 1])
        if regularized:
            J = trainer._regularize(J, dW)
        if updater is None:
            grad_norms, weight_norms, bias_sum = descend(net, dW, db, trainer._minus_eta)
        else:
            grad_norms, weight_norms, bias_sum = updater.apply(net, dW, db, trainer._eta)
        # divergence: one sum of what is already measured (any inf or NaN makes it non-finite)
        if not isfinite(J + sum(grad_norms) + sum(weight_norms) + bias_sum):
            return trainer._diverge(start)
        trainer.epoch = e = trainer.epoch + 1
        row = (e, J, test_cost, accuracy, test_accuracy, *grad_norms, *weight_norms)
        append_row(row)
        if not e % flush_every:
            history.flush()
        record(e, tuple(net.weights), tuple(net.biases), tuple(dW), tuple(db))
        return row

    return epoch

