"""The trainer's epochs: the article's full batch, or mini-batches in a seeded shuffled order.

``epoch_function(trainer)`` returns a function of no arguments that trains one epoch and returns
its history row (None when it diverged). Both kinds run ``bpdash.backprop`` (forward, output δ,
backward) and the trainer's ``Updater`` (the optimizer's step), the math written once.

Why a closure. On the article's 2-2-2 network an epoch is a few dozen numpy calls of ≈0.3 µs,
and the Python around them is a cost of its own: attribute lookups, method calls, tests of
settings that cannot change during a run. Everything fixed for the run (the data, the layers,
the cost, the history, buffers) is bound here once, as locals. What may change between epochs
is read every epoch: the network's parameters (a user may assign them) and η (a schedule sets it).

One pass for the test rows. The test cost and accuracy are measured at the parameters the
epoch starts from, which are those of its first (or only) batch's forward pass. When no layer
behaves differently in training (no dropout), the test rows are stacked under that batch's rows
and the one pass serves both; backprop then takes the training rows' part of each layer's cache
(``LayerOp.head``).
"""
from __future__ import annotations

import math

import numpy as np

from . import backprop
from .context import EVALUATION
from .metrics import hits


def epoch_function(trainer):
    """The trainer's epoch (see the module docstring)."""
    net, ops, cost, Y = trainer.net, trainer.layers, trainer.cost, trainer.Y
    forward, backward, output_delta = backprop.forward, backprop.backward, backprop.output_delta
    value, output, linked = cost.value, ops[-1], trainer._linked
    regularize = trainer._regularize if trainer._regularized else None
    apply = trainer._updater.apply
    ctx = trainer.context
    keep_draws = ctx.record  # keep the last pass's draws for Trainer.last_pass
    m, labels = len(trainer.X), trainer._labels
    test = trainer.X_test is not None
    stacked = test and not any(op.training_differs for op in ops)
    history, record = trainer._history, trainer.snapshots.record
    append_row, flush_every = history.append_unchecked, history.FLUSH
    isfinite, nan = math.isfinite, math.nan

    def gradients(params, X, Y, n):
        """(J, a^(L) of every row of X, ∂J/∂params) on the first n rows of X (the rest: test rows)."""
        zs, activations, caches = forward(ops, params, X, ctx)
        A = activations[-1]
        if len(A) != n:
            A = A[:n]
            caches = [op.head(cache, n, len(X)) for op, cache in zip(ops, caches)]
        J = value(A, Y)
        grads = backward(ops, params, caches, output_delta(output, cost, caches[-1], A, Y, linked))
        if regularize is not None:
            J = regularize(J, grads, params)
        return J, activations[-1], grads

    def test_metrics(params, A_test=None):
        """(J, accuracy) on the test set at ``params``: from its rows of a stacked pass, or a pass
        of its own outside training."""
        if A_test is None:
            A_test = forward(ops, params, trainer.X_test, EVALUATION)[1][-1]
        J = float(value(A_test, trainer.Y_test))
        if regularize is not None:
            J += trainer._penalty(params)
        labels_test = trainer._test_labels
        return J, (nan if labels_test is None else hits(A_test, labels_test) / len(A_test))

    def finish(update, J, accuracy, test_cost, test_accuracy, grads, rows=None):
        """After the epoch's last update (``Updater.apply``'s result, from the pass over ``rows``
        of X, None for all): the divergence guard, the network's new parameters, the history
        row, the snapshot."""
        new, grad_norms, weight_norms, rest = update
        # divergence: one sum of what is already measured (any inf or NaN makes it non-finite)
        if not isfinite(J + sum(grad_norms) + sum(weight_norms) + rest):
            return trainer._diverge()
        net.params = new
        if keep_draws:
            trainer.last_draws = (rows, ctx.draws)
        trainer.epoch = e = trainer.epoch + 1
        row = (e, J, test_cost, accuracy, test_accuracy, *grad_norms, *weight_norms)
        append_row(row)
        if not e % flush_every:
            history.flush()
        record(e, new, tuple(grads))
        return row

    if trainer.batch_size is None:
        X = np.vstack([trainer.X, trainer.X_test]) if stacked else trainer.X

        def full_batch():
            params = net.params
            test_cost = test_accuracy = nan
            if test and not stacked:
                test_cost, test_accuracy = test_metrics(params)
            J, A, grads = gradients(params, X, Y, m)
            if stacked:
                test_cost, test_accuracy = test_metrics(params, A[m:])
                A = A[:m]
            accuracy = nan if labels is None else hits(A, labels) / m
            return finish(apply(params, grads, trainer._eta), J, accuracy, test_cost, test_accuracy, grads)

        return full_batch

    batch = BatchBuffers(trainer.X, trainer.Y, trainer.X_test if stacked else None)

    def mini_batches():
        """One update per mini-batch; the history's norms are the last batch's, J and the
        accuracy the sample-weighted mean over the batches."""
        params = net.params
        test_cost = test_accuracy = nan
        if test and not stacked:
            test_cost, test_accuracy = test_metrics(params)
        order = trainer.rng.permutation(m)
        starts = range(0, m, trainer.batch_size)
        J, right, last = 0.0, 0, len(starts) - 1
        for i, start in enumerate(starts):
            rows = order[start:start + trainer.batch_size]
            n = len(rows)
            X_rows, Y_rows = batch(rows, with_test=stacked and i == 0)
            Jb, A, grads = gradients(params, X_rows, Y_rows, n)
            if stacked and i == 0:
                test_cost, test_accuracy = test_metrics(params, A[n:])
                A = A[:n]
            J += Jb * n / m
            if labels is not None:
                right += hits(A, labels.take(rows, axis=0))
            update = apply(params, grads, trainer._eta, measure=i == last)
            params = update[0]
        return finish(update, J, nan if labels is None else right / m, test_cost, test_accuracy, grads, rows)

    return mini_batches


class BatchBuffers:
    """Mini-batches (X[rows], Y[rows]) gathered into arrays kept for the purpose, one pair per
    batch size: a batch is needed only until its update, and fresh memory for it every batch
    costs page faults on large inputs. With ``X_test``, a batch may carry the test rows beneath
    its own (filled once)."""

    def __init__(self, X, Y, X_test=None):
        self.X, self.Y, self.X_test = X, Y, X_test
        self._buffers: dict = {}

    def __call__(self, rows, with_test: bool = False):
        """(X rows, Y rows) of the batch ``rows`` (X with the test rows beneath when asked).
        mode="clip" lets take() write straight into the buffer; "raise" would copy through a
        temporary, and the rows of a permutation are always in range."""
        key = (len(rows), with_test)
        buffers = self._buffers.get(key)
        if buffers is None:
            n, extra = len(rows), len(self.X_test) if with_test else 0
            X_rows = np.empty((n + extra, self.X.shape[1]), self.X.dtype)
            if with_test:
                X_rows[n:] = self.X_test
            buffers = self._buffers[key] = (X_rows, np.empty((n, self.Y.shape[1]), self.Y.dtype))
        X_rows, Y_rows = buffers
        self.X.take(rows, axis=0, out=X_rows[:len(rows)], mode="clip")
        self.Y.take(rows, axis=0, out=Y_rows, mode="clip")
        return X_rows, Y_rows
