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

    ``params[l-1]`` holds layer l's parameter arrays as ``Network.params`` does, ``gradients``
    the same structure (None for epoch 0); ``layout`` (the network's ``bpdash.parameters.Layout``)
    gives the article's views: ``weights[l-1]`` is Θ^(l) ``(sizes[l], sizes[l-1])``,
    ``biases[l-1]`` is b^(l) ``(sizes[l],)``, and ``grad_weights``/``grad_biases`` theirs.
    """

    epoch: int
    params: tuple
    gradients: tuple | None = None
    layout: object = None

    @property
    def weights(self) -> tuple:
        return self.layout.weights(self.params)

    @property
    def biases(self) -> tuple:
        return self.layout.biases(self.params)

    @property
    def grad_weights(self) -> tuple | None:
        return None if self.gradients is None else self.layout.weights(self.gradients)

    @property
    def grad_biases(self) -> tuple | None:
        return None if self.gradients is None else self.layout.biases(self.gradients)

    def _arrays(self) -> list:
        layers = list(self.params) + (list(self.gradients) if self.gradients is not None else [])
        return [a for layer in layers for a in layer]

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._arrays())

    @property
    def footprint(self) -> int:
        """Memory the snapshot holds in Python, not just array data: what the budget counts, so
        a small network's many snapshots cannot outgrow it through per-object overhead."""
        arrays = self._arrays()
        return sum(a.nbytes for a in arrays) + len(arrays) * ARRAY_OVERHEAD + ENTRY_OVERHEAD


ARRAY_OVERHEAD = 128  # bytes of a numpy array object beyond its data (header, dims, strides)
ENTRY_OVERHEAD = 400  # the record's tuples and its slot in the store's dict


class SnapshotStore:
    """Snapshots by epoch, thinned to fit ``budget_bytes`` (default 32 MiB).

    The store holds each snapshot as the tuple of its fields and builds the ``Snapshot`` when
    asked (``at``, ``latest``): the trainer records every epoch, and making a frozen dataclass
    costs ≈0.6 µs, a few percent of a small network's whole epoch.
    """

    def __init__(self, budget_bytes: int = 32 * 2**20, layout=None):
        self.budget_bytes = int(budget_bytes)
        self.layout = layout  # the network's Layout, for the snapshots' views
        self.stride = 1
        self._kept: dict[int, tuple] = {}  # epoch → (epoch, params, gradients)
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
        self.record(snapshot.epoch, snapshot.params, snapshot.gradients)

    def record(self, epoch: int, params: tuple, gradients: tuple | None = None) -> None:
        """``add(Snapshot(epoch, params, gradients))`` without making the Snapshot. ``params``
        and ``gradients`` are per-layer tuples of arrays that nobody changes in place.

        Called every epoch, so the common case is a few cheap steps: epoch 0 is on every stride,
        and the budget is a count of snapshots, worked out once (see _fit_budget).
        """
        fields = (epoch, params, gradients)
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
        if fields[2] is not None and not self._capacity:
            self._size = max(self._size, self._snapshot(fields).footprint)
            self._capacity = max(2, self.budget_bytes // self._size)
        elif not self._size:
            self._size = self._snapshot(fields).footprint
        limit = self._capacity or max(2, self.budget_bytes // self._size)
        kept = self._kept
        while len(kept) > limit:
            self.stride *= 2
            self._kept = kept = {e: f for e, f in kept.items() if e % self.stride == 0}

    @property
    def latest(self) -> Snapshot | None:
        """The newest snapshot, kept or not (None before the first)."""
        return None if self._latest is None else self._snapshot(self._latest)

    def _snapshot(self, fields) -> Snapshot:
        return Snapshot(*fields, self.layout)

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
            return self._snapshot(self._latest)
        candidates = [e for e in self._kept if e <= epoch] or list(self._kept)
        return self._snapshot(self._kept[max(candidates) if candidates else 0])

    @property
    def nbytes(self) -> int:
        """Memory held by the kept snapshots (the newest counted once)."""
        held = {id(f): f for f in self._kept.values()}
        if self._latest is not None:
            held[id(self._latest)] = self._latest
        return sum(self._snapshot(f).nbytes for f in held.values())
