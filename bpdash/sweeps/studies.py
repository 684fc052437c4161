"""The dashboard's one-click studies: sweeps that answer one question each, and the answer.

- Learning-rate range: η from 0.001 to 100 on a log scale, over seeds. Where does training
  start (the first η whose cost falls by a tenth in every seed), and where does it diverge
  (the first η where a seed's weights blow up or its cost ends above where it began)?
- Symmetry breaking against ε: the article's uniform initialization in [−ε, ε], from ε = 0 to
  large ε, over seeds; after training, how many hidden units are distinct? At ε = 0 every unit
  of a layer stays a copy of its neighbours (one distinct unit per layer); a little randomness
  breaks the symmetry.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

RATES = "learning_rate=0.001..100:11"
EPSILONS = "epsilon=0,1e-06,0.0001,0.001,0.01,0.1,0.5,1,2,5"
FALL = 0.9  # training "starts" where the final cost is below this share of the first


@dataclass(frozen=True)
class Study:
    """A sweep to run on the current config: its axes (``name=values``), the config changes it
    needs, what each run reports beyond its row (``task.run``'s options), the value to plot."""

    title: str
    question: str
    axes: tuple
    changes: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    x: str = ""
    y: str = "final_cost"


def seeds(n: int) -> str:
    return f"seed=0..{n - 1}"


LEARNING_RATE = Study("Learning-rate range", "Where does training start, and where does it diverge?",
                      (RATES,), options={"curve": True}, x="learning_rate")
SYMMETRY = Study("Symmetry breaking against ε", "How much randomness do the hidden units need to become "
                 "different?", (EPSILONS,), changes={"init": "uniform"}, options={"units": True},
                 x="epsilon", y="distinct_units")
STUDIES = {s.title: s for s in (LEARNING_RATE, SYMMETRY)}


def learning_rate_answer(table: pd.DataFrame, rows: dict) -> str:
    """Where training starts and where it diverges, in a sentence, from a finished study."""
    starts = diverges = None
    for eta, group in table.groupby("learning_rate", sort=True):
        firsts = [rows[i]["cost_curve"][0] if rows[i].get("cost_curve") else float("nan") for i in group["run"]]
        fell = all(f == f and c < FALL * f for c, f in zip(group["final_cost"], firsts))
        blew = any(s == "diverged" for s in group["stop"]) or any(
            c != c or (f == f and c > f) for c, f in zip(group["final_cost"], firsts))
        if fell and starts is None:
            starts = eta
        if blew and diverges is None and starts is not None:
            diverges = eta
    start = (f"training starts at η ≈ {starts:g} (the cost falls by a tenth in every seed)" if starts is not None
             else "no η tried makes the cost fall by a tenth in every seed")
    stop = (f"and diverges from η ≈ {diverges:g} (a seed blows up or ends above its first cost)"
            if diverges is not None else "and no η tried diverges")
    return f"On this network and data {start}, {stop}."


def symmetry_answer(table: pd.DataFrame, hidden_units: int) -> str:
    """How many distinct hidden units each ε leaves, in a sentence."""
    by_eps = table.groupby("epsilon", sort=True)["distinct_units"].min()
    broken = [eps for eps, n in by_eps.items() if n == hidden_units]
    at_zero = by_eps.get(0.0)
    zero = f"at ε = 0 {int(at_zero)} of {hidden_units} hidden units are distinct" if at_zero == at_zero and \
        at_zero is not None else "ε = 0 was not run"
    first = f"from ε = {broken[0]:g} on, all {hidden_units} are, in every seed" if broken else \
        "no ε tried makes every unit distinct in every seed"
    return f"After training, {zero}; {first}."
