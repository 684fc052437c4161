"""What a forward pass tells its layers beyond parameters and inputs: training or not, and the
random numbers a layer draws (dropout's mask), reproducibly.

A training pass of a run draws from the run's seeded generator, so the same seed gives the same
masks, and a run saved with its generator's state resumes exactly. A pass may ``record`` its
draws; ``replay()`` gives a context that hands the same arrays back in the same places, so the
gradient check and the inspector can perturb a parameter with the masks held fixed.
"""
from __future__ import annotations


class Context:
    """The context of forward passes.

    - ``training``: whether layers behave as in training (dropout drops units only then).
    - ``rng``: the ``numpy.random.Generator`` that ``draw`` samples from (None: a pass that
      draws raises, unless it replays).
    - ``record``: keep every pass's draws in ``draws`` (layer index → list of arrays).
    - ``replay``: draws of an earlier pass (``draws`` of a recording context) to give back
      instead of sampling.

    The forward loop sets ``layer`` (the 0-based index of the layer running) and calls ``start``
    before each pass.
    """

    def __init__(self, training: bool = False, rng=None, record: bool = False, replay: dict | None = None):
        self.training = bool(training)
        self.rng = rng
        self.record = bool(record)
        self.replaying = replay
        self.draws: dict = {}
        self.layer = 0
        self._count: dict = {}

    def start(self) -> None:
        """Begin a pass: replays start over; a recording context forgets the previous pass."""
        if self._count:
            self._count = {}
        if self.record:
            self.draws = {}

    def draw(self, sample):
        """``sample(rng)`` → an array, drawn for the running layer; a replaying context instead
        returns the array the replayed pass drew at the same place (layer, and how many draws
        that layer made before in this pass)."""
        layer = self.layer
        n = self._count.get(layer, 0)
        self._count[layer] = n + 1
        if self.replaying is not None:
            try:
                return self.replaying[layer][n]
            except (KeyError, IndexError):
                raise ValueError(f"layer {layer + 1} draws random numbers that the replayed pass did "
                                 "not draw: replay a pass of the same network in training mode") from None
        if self.rng is None:
            raise ValueError(f"layer {layer + 1} draws random numbers in training, but this pass has "
                             "no generator: give the Context an rng")
        value = sample(self.rng)
        if self.record:
            self.draws.setdefault(layer, []).append(value)
        return value

    def replay(self) -> "Context":
        """A training context that gives back this context's recorded draws."""
        if not self.record:
            raise ValueError("replay() needs a context made with record=True")
        return Context(training=self.training, replay=self.draws)

    def drawn(self, layer: int) -> list:
        """The arrays layer ``layer`` (0-based) drew in the pass this context recorded or
        replays, in order (dropout: its one mask r/(1 − p), ``(m, n)``); [] when none."""
        draws = self.replaying if self.replaying is not None else self.draws
        return list(draws.get(layer, ()))

    def take(self, rows) -> "Context":
        """A context replaying the draws of this context's pass for ``rows`` of it alone (an
        index array or a slice): a pass over those samples with the same masks. Every draw must
        have one row per sample of the pass, as dropout's masks have."""
        draws = self.replaying if self.replaying is not None else self.draws
        return Context(training=self.training, replay={layer: [array[rows] for array in arrays]
                                                       for layer, arrays in draws.items()})


EVALUATION = Context()  # a pass outside training: nothing is drawn, so one context serves all


def recording(context: Context | None) -> Context | None:
    """For a training ``context`` that does not replay yet: a recording context drawing from its
    generator, whose first pass later passes replay (``replaying``); else ``context`` itself.
    What the gradient check and the chain rule do to hold dropout's masks fixed."""
    if context is None or not context.training or context.replaying is not None:
        return context
    return Context(training=True, rng=context.rng, record=True)


def replaying(context: Context | None) -> Context | None:
    """A context replaying ``context``'s recorded draws (``context`` itself when it records none)."""
    return context.replay() if context is not None and context.record else context
