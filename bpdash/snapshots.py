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


class SnapshotStore:
    """Snapshots by epoch, thinned to fit ``budget_bytes`` (default 32 MiB)."""

    def __init__(self, budget_bytes: int = 32 * 2**20):
        self.budget_bytes = int(budget_bytes)
        self.stride = 1
        self._kept: dict[int, Snapshot] = {}
        self.latest: Snapshot | None = None
        self._size = 0  # bytes of one full snapshot, learnt from the first with gradients

    def wants(self, epoch: int) -> bool:
        """Whether ``add`` would keep a snapshot of ``epoch`` beyond the newest one."""
        return epoch % self.stride == 0

    def add(self, snapshot: Snapshot) -> None:
        """Record ``snapshot`` as the newest; keep it for playback if its epoch is on the stride."""
        self.latest = snapshot
        if snapshot.epoch == 0 or self.wants(snapshot.epoch):
            self._kept[snapshot.epoch] = snapshot
            if not self._size or snapshot.epoch == 1:  # shapes never change: measure once
                self._size = max(self._size, snapshot.nbytes)
            while len(self._kept) > 2 and len(self._kept) * self._size > self.budget_bytes:
                self.stride *= 2
                self._kept = {e: s for e, s in self._kept.items() if e % self.stride == 0}

    @property
    def epochs(self) -> list[int]:
        """Epochs available for playback, ascending (the newest included)."""
        kept = set(self._kept)
        if self.latest is not None:
            kept.add(self.latest.epoch)
        return sorted(kept)

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of the kept epoch nearest to ``epoch`` (at or before it when possible)."""
        if self.latest is not None and epoch >= self.latest.epoch:
            return self.latest
        candidates = [e for e in self._kept if e <= epoch] or list(self._kept)
        return self._kept[max(candidates) if candidates else 0]

    @property
    def nbytes(self) -> int:
        """Memory held by the kept snapshots (the newest counted once)."""
        held = {id(s): s for s in self._kept.values()}
        if self.latest is not None:
            held[id(self.latest)] = self.latest
        return sum(s.nbytes for s in held.values())
