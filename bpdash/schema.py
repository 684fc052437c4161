"""Every setting of an experiment, declared once.

``FIELDS`` lists the experiment config's fields in order, each a ``bpdash.fields.Field``: its
type, default, bounds or choices (or the plugin table it names), how people see it (label,
symbol, help, widget step), its group and whether a sweep may vary it. From these come the
``ExperimentConfig`` class and its validation (``bpdash.config``), share links
(``bpdash.share``), the sidebar's widgets, the classroom groups, the command line's
``--set name=value`` and sweeps. An optimizer's hyperparameters are declared by the optimizer
plugin itself (``Optimizer.hyperparameters``) and live in the config's ``optimizer_params``.

Flat names. Links, ``--set`` and sweeps address settings as ``name=value``: every field by its
name, and each optimizer hyperparameter as ``opt_`` + its name (``opt_momentum``). Configs
written before optimizers declared their hyperparameters used ``momentum``, ``beta2`` and
``opt_epsilon``; ``ALIASES`` reads the first two as their flat names (the third already is one).

The hidden layers are one field, ``layers``: a stack of layer specs. ``SHORTHAND`` declares the
older ``hidden`` (units per dense layer) and ``activations`` (one per dense layer): every
config, link, file, ``--set`` and sweep still reads them, as a change to the stack's dense layers
(``bpdash.shorthand``); no config holds them.

Adding a field is one entry here plus the code that uses it: see docs/settings.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from . import outputs
from .features import FEATURE_LABELS, FEATURE_NAMES
from .fields import Field, Settings

MAX_SEED = 2**32 - 1
MAX_EPOCHS = 100_000
MAX_SAMPLES = 10_000
MAX_HIDDEN_LAYERS = 8   # dense (and other sized) hidden layers
MAX_NEURONS = 128       # units of any one layer
MAX_LAYERS = 16         # hidden layers of every type: 8 dense, each followed by a dropout, say
MAX_CLASSES = 10        # classes of generated data and of a CSV's label column
DENSE = "dense"
DEFAULT_LAYERS = ({"layer": DENSE, "units": 8, "activation": "tanh"},) * 2

GROUPS = {
    "data": "the data set: which one, how many samples, their noise, the test share and the draw",
    "network": "the network: its layers, output, bias, cost, initial weights and precision",
    "features": "the input features made from (x₁, x₂)",
    "training": "learning rate, batch size, optimizer, schedule, regularization and stopping rules",
    "run": "how many epochs to train",
}

FIELDS = (
    # -- data ------------------------------------------------------------------------------------
    Field("dataset", "plugin", "moons", plugin="datasets", label="Dataset", group="data", sweep=True,
          help="A generated dataset (a plugin)."),
    Field("classes", "int", 2, low=2, high=MAX_CLASSES, step=1, label="Classes", group="data", sweep=True,
          help="How many classes a dataset that can make several draws (spiral: arms, blobs: blobs); "
               "the others make 2."),
    Field("n_samples", "int", 200, low=2, high=MAX_SAMPLES, step=50, label="Samples", group="data",
          sweep=True, help="How many samples the dataset draws (training and test together)."),
    Field("noise", "float", 0.1, low=0.0, high=10.0, step=0.01, slider=(0.0, 1.0), label="Noise",
          group="data", sweep=True, help="How far the dataset's points scatter."),
    Field("test_share", "float", 0.2, low=0.0, high=0.9, step=0.05, label="Test share", group="data",
          sweep=True, help="The share of samples held out as the test set; the rest trains."),
    Field("data_seed", "int", 0, low=0, high=MAX_SEED, step=1, label="Data seed", group="data",
          sweep=True, help="Same seed, same samples and the same split."),
    # -- network ---------------------------------------------------------------------------------
    Field("layers", "specs", DEFAULT_LAYERS, items=MAX_LAYERS, high=MAX_NEURONS, unit_layers=MAX_HIDDEN_LAYERS,
          plugin="layers", label="Hidden layers", group="network", sweep=True,
          help="The hidden layers, layer 2 first (layer 1 is the input, as in the article): one layer "
               "spec each, a loaded layer type and its settings (dense: units and activation; "
               "dropout: rate)."),
    Field("output_activation", "plugin", "sigmoid", plugin="outputs", table=outputs.table,
          label="Output layer L", group="network", sweep=True,
          help="An activation (a dense output layer) or an output layer type (softmax: one unit per "
               "class); either way one unit per column of the targets."),
    Field("bias", "bool", True, label="Bias b^(l) on every layer", group="network", sweep=True,
          help="Off: z = a Θᵀ only, as the article starts out."),
    Field("cost", "plugin", "cross_entropy", plugin="costs", label="Cost", symbol="J(θ)", group="network",
          sweep=True, help="The cost J that backpropagation differentiates."),
    Field("init", "plugin", "uniform", plugin="initializers", label="Initializer", group="network",
          sweep=True, help="How the initial weights and biases are drawn."),
    Field("epsilon", "float", 0.5, low=0.0, high=10.0, step=0.05, label="Initial range", symbol="ε", group="network",
          sweep=True, help="Weights and biases drawn from [−ε, ε] (uniform; constant sets them to ε)."),
    Field("seed", "int", 0, low=0, high=MAX_SEED, step=1, label="Seed", group="network", sweep=True,
          help="Same seed, same initial weights (and the same mini-batch order)."),
    Field("dtype", "choice", "float64", choices=("float64", "float32"),
          choice_labels=("float64: exact teaching numbers", "float32: faster on large networks"),
          label="Precision", group="network", sweep=True,
          help="How the parameters are kept and trained. The inspector and the gradient check "
               "compute in float64 either way."),
    # -- training --------------------------------------------------------------------------------
    Field("learning_rate", "float", 0.5, low=0.0, low_open=True, high=100.0, step=0.05, log=True,
          label="Learning rate", symbol="η", group="training", sweep=True,
          help="θ := θ − η ∂J/∂θ. Changing it in the dashboard keeps the weights and the history."),
    Field("batch_size", "int", None, optional=True, none_text="full", low=1, high=MAX_SAMPLES, step=1,
          label="Batch size", group="training", sweep=True,
          help="Samples per update; none (the full batch) is the article's epoch."),
    Field("epochs", "int", 300, low=1, high=MAX_EPOCHS, step=100, label="Epochs", group="run", sweep=True,
          help="How many epochs a run trains (fewer when a stopping rule ends it)."),
    Field("regularization", "choice", "none", choices=("none", "l1", "l2"),
          choice_labels=("none", "L1 (λ Σ|θ|)", "L2 (λ/2 Σθ²)"), label="Regularization",
          group="training", sweep=True,
          help="Adds λ Σ|θ| (L1) or λ/2 Σθ² (L2) over the weights to J; biases are not "
               "regularized. L1 drives weights to exactly 0."),
    Field("reg_rate", "float", 0.0, low=0.0, high=10.0, step=0.001, label="Rate", symbol="λ",
          group="training", sweep=True, help="The regularization's rate λ."),
    Field("optimizer", "plugin", "gd", plugin="optimizers", label="Optimizer", group="training", sweep=True,
          help="The update rule (a plugin); gd is the article's plain gradient descent."),
    Field("optimizer_params", "params", Settings(), plugin="optimizers", of="optimizer",
          settings="hyperparameters", prefix="opt_", label="Optimizer settings", group="training",
          help="The optimizer's hyperparameters, as it declares them; left out: its defaults."),
    Field("lr_schedule", "choice", "constant", choices=("constant", "step", "exponential"),
          choice_labels=("constant: η throughout", "step: η × decay every N epochs",
                         "exponential: η × decay^(epoch / N)"),
          label="Learning-rate schedule", group="training", sweep=True,
          help="How η changes over the epochs (see bpdash.schedules)."),
    Field("lr_decay", "float", 0.5, low=0.0, low_open=True, high=1.0, step=0.05, label="Decay",
          group="training", sweep=True, help="The factor η is multiplied by every N epochs."),
    Field("lr_step", "int", 100, low=1, high=MAX_EPOCHS, step=10, label="Every N epochs", group="training",
          sweep=True, help="N: the epochs over which η decays by the factor once."),
    Field("features", "choice", (), choices=FEATURE_NAMES, choice_labels=tuple(FEATURE_LABELS[n] for n in FEATURE_NAMES),
          items=len(FEATURE_NAMES), distinct=True, label="Input features", group="features", sweep=True,
          help="None: the raw inputs. Else the network gets one input neuron per feature made "
               "from (x₁, x₂); for 2-D data only."),
    Field("target_cost", "float", None, optional=True, low=0.0, high=1e6, step=0.01, label="Stop at J ≤",
          group="training", sweep=True, help="Stop once an epoch's training cost J reaches this."),
    Field("patience", "int", None, optional=True, low=1, high=MAX_EPOCHS, step=10, label="Patience (epochs)",
          group="training", sweep=True,
          help="Stop after this many epochs without a new lowest monitored cost: the test cost when "
               "there is a test set, else the training cost."),
)

# The dashboard's Sweeps view: what one session may ask of the server (the command line has no
# such cap; the bounds of a run's own settings still apply to every run).
SWEEP_FIELDS = (
    Field("sweep_runs", "int", 256, low=1, high=256, label="Runs per sweep", group="sweep",
          help="A sweep in the dashboard runs at most this many runs (the command line has no cap)."),
    Field("sweep_epochs", "int", 300, low=1, high=10_000, step=100, label="Epochs per run", group="sweep",
          help="Every run of the sweep trains this many epochs (fewer when a stopping rule ends it)."),
    Field("sweep_seeds", "int", 3, low=1, high=10, label="Seeds", group="sweep",
          help="Each combination runs with seeds 0, 1, …: the spread over seeds shows what is chance."),
)

# Shorthand for the stack's dense layers, read wherever settings are read and written nowhere
# (``bpdash.shorthand`` applies them to a stack).
SHORTHAND = (
    Field("hidden", "int", (8, 8), items=MAX_HIDDEN_LAYERS, low=1, high=MAX_NEURONS, step=1,
          label="Hidden layers (dense)", group="network", sweep=True,
          help="Shorthand: neurons per dense hidden layer. As many as the stack has dense layers: "
               "sets their units; another count: a stack of that many dense layers only."),
    Field("activations", "plugin", ("tanh", "tanh"), plugin="activations", items=MAX_HIDDEN_LAYERS,
          follows="hidden", label="Hidden activations (dense)", group="network", sweep=True,
          help="Shorthand: one activation per dense hidden layer; one name alone stands for every one."),
)

BY_NAME = {f.name: f for f in FIELDS}
SHORTHAND_BY_NAME = {f.name: f for f in SHORTHAND}
ALIASES = {"momentum": "opt_momentum", "beta2": "opt_beta2"}  # older configs' names, read as flat names


def field(name: str) -> Field:
    """The declaration of config field ``name``, or of a shorthand (KeyError when there is none)."""
    return BY_NAME[name] if name in BY_NAME else SHORTHAND_BY_NAME[name]


def check(name: str, value) -> None:
    """Raise ValueError ("reg_rate must be between 0 and 10, got 11") unless ``value`` is valid
    for config field ``name``: how the engine's modules check a setting given to them directly."""
    problem = field(name).problem(value)
    if problem:
        raise ValueError(f"{name} {problem}")


def group(name: str) -> tuple[str, ...]:
    """The names of the fields in group ``name``, in declaration order."""
    if name not in GROUPS:
        raise KeyError(f"no group {name!r}; the groups are {', '.join(GROUPS)}")
    return tuple(f.name for f in FIELDS if f.group == name)


def params_fields() -> tuple[Field, ...]:
    """The fields that hold a plugin's own settings (``optimizer_params``)."""
    return tuple(f for f in FIELDS if f.kind == "params")


def declared_settings(params: Field, record) -> tuple[Field, ...]:
    """The Fields the plugin ``record`` declares for ``params`` (an optimizer's hyperparameters)."""
    return tuple(getattr(record, params.settings, ()) or ())


def flat_fields(registry) -> dict[str, Field]:
    """Every setting addressable as ``name=value`` (links, ``--set``, sweeps), name → Field: the
    config's fields, and after each params field the settings any loaded plugin declares, named
    with its prefix (``opt_momentum``; the first plugin that declares a name gives its Field)."""
    flat = {}
    for f in FIELDS:
        flat[f.name] = f  # a params field too: ``optimizer_params=momentum=0.8,beta2=0.99``
        if f.kind == "specs":  # the shorthand right after the stack: it changes the stack
            flat.update(SHORTHAND_BY_NAME)
        if f.kind != "params":
            continue
        for record in getattr(registry, f.plugin).values():
            for setting in declared_settings(f, record):
                name = f.prefix + setting.name
                if name not in flat:
                    flat[name] = replace(setting, name=name, group=f.group, sweep=True)
    return flat


def owner(name: str) -> tuple[Field, str] | None:
    """For a flat setting name (``opt_momentum``, or an alias): its params field and the
    setting's own name; None for any other name."""
    name = ALIASES.get(name, name)
    for f in params_fields():
        if name.startswith(f.prefix) and name not in BY_NAME and len(name) > len(f.prefix):
            return f, name[len(f.prefix):]
    return None


def flatten(values: dict) -> dict:
    """A config's values (``to_dict``) as flat name → value: each params entry under its
    prefixed name."""
    flat = {}
    for name, value in values.items():
        f = BY_NAME.get(name)
        if f is not None and f.kind == "params":
            flat.update({f.prefix + k: v for k, v in (value or {}).items()})
        else:
            flat[name] = value
    return flat


def nest(values: dict) -> dict:
    """The reverse of ``flatten``: flat names (aliases too) gathered into their params fields.
    Names that are neither fields nor settings are passed through for validation to name."""
    nested, settings = {}, {}
    for name, value in values.items():
        found = owner(name) if name not in BY_NAME else None
        if found is None:
            nested[name] = value
        else:
            settings.setdefault(found[0].name, {})[found[1]] = value
    for name, entries in settings.items():  # flat names win over the mapping's own entries
        given = nested.get(name)
        if given is None or isinstance(given, Mapping):  # else validation names the bad mapping
            nested[name] = {**(given or {}), **entries}
    return nested


def valid_names() -> str:
    """The field names in words, for a message about an unknown one."""
    prefixed = [f"{f.prefix}<name> for each of the {f.of}'s {f.settings}" for f in params_fields()]
    shorthand = [f"{f.name} (shorthand for layers)" for f in SHORTHAND]
    return ", ".join([f.name for f in FIELDS] + shorthand + prefixed)
