"""Per-epoch copies of Θ^(l), b^(l) and their gradients for heatmap playback, in bounded memory.

The trainer assigns new arrays at every update and never mutates old ones, so a snapshot holds
references, not copies. To stay within ``budget_bytes`` the store keeps every ``stride``-th
epoch: when it would exceed the budget it doubles the stride and drops the epochs that are no
longer multiples of it (so older history thins evenly: 0, 2, 4 … then 0, 4, 8 …). Epoch 0 (the
initial parameters) is always kept, and so is the newest epoch, whatever the stride.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    """The parameters after ``epoch`` and the gradients that epoch's last update used.

    ``weights[l-1]`` is Θ^(l) ``(sizes[l], sizes[l-1])``, ``biases[l-1]`` is b^(l) ``(sizes[l],)``;
    ``grad_weights``/``grad_biases`` have the same shapes (None for epoch 0).
    """

    epoch: int
    weights: tuple
    biases: tuple
    grad_weights: tuple | None = None
    grad_biases: tuple | None = None

    @property
    def nbytes(self) -> int:
        arrays = list(self.weights) + list(self.biases)
        if self.grad_weights is not None:
            arrays += list(self.grad_weights) + list(self.grad_biases)
        return sum(a.nbytes for a in arrays)

    @property
    def footprint(self) -> int:
        """Memory the snapshot holds in Python, not just array data: what the budget counts, so
        a small network's many snapshots cannot outgrow it through per-object overhead."""
        n_arrays = (len(self.weights) + len(self.biases)) * (1 if self.grad_weights is None else 2)
        return self.nbytes + n_arrays * ARRAY_OVERHEAD + ENTRY_OVERHEAD


ARRAY_OVERHEAD = 128  # bytes of a numpy array object beyond its data (header, dims, strides)
ENTRY_OVERHEAD = 400  # the record's tuples and its slot in the store's dict


class SnapshotStore:
    """Snapshots by epoch, thinned to fit ``budget_bytes`` (default 32 MiB).

    The store holds each snapshot as the tuple of its fields and builds the ``Snapshot`` when
    asked (``at``, ``latest``): the trainer records every epoch, and making a frozen dataclass
    costs ≈0.6 µs, a few percent of a small network's whole epoch.
    """

    def __init__(self, budget_bytes: int = 32 * 2**20):
        self.budget_bytes = int(budget_bytes)
        self.stride = 1
        self._kept: dict[int, tuple] = {}  # epoch → (epoch, weights, biases, grad_weights, grad_biases)
        self._latest: tuple | None = None
        self._size = 0  # bytes of one full snapshot, learnt from the first with gradients
        # How many snapshots fit the budget, once _size is learnt; 0 until then, so that every
        # record checks the budget (see _fit_budget)
        self._capacity = 0

    def wants(self, epoch: int) -> bool:
        """Whether ``add`` would keep a snapshot of ``epoch`` beyond the newest one."""
        return epoch % self.stride == 0

    def add(self, snapshot: Snapshot) -> None:
        """Record ``snapshot`` as the newest; keep it for playback if its epoch is on the stride."""
        self.record(snapshot.epoch, snapshot.weights, snapshot.biases, snapshot.grad_weights,
                    snapshot.grad_biases)

    def record(self, epoch: int, weights: tuple, biases: tuple, grad_weights: tuple | None = None,
               grad_biases: tuple | None = None) -> None:
        """``add(Snapshot(epoch, weights, ...))`` without making the Snapshot.

        Called every epoch, so the common case is a few cheap steps: epoch 0 is on every stride,
        and the budget is a count of snapshots, worked out once (see _fit_budget).
        """
        fields = (epoch, weights, biases, grad_weights, grad_biases)
        self._latest = fields
        if epoch % self.stride == 0:
            kept = self._kept
            kept[epoch] = fields
            if len(kept) > self._capacity:
                self._fit_budget(fields)

    def _fit_budget(self, fields: tuple) -> None:
        """Learn a full snapshot's size from the first with gradients (shapes never change), then
        double the stride and drop the epochs off it until the kept snapshots fit the budget
        (at least two are kept, whatever the budget)."""
        if fields[3] is not None and not self._capacity:
            self._size = max(self._size, Snapshot(*fields).footprint)
            self._capacity = max(2, self.budget_bytes // self._size)
        elif not self._size:
            self._size = Snapshot(*fields).footprint
        limit = self._capacity or max(2, self.budget_bytes // self._size)
        kept = self._kept
        while len(kept) > limit:
            self.stride *= 2
            self._kept = kept = {e: f for e, f in kept.items() if e % self.stride == 0}

    @property
    def latest(self) -> Snapshot | None:
        """The newest snapshot, kept or not (None before the first)."""
        return None if self._latest is None else Snapshot(*self._latest)

    @property
    def epochs(self) -> list[int]:
        """Epochs available for playback, ascending (the newest included)."""
        kept = set(self._kept)
        if self._latest is not None:
            kept.add(self._latest[0])
        return sorted(kept)

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of the kept epoch nearest to ``epoch`` (at or before it when possible)."""
        if self._latest is not None and epoch >= self._latest[0]:
            return Snapshot(*self._latest)
        candidates = [e for e in self._kept if e <= epoch] or list(self._kept)
        return Snapshot(*self._kept[max(candidates) if candidates else 0])

    @property
    def nbytes(self) -> int:
        """Memory held by the kept snapshots (the newest counted once)."""
        held = {id(f): f for f in self._kept.values()}
        if self._latest is not None:
            held[id(self._latest)] = self._latest
        return sum(Snapshot(*f).nbytes for f in held.values())
