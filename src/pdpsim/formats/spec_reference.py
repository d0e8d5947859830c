"""The spec file reference (``docs/spec-reference.md``), generated from the code that reads spec files.

Every key comes from the tables and validators that check a spec
(:mod:`pdpsim.formats.spec`: ``TOP_KEYS``, ``GROUP_KEYS``, ``LINK_KEYS``, ``TIME_KEYS``; the
keys of ``init``, ``examples`` and ``ensemble``, asked of the validators themselves by
giving them an unknown key; :class:`~pdpsim.training.params.TrainingParams`'s fields), every
default from the signatures and fields that take the values, every list of names (unit
functions, error functions, algorithms, generators ...) from its registry, and the
descriptions of ``training`` and ``time`` keys from their classes' docstrings. The prose
for the other keys is :data:`NOTES`; a key with no description, or a description of a key
the code does not have, is an error here, so the page cannot fall behind the code.
``tests/formats/test_spec_reference.py`` checks that the page in ``docs/`` is this output::

    python -m pdpsim.formats.spec_reference docs/spec-reference.md
"""
from __future__ import annotations

import inspect
import re
import sys
import tempfile
from dataclasses import MISSING, fields
from pathlib import Path

from pdpsim.datasets.classic import GENERATORS
from pdpsim.formats import spec as specs
from pdpsim.functions import CLAMPS, ERROR_FUNCTIONS, INTEGRATORS, OUTPUT_FUNCTIONS
from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.model.time import TimeParams
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError


class SpecReferenceError(Exception):
    """The code and :data:`NOTES` disagree about which keys exist."""


#: descriptions of the keys whose classes do not document them (section -> key -> Markdown)
NOTES: dict[str, dict[str, str]] = {
    "top": {
        "name": "The network's name (in reports, run folders and the viewer).",
        "description": "One line about the spec (`pdpsim list` shows it).",
        "seed": "Seed of the initial weights (and of example orders and noise). Without it every run "
                "draws fresh weights.",
        "bias": "`true`: a one-unit bias group, output 1, linked to every hidden and output group. "
                "`false`: no bias.",
        "init": "Initial weights: uniform in `mean` ± `range` (below); a link may override both.",
        "groups": "The groups of units, a mapping name -> settings (or a list of mappings with a "
                  "`name`). Required; at least one OUTPUT group.",
        "links": "The link blocks: a list of `source -> dest` strings or mappings. Each is a full "
                 "connection.",
        "examples": "The training examples: from a file, from a generator, or written out. Required.",
        "training": "How to train: the fields of `TrainingParams` (below).",
        "weights": "Starting weights for chosen blocks: a mapping `source->dest` -> a matrix "
                   "(rows: sending units, columns: receiving units).",
        "time": "Networks in time: CONTINUOUS networks (units that settle over ticks, trained by "
                "backpropagation through time) or simple recurrent networks (`mode: srn`).",
        "dtype": "`float64` or `float32`.",
        "ensemble": "Defaults for `pdpsim ensemble`: how many networks (seeds) and their learning rates.",
    },
    "init": {
        "range": "Half-width of the uniform distribution of initial weights.",
        "mean": "Its centre.",
    },
    "groups": {
        "units": "Number of units. Required.",
        "type": "What the group is.",
        "activation": "The output function a = f(n) (not for INPUT groups).",
        "error": "The error function (OUTPUT groups only).",
        "error_scale": "Factor on the error and its derivative (the error function's own default: "
                       "1/2 for `SUM_SQUARED`, the lecture's E; Lens's is 1).",
        "target_radius": "Outputs within this distance of the target count as on target (Lens's "
                         "targetRadius).",
        "zero_error_radius": "Outputs within this distance of the target give no error (Lens's "
                             "zeroErrorRadius).",
        "unit_names": "A list of one name per unit.",
        "integration": "Networks in time: what integrates from tick to tick (`OUT_INTEGR`: "
                       "a <- a + dt (f(n) - a); `IN_INTEGR`: the net input).",
        "clamp": "How external input acts on the group (`HARD`: output := input, the default for "
                 "INPUT groups; `SOFT`: pulled toward it).",
        "clamp_strength": "How strongly a `SOFT` clamp pulls.",
        "init_output": "Output at tick 0 (networks in time): when not given, 0.5 for logistic-like "
                       "groups, else 0.",
        "copies": "CONTEXT groups (simple recurrent networks): the group whose previous output this "
                  "one holds. Required for CONTEXT groups, not allowed for others.",
    },
    "links": {
        "from": "The sending group. Required (or write the link as `from -> to`).",
        "to": "The receiving group. Required.",
        "range": "Initial weights uniform in `mean` ± `range` for this block.",
        "mean": "The centre of this block's initial weights.",
        "learning_rate": "This block's learning rate.",
        "momentum": "This block's momentum.",
        "weight_decay": "This block's weight decay.",
        "min": "Weights are clipped to at least this after each update.",
        "max": "Weights are clipped to at most this after each update.",
        "frozen": "`true`: the weights never change.",
        "weights": "The block's starting weights, a matrix (rows: sending units).",
        "bidirectional": "`true`: also a block from `to` back to `from` (attractor networks).",
    },
    "examples.file": {
        "file": "A Lens example file (`.ex`, `.ex.gz`, or binary `.bex`), relative to the spec's folder.",
    },
    "examples.written": {
        "inputs": "Rows of input values, one per example (or per example a list of rows, one per "
                  "event); with several input groups, a mapping group -> rows. Required.",
        "targets": "The same for the output groups. Required.",
        "names": "One name per example.",
        "frequencies": "How often each example is drawn with `training.order: random`.",
    },
    "training": {
        "algorithm": "The weight update (`pdpsim.learning.rules`): steepest descent, momentum, "
                     "Doug's momentum (the gradient rescaled to length at most 1), delta-bar-delta.",
        "order": "The order of the examples: as written, permuted every epoch, or drawn at random "
                 "by frequency.",
        "max_epochs": "Stop after this many epochs.",
    },
    "time": {
        "mode": "`continuous`: units settle over ticks (Lens's CONTINUOUS networks); `srn`: one tick "
                "an event, CONTEXT groups copy the previous event's state (Elman's networks).",
    },
    "ensemble": {
        "seeds": "The number of networks (seeds 0..N-1) or a list of seeds.",
        "learning_rates": "A list of learning rates: one per network, or one per equal share of them.",
    },
}

#: training keys that take one of a few names (listed from the validator)
CHOICES = ("rule", "update", "backend", "algorithm", "order")
#: spec key -> the parameter of the constructor that takes it (for its default)
GROUP_PARAMS = {"units": "size", "type": "kind", "activation": "function", "error": "error",
                "error_scale": "error_scale", "target_radius": "target_radius",
                "zero_error_radius": "zero_error_radius", "unit_names": "unit_names",
                "integration": "integration", "clamp": "clamp", "clamp_strength": "clamp_strength",
                "init_output": "init_output"}
LINK_PARAMS = {"range": "init_range", "mean": "init_mean", "learning_rate": "learning_rate",
               "momentum": "momentum", "weight_decay": "weight_decay", "min": "min_weight",
               "max": "max_weight", "frozen": "frozen"}
#: defaults that are not a parameter's default: what an absent key means
ABSENT = {
    ("top", "name"): "`net`", ("top", "seed"): "none (fresh weights)", ("top", "bias"): "`true`",
    ("top", "dtype"): "`float64`", ("groups", "units"): "required", ("groups", "unit_names"): "`NAME:i`",
    ("groups", "error"): "`SUM_SQUARED` (OUTPUT groups)", ("groups", "error_scale"): "the error's own",
    ("groups", "clamp"): "`HARD` for INPUT groups", ("groups", "init_output"): "0.5 or 0",
    ("groups", "copies"): "", ("links", "from"): "required", ("links", "to"): "required",
    ("links", "range"): "`init.range`", ("links", "mean"): "`init.mean`",
    ("links", "learning_rate"): "`training.learning_rate`", ("links", "momentum"): "`training.momentum`",
    ("links", "weight_decay"): "`training.weight_decay`", ("links", "min"): "no limit",
    ("links", "max"): "no limit", ("links", "weights"): "random (`range`, `mean`)",
    ("links", "bidirectional"): "`false`", ("examples.written", "names"): "`0`, `1`, ...",
    ("examples.written", "frequencies"): "all 1", ("ensemble", "seeds"): "10",
    ("ensemble", "learning_rates"): "`training.learning_rate`",
}


# ---------------------------------------------------------------- reading the code
def _unknown_key_list(message: str) -> list[str]:
    m = re.search(r"unknown key '[^']*'; expected (?:one of )?(.+)$", message)
    if not m:
        raise SpecReferenceError(f"the validator's message does not list its keys: {message!r}")
    return [k.strip() for k in re.split(r",\s*|\s+or\s+", m.group(1)) if k.strip()]


def validator_keys(section: str) -> list[str]:
    """The keys a validator accepts, asked of it: a spec with an unknown key in ``section``."""
    probe = "zz_not_a_key"
    base = {"name": "probe", "groups": {"in": {"units": 1, "type": "INPUT"}, "out": {"units": 1, "type": "OUTPUT"}},
            "links": ["in -> out"], "examples": {"inputs": [[0]], "targets": [[0]]}}
    if section == "ensemble":
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "probe.yaml"
            import yaml
            path.write_text(yaml.safe_dump({**base, "ensemble": {probe: 1}}))
            try:
                specs.ensemble_settings(str(path))
            except PdpError as e:
                return _unknown_key_list(str(e))
        raise SpecReferenceError("ensemble_settings accepted an unknown key")
    data = {"init": {**base, "init": {probe: 1}},
            "examples.file": {**base, "examples": {"file": "x.ex", probe: 1}},
            "examples.written": {**base, "examples": {"inputs": [[0]], "targets": [[0]], probe: 1}}}[section]
    try:
        specs.build_spec(data)
    except PdpError as e:
        return _unknown_key_list(str(e))
    raise SpecReferenceError(f"the spec validator accepted an unknown key in {section}")


def validator_choices(cls, name: str) -> list[str]:
    """The values a validator accepts for field ``name`` of ``cls`` (TrainingParams, TimeParams), asked of
    it: a bad value's message lists them."""
    try:
        cls(**{name: "zz_not_a_value"}).validated()
    except PdpError as e:
        m = re.search(r"expected (?:one of )?(.+?)(?:, got .*)?$", str(e))
        if m:
            return [v.strip().replace("<...>", "<namespace>") for v in re.split(r",\s*|\s+or\s+", m.group(1))]
    raise SpecReferenceError(f"{cls.__name__}.{name}: the validator does not list its values")


def docstring_attributes(cls) -> dict[str, str]:
    """``name -> description`` from a numpydoc ``Attributes`` section (``a, b : type  text``)."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    if "Attributes\n----------" not in doc:
        return {}
    body = doc.split("Attributes\n----------", 1)[1]
    out: dict[str, str] = {}
    names: list[str] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        head = re.match(r"^([A-Za-z_]\w*(?:,\s*[A-Za-z_]\w*)*)\s+:\s+(.*)$", line)
        if head and not line.startswith(" "):
            names = [n.strip() for n in head.group(1).split(",")]
            parts = re.split(r"\s{2,}", head.group(2).strip(), maxsplit=1)
            for n in names:
                out[n] = parts[1] if len(parts) > 1 else ""
        elif line.startswith(" ") and names:
            for n in names:
                out[n] = (out[n] + " " + line.strip()).strip()
        else:
            break
    return out


def _md(text: str) -> str:
    """Docstring text as Markdown inside a table cell."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return " ".join(text.split()).replace("|", "\\|")


def _value(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return f"`{str(v).lower()}`"
    if isinstance(v, str):
        return f"`{v}`"
    if isinstance(v, type):
        return f"`{v.__name__}`"
    return f"`{v}`"


def _signature_defaults(func) -> dict[str, object]:
    return {k: p.default for k, p in inspect.signature(func).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _names(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


# ---------------------------------------------------------------- the page
def _table(section: str, keys, defaults: dict, described: dict[str, str] | None = None,
           values: dict[str, str] | None = None) -> list[str]:
    notes = NOTES.get(section, {})
    described = described or {}
    stale = sorted(set(notes) - set(keys))
    if stale:
        raise SpecReferenceError(f"NOTES[{section!r}] describes keys the code does not have: {', '.join(stale)}")
    lines = ["| key | default | meaning |", "|---|---|---|"]
    for key in keys:
        text = " ".join(t for t in (described.get(key, ""), notes.get(key, "")) if t)
        if not text:
            raise SpecReferenceError(f"{section}.{key}: no description; add one to NOTES[{section!r}] "
                                     "in pdpsim/formats/spec_reference.py")
        if values and key in values:
            text += f" One of {values[key]}."
        default = ABSENT.get((section, key), _value(defaults[key]) if key in defaults else "")
        lines.append(f"| `{key}` | {default} | {_md(text)} |")
    return lines


def generate() -> str:
    """The Markdown of the spec reference page."""
    out = ["<!-- Generated by `python -m pdpsim.formats.spec_reference docs/spec-reference.md` from the",
           "     code that reads spec files; do not edit by hand (tests/formats/test_spec_reference.py). -->",
           "", "# Spec file reference", "",
           "A spec file describes a network, its examples and how to train it, in YAML (`.yaml`, `.yml`) or "
           "TOML (`.toml`). `pdpsim train SPEC`, `pdpsim.load(SPEC)` and the other commands take a path or "
           "the name of a shipped spec (`pdpsim list`). Every key below is checked when the spec is "
           "loaded; a mistake is reported with the file, the line and the key. This page is generated "
           "from the code that does the checking (`pdpsim.formats.spec_reference`).", "",
           "```yaml", "name: xor", "seed: 0", "init: {range: 1.0}",
           "groups:", "  input:  {units: 2, type: INPUT}", "  hidden: {units: 2}",
           "  output: {units: 1, type: OUTPUT, activation: LOGISTIC, error: SUM_SQUARED}",
           "links: [input -> hidden, hidden -> output]", "examples: {generate: xor}",
           "training: {algorithm: momentum, learning_rate: 0.5, momentum: 0.9, output_criterion: 0.1}",
           "```", ""]

    net_defaults = _signature_defaults(Network.__init__)
    out += ["## Top level", ""]
    out += _table("top", sorted(specs.TOP_KEYS, key=_top_order), {})
    out += ["", "## `init`", ""]
    out += _table("init", sorted(validator_keys("init"), key=_order(("range", "mean"))),
                  {"range": net_defaults["init_range"],
                                                   "mean": net_defaults["init_mean"]})

    g = _signature_defaults(Group.__init__)
    out += ["", "## `groups`", "",
            "A mapping from each group's name to its settings, e.g. `hidden: {units: 2}`.", ""]
    out += _table("groups", sorted(specs.GROUP_KEYS, key=_group_order),
                  {k: g[p] for k, p in GROUP_PARAMS.items() if p in g},
                  values={"type": _names(sorted(specs.GROUP_TYPES)), "activation": _names(OUTPUT_FUNCTIONS.names()),
                          "error": _names(ERROR_FUNCTIONS.names()),
                          "integration": _names(n for n in INTEGRATORS.names() if n != "NONE"),
                          "clamp": _names(n for n in CLAMPS.names() if n != "NONE")})

    lb = _signature_defaults(LinkBlock.__init__)
    out += ["", "## `links`", "",
            "A list; each item is `source -> dest`, or a mapping with `from`, `to` and the settings below "
            "(those not given come from the network or the training).", ""]
    out += _table("links", sorted(specs.LINK_KEYS, key=_link_order),
                  {k: lb[p] for k, p in LINK_PARAMS.items() if p in lb})

    out += ["", "## `examples`", "", "One of three forms.", "",
            "**From a file**: `examples: {file: words.ex}`.", ""]
    out += _table("examples.file", validator_keys("examples.file"), {})
    out += ["", "**Written out**: `examples: {names: [a, b], inputs: [[0, 1], [1, 0]], targets: [[1], [0]]}`.", ""]
    out += _table("examples.written",
                  sorted(validator_keys("examples.written"), key=_order(("inputs", "targets", "names"))), {})
    out += ["", "**Generated**: `examples: {generate: NAME, ...}`, the other keys being the generator's "
            "parameters (`pdpsim.datasets.classic`):", "",
            "| generate | parameters (default) | examples |", "|---|---|---|"]
    for name, func in GENERATORS.items():
        params = ", ".join(f"`{k}` ({v})" for k, v in _signature_defaults(func).items()) or "none"
        first = _md((func.__doc__ or "").strip().split("\n\n")[0])
        out.append(f"| `{name}` | {params} | {first} |")

    tp = {f.name: f for f in fields(TrainingParams)}
    out += ["", "## `training`", "",
            "The fields of `pdpsim.TrainingParams` (Python: `TrainingParams(...)`, or keyword overrides "
            "of `pdpsim.train`).", ""]
    out += _table("training", list(tp), {k: f.default for k, f in tp.items() if f.default is not MISSING},
                  described=docstring_attributes(TrainingParams),
                  values={k: _names(validator_choices(TrainingParams, k)) for k in CHOICES})

    tf = {f.name: f for f in fields(TimeParams)}
    time_keys = sorted(specs.TIME_KEYS, key=lambda k: list(tf).index(k) if k in tf else len(tf))
    out += ["", "## `time`", "",
            "Networks in time (`pdpsim.model.time.TimeParams`). With `mode: srn` the other keys are not "
            "used.", ""]
    out += _table("time", time_keys, {k: f.default for k, f in tf.items() if f.default is not MISSING},
                  described=docstring_attributes(TimeParams), values={"mode": _names(validator_choices(TimeParams, "mode"))})

    out += ["", "## `weights`", "",
            "`weights: {\"input->hidden\": [[0.1, -0.2], [0.3, 0.4]]}`: a matrix per block, rows the sending "
            "units, columns the receiving units; blocks not named keep their random weights.", "",
            "## `ensemble`", ""]
    out += _table("ensemble", sorted(validator_keys("ensemble"), key=_order(("seeds",))), {})
    out += ["", "`pdpsim ensemble SPEC` trains the networks at once; `--seeds` and `--learning-rates` "
            "override these.", ""]
    return "\n".join(out)


_TOP = ("name", "description", "seed", "dtype", "bias", "init", "groups", "links", "weights", "examples",
        "training", "time", "ensemble")
_GROUPS = ("units", "type", "activation", "error", "error_scale", "target_radius", "zero_error_radius",
           "unit_names", "integration", "clamp", "clamp_strength", "init_output", "copies")
_LINKS = ("from", "to", "range", "mean", "weights", "learning_rate", "momentum", "weight_decay", "min", "max",
          "frozen", "bidirectional")


def _order(preferred):
    return lambda k: (preferred.index(k), k) if k in preferred else (len(preferred), k)


_top_order, _group_order, _link_order = _order(_TOP), _order(_GROUPS), _order(_LINKS)


def main(argv: list[str] | None = None) -> int:
    """``python -m pdpsim.formats.spec_reference [PATH]``: write the page (to stdout without PATH)."""
    argv = sys.argv[1:] if argv is None else argv
    text = generate()
    if argv:
        Path(argv[0]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":   # pragma: no cover
    raise SystemExit(main())
