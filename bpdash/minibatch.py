"""Mini-batch epochs for ``Trainer``: seeded shuffled batches, gathered into kept buffers.

A mixin: it uses the trainer's data (``X``, ``Y``), ``rng``, ``batch_size``, its gradient and
update steps, and its buffers; see ``bpdash.trainer`` for the epoch it serves.
"""
from __future__ import annotations

import numpy as np

from .metrics import hits


class MiniBatches:
    def _mini_batches(self):
        """One update per mini-batch in a shuffled order but the last, whose gradients are
        returned for the epoch's last update (``descend`` or the optimizer): (J, right, ∂J/∂Θ, ∂J/∂b), J and right answers over the whole epoch."""
        labels, m, updater = self._labels, len(self.X), self._updater
        J, right = 0.0, 0
        order = self.rng.permutation(m)
        batches = [order[i:i + self.batch_size] for i in range(0, m, self.batch_size)]
        last = len(batches) - 1
        for i, rows in enumerate(batches):
            # Only the last batch's gradients and parameters outlive the epoch (snapshot, net);
            # the others are the epoch's own, so no new memory is spent on them: the first
            # batch's gradients become the parameters, the middle batches' go into kept buffers
            # and the parameters take their steps in place (see _update).
            # (an optimizer plugin may keep a reference to its gradients: no buffers for it)
            scratch = self._gradient_buffers() if 0 < i < last and updater is None else None
            Jb, A, dW, db = self._gradients(*self._batch(rows), into=scratch)
            if self._regularized:
                Jb = self._regularize(Jb, dW)
            J += Jb * len(rows) / m
            if labels is not None:
                right += hits(A, labels.take(rows, axis=0))
            if i < last:
                if updater is None:
                    self._update(dW, db, scratch_parameters=0 < i)
                else:
                    updater.apply(self.net, dW, db, self._eta)
        return J, right, dW, db

    def _gradient_buffers(self):
        """Arrays shaped like the weights, kept for the gradients of the mini-batches in the
        middle of an epoch: fresh memory for them every batch costs page faults on large layers."""
        if self._dW_buffers is None:
            self._dW_buffers = [np.empty(W.shape) for W in self.net.weights]
        return self._dW_buffers

    def _batch(self, rows):
        """(X[rows], Y[rows]), gathered into arrays kept for the purpose: a batch is needed only
        until its update, and fresh memory for it every batch costs page faults on large inputs.
        (mode="clip" lets take() write straight into the buffer; "raise" would copy through a
        temporary, and the rows of a permutation are always in range.)"""
        buffers = self._batch_buffers.get(len(rows))
        if buffers is None:
            n = len(rows)
            buffers = self._batch_buffers[n] = (np.empty((n, self.X.shape[1])), np.empty((n, self.Y.shape[1])))
        X_batch, Y_batch = buffers
        self.X.take(rows, axis=0, out=X_batch, mode="clip")
        self.Y.take(rows, axis=0, out=Y_batch, mode="clip")
        return X_batch, Y_batch
