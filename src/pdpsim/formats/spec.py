"""Spec files: networks, examples and training written in YAML or TOML.

A spec is plain data, validated here once, with errors that name the file,
the line and the key::

    name: xor
    seed: 1
    bias: true                      # a bias group linked to every hidden and output group
    init: {range: 1.0}              # initial weights uniform in mean +- range
    groups:
      input:  {units: 2, type: INPUT}
      hidden: {units: 2}            # LOGISTIC unless told otherwise
      output: {units: 1, type: OUTPUT, activation: LOGISTIC, error: SUM_SQUARED}
    links: [input -> hidden, hidden -> output]
    examples: {generate: xor}       # or names/inputs/targets written out
    training: {algorithm: momentum, learning_rate: 0.5, momentum: 0.9, output_criterion: 0.1}

The same networks can be written in Python with :class:`pdpsim.Network`;
:func:`build_spec` turns a dict (from a file or from Python) into a network,
an example set and training parameters.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import yaml

from pdpsim.datasets import classic as datasets
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.training import ensemble
from pdpsim.training.params import TrainingParams
from pdpsim import limits
from pdpsim.validation import PdpError, positive_int, readable_file, real

GROUP_KEYS = {"units", "type", "activation", "error", "error_scale", "target_radius", "zero_error_radius",
              "unit_names", "integration", "clamp", "clamp_strength", "init_output", "copies"}
LINK_KEYS = {"from", "to", "range", "mean", "learning_rate", "momentum", "weight_decay", "min", "max", "frozen",
             "weights", "bidirectional"}
TOP_KEYS = {"name", "description", "seed", "bias", "init", "groups", "links", "examples", "training", "weights",
            "time", "dtype", "ensemble"}
TIME_KEYS = {"mode", "ticks_per_interval", "intervals", "grace", "early_stop", "min_intervals", "tick0_clamp"}
GROUP_TYPES = {"INPUT", "HIDDEN", "OUTPUT", "CONTEXT"}


@dataclass
class Spec:
    """A parsed spec: its data, where it came from, and the line of every key."""

    data: dict
    source: str = "<python>"
    lines: dict[tuple, int] = field(default_factory=dict)

    def where(self, *path) -> str:
        """``'xor.yaml, line 7: groups.hidden.units'`` for error messages."""
        key = ".".join(str(p) for p in path)
        line = None
        for n in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:n]))
            if line is not None:
                break
        loc = f"{self.source}, line {line}" if line else self.source
        return f"{loc}: {key}" if key else loc

    @property
    def digest(self) -> str:
        """A short hash of the spec's content (for run indexes)."""
        content = {k: v for k, v in self.data.items() if k != "_dir"}      # not where it was read from
        blob = json.dumps(content, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class Model:
    """What a spec builds: a network, its training examples and how to train."""

    network: Network
    examples: ExampleSet
    training: TrainingParams
    spec: Spec


# ---------------------------------------------------------------- loading
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: the tags a spec may hold: YAML's core schema (dates, sets, binary and python/... objects are refused)
_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("map", "seq", "str", "int", "float", "bool", "null")}


def _yaml_with_lines(text: str, source: str) -> tuple[Any, dict]:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise PdpError(f"{source}{line}: not valid YAML: {problem}") from None
    except RecursionError:
        raise PdpError(f"{source}: not valid YAML: nested too deeply (the limit is "
                       f"{limits.get('yaml_depth')} levels)") from None
    lines: dict[tuple, int] = {}
    max_nodes, max_depth, count = limits.get("yaml_nodes"), limits.get("yaml_depth"), [0]

    def conv(node, path):
        at = node.start_mark.line + 1
        lines[path] = at
        count[0] += 1                               # aliases count each time they are used
        if count[0] > max_nodes:
            limits.check("yaml_nodes", count[0], f"{source}, line {at}", "YAML nodes (aliases expanded)")
        if len(path) > max_depth:
            limits.check("yaml_depth", len(path), f"{source}, line {at}", "levels of YAML nesting")
        if node.tag not in _PLAIN_TAGS:
            raise PdpError(f"{source}, line {at}: YAML tag '{node.tag}' is not allowed in a spec; expected plain "
                           f"mappings, lists, strings, numbers, true/false or null")
        if isinstance(node, yaml.MappingNode):
            out = {}
            for k, v in node.value:
                key = conv(k, path + ("<key>",))
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise PdpError(f"{source}, line {k.start_mark.line + 1}: a key must be a name or a number, "
                                   f"got a {type(key).__name__}")
                if key in out:
                    raise PdpError(f"{source}, line {k.start_mark.line + 1}: key '{key}' appears twice")
                out[key] = conv(v, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [conv(v, path + (i,)) for i, v in enumerate(node.value)]
        try:
            return _CONSTRUCTOR.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as e:
            raise PdpError(f"{source}, line {at}: {node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]} "
                           f"({getattr(e, 'problem', None) or e})") from None

    if root is None:
        return {}, lines
    data = conv(root, ())
    return data, lines


def _toml_lines(text: str, data: dict) -> dict[tuple, int]:
    """Best-effort line numbers for TOML keys (tomllib keeps none)."""
    lines: dict[tuple, int] = {}
    src = text.splitlines()

    def find(key: str, start: int = 0) -> int | None:
        pat = re.compile(rf"^\s*(\[+\s*)?([\w.\"-]*\.)?\"?{re.escape(key)}\"?\s*(=|\]|\.)")
        for i in range(start, len(src)):
            if pat.search(src[i]):
                return i + 1
        return None

    def walk(d, path, start):
        if isinstance(d, dict):
            for k, v in d.items():
                ln = find(str(k), start)
                if ln:
                    lines[path + (k,)] = ln
                walk(v, path + (k,), (ln or start + 1) - 1)

    walk(data, (), 0)
    return lines


def zoo_names() -> list[str]:
    """Names of the spec files shipped with pdpsim (``pdpsim train xor``)."""
    return sorted(p.name.rsplit(".", 1)[0] for p in resources.files("pdpsim.zoo").iterdir()
                  if p.name.endswith((".yaml", ".toml")))


def zoo_path(name: str):
    for ext in (".yaml", ".toml"):
        p = resources.files("pdpsim.zoo") / (name + ext)
        if p.is_file():
            return p
    return None


def _shipped(name: str) -> Spec:
    zp = zoo_path(name)
    return parse_spec(zp.read_text(), source=f"{name} (shipped spec {zp.name})", fmt=zp.name.rsplit(".", 1)[1])


#: the files that make a folder a run folder, whose spec it gives
RUN_SPEC_FILES = ("run.json", "spec.yaml", "spec.yml", "spec.toml")


def run_folder_spec(folder: str | Path) -> Spec | None:
    """The spec of a run folder: the spec its ``run.json`` holds (``pdpsim train`` writes it),
    else a ``spec.yaml`` (``.yml``, ``.toml``) in it; None if it holds neither."""
    folder = Path(folder)
    meta_path = folder / "run.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise PdpError(f"run folder '{folder}': its run.json cannot be read ({e})") from None
        data = meta.get("spec") if isinstance(meta, dict) else None
        if not isinstance(data, dict):
            raise PdpError(f"run folder '{folder}': its run.json holds no spec")
        data = dict(data)
        where = meta.get("spec_dir")                  # where the run's spec file was: its example files
        if where is None and meta.get("spec_source") and Path(str(meta["spec_source"])).is_file():
            where = str(Path(str(meta["spec_source"])).resolve().parent)
        if where is not None:
            data["_dir"] = str(where)
        return Spec(data, source=f"{meta_path} (the spec of the run)")
    for name in RUN_SPEC_FILES[1:]:
        if (folder / name).is_file():
            return load_spec(folder / name)
    return None


def load_spec(path_or_name: str | Path) -> Spec:
    """Read a spec file (``.yaml``, ``.yml``, ``.toml``), a shipped spec by name, or the spec of
    a run folder (:func:`run_folder_spec`).

    A folder that is no run folder but has a shipped spec's name (``pdpsim train xor --out xor``
    leaves one) stands for the shipped spec.
    """
    s = str(path_or_name)
    p = Path(s)
    if not p.exists() and zoo_path(s) is not None:
        return _shipped(s)
    if p.is_dir():
        spec = run_folder_spec(p)
        if spec is not None:
            return spec
        if zoo_path(p.name) is not None and p.name == s.rstrip("/\\"):
            return _shipped(p.name)
        raise PdpError(f"spec '{s}': is a directory but not a run folder (it holds no run.json from `pdpsim "
                       f"train` and no spec.yaml), and no shipped spec has that name; expected a spec file (.yaml, "
                       f".yml, .toml), a run folder or a shipped spec's name ({', '.join(zoo_names())})")
    if not p.exists() and p.suffix == "":
        raise PdpError(f"spec '{s}': no such file, and no shipped spec of that name "
                       f"(shipped: {', '.join(zoo_names())})")
    p = readable_file(p, "spec file")
    try:
        text = p.read_text()
    except UnicodeDecodeError:
        raise PdpError(f"spec file '{p}': not a text file") from None
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in ("yaml", "yml", "toml"):
        raise PdpError(f"spec file '{p}': expected a .yaml, .yml or .toml file, got '{p.suffix}'")
    spec = parse_spec(text, source=str(p), fmt=fmt)
    spec.data.setdefault("_dir", str(p.parent))
    return spec


def parse_spec(text: str, source: str = "<string>", fmt: str = "yaml") -> Spec:
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise PdpError(f"{source}: not valid TOML: {e}") from None
        lines = _toml_lines(text, data)
    else:
        data, lines = _yaml_with_lines(text, source)
    if not isinstance(data, dict):
        raise PdpError(f"{source}: expected a mapping of keys (name, groups, links, ...) at the top level")
    return Spec(data, source, lines)


# ---------------------------------------------------------------- building
def _check_keys(spec: Spec, d, allowed: set, path: tuple) -> dict:
    if not isinstance(d, dict):
        raise PdpError(f"{spec.where(*path)}: expected a mapping, got {type(d).__name__} {d!r}")
    for k in d:
        if k not in allowed:
            raise PdpError(f"{spec.where(*path, k)}: unknown key '{k}'; expected one of {', '.join(sorted(allowed))}")
    return d


def _groups(spec: Spec) -> list[tuple[str, dict, tuple]]:
    raw = spec.data.get("groups")
    if raw is None:
        raise PdpError(f"{spec.where()}: missing key 'groups'")
    out = []
    if isinstance(raw, dict):
        for name, g in raw.items():
            out.append((str(name), g, ("groups", name)))
    elif isinstance(raw, list):
        for i, g in enumerate(raw):
            if not isinstance(g, dict) or "name" not in g:
                raise PdpError(f"{spec.where('groups', i)}: expected a mapping with a 'name'")
            g = dict(g)
            out.append((str(g.pop("name")), g, ("groups", i)))
    else:
        raise PdpError(f"{spec.where('groups')}: expected a mapping of group name -> settings")
    if not out:
        raise PdpError(f"{spec.where('groups')}: a network needs at least one group")
    return out


_ARROW = re.compile(r"^\s*([\w.:-]+)\s*->\s*([\w.:-]+)\s*$")


def _links(spec: Spec) -> list[tuple[dict, tuple]]:
    raw = spec.data.get("links", [])
    if not isinstance(raw, list):
        raise PdpError(f"{spec.where('links')}: expected a list of links ('input -> hidden' or mappings)")
    out = []
    for i, l in enumerate(raw):
        path = ("links", i)
        if isinstance(l, str):
            m = _ARROW.match(l)
            if not m:
                raise PdpError(f"{spec.where(*path)}: expected 'source -> dest', got {l!r}")
            l = {"from": m.group(1), "to": m.group(2)}
        else:
            _check_keys(spec, l, LINK_KEYS, path)
            if "from" not in l or "to" not in l:
                raise PdpError(f"{spec.where(*path)}: a link needs 'from' and 'to'")
        out.append((l, path))
    return out


def build_network(spec: Spec, seed: int | None = None) -> Network:
    d = spec.data
    name = str(d.get("name", "net"))
    if seed is None and d.get("seed") is not None:
        seed = positive_int(d["seed"], spec.where("seed"), allow_zero=True)
    init = _check_keys(spec, d.get("init", {}) or {}, {"range", "mean"}, ("init",))
    dtype = str(d.get("dtype", "float64"))
    if dtype not in ("float64", "float32"):
        raise PdpError(f"{spec.where('dtype')}: expected float64 or float32, got {dtype!r}")
    net = Network(name, seed=seed, init_range=real(init.get("range", 1.0), spec.where("init", "range"), minimum=0),
                  init_mean=real(init.get("mean", 0.0), spec.where("init", "mean")), dtype=dtype)
    for gname, g, path in _groups(spec):
        _check_keys(spec, g, GROUP_KEYS, path)
        if "units" not in g:
            raise PdpError(f"{spec.where(*path)}: group '{gname}' needs 'units'")
        size = positive_int(g["units"], spec.where(*path, "units"))
        limits.check("units", size, spec.where(*path, "units"), "units")
        kind = str(g.get("type", "HIDDEN")).upper()
        if kind not in GROUP_TYPES:
            raise PdpError(f"{spec.where(*path, 'type')}: unknown group type {g['type']!r}; expected one of "
                           f"{', '.join(sorted(GROUP_TYPES))}")
        kw = {}
        for k in ("target_radius", "zero_error_radius"):
            if k in g:
                kw[k] = real(g[k], spec.where(*path, k), minimum=0)
        if "error_scale" in g:
            kw["error_scale"] = real(g["error_scale"], spec.where(*path, "error_scale"))
        for k in ("clamp_strength", "init_output"):
            if k in g:
                kw[k] = real(g[k], spec.where(*path, k))
        for k in ("integration", "clamp"):
            if k in g:
                kw[k] = str(g[k]).upper()
        if "copies" in g and kind != "CONTEXT":
            raise PdpError(f"{spec.where(*path, 'copies')}: only CONTEXT groups copy another group")
        if kind == "CONTEXT" and "copies" not in g:
            raise PdpError(f"{spec.where(*path)}: a CONTEXT group needs 'copies: GROUP' (the group it copies)")
        if "unit_names" in g:
            names = g["unit_names"]
            if not isinstance(names, list) or len(names) != size:
                raise PdpError(f"{spec.where(*path, 'unit_names')}: expected a list of {size} names")
            kw["unit_names"] = [str(n) for n in names]
        if kind in ("INPUT",) and ("activation" in g or "error" in g):
            bad = "activation" if "activation" in g else "error"
            raise PdpError(f"{spec.where(*path, bad)}: an INPUT group takes its outputs from the examples "
                           f"and has no {bad}")
        if kind == "HIDDEN" and "error" in g:
            raise PdpError(f"{spec.where(*path, 'error')}: only OUTPUT groups have an error function")
        try:
            net.add_group(gname, size, kind=kind, function=g.get("activation", "LOGISTIC"),
                          error=g.get("error"), **kw)
        except PdpError as e:
            key = ("activation" if "unit type" in str(e) else "error" if "error type" in str(e)
                   else "integration" if "integration" in str(e) else "clamp" if "clamp" in str(e) else "")
            msg = str(e).split(": ", 1)[1] if str(e).startswith(f"group '{gname}': ") else str(e)
            raise PdpError(f"{spec.where(*path, key)}: {msg}") from None
    if not net.output_groups:
        raise PdpError(f"{spec.where('groups')}: the network has no OUTPUT group")
    for gname, g, path in _groups(spec):
        if "copies" in g:
            if g["copies"] not in net.groups:
                raise PdpError(f"{spec.where(*path, 'copies')}: unknown group '{g['copies']}'")
            try:
                net.elman_connect(str(g["copies"]), gname)
            except PdpError as e:
                raise PdpError(f"{spec.where(*path, 'copies')}: {e}") from None
    for l, path in _links(spec):
        for end in ("from", "to"):
            if l[end] not in net.groups:
                raise PdpError(f"{spec.where(*path, end)}: unknown group '{l[end]}' "
                               f"(groups: {', '.join(net.groups)})")
        kw = {}
        for k, kk in (("learning_rate", "learning_rate"), ("momentum", "momentum"),
                      ("weight_decay", "weight_decay"), ("min", "min_weight"), ("max", "max_weight")):
            if k in l:
                kw[kk] = real(l[k], spec.where(*path, k))
        if "frozen" in l:
            kw["frozen"] = bool(l["frozen"])
        ends = [(l["from"], l["to"])] + ([(l["to"], l["from"])] if l.get("bidirectional") else [])
        for a, b in ends:
            try:
                net.connect(a, b,
                            init_range=None if "range" not in l else real(l["range"], spec.where(*path, "range"),
                                                                            minimum=0),
                            init_mean=None if "mean" not in l else real(l["mean"], spec.where(*path, "mean")),
                            weights=l.get("weights") if (a, b) == ends[0] else None, **kw)
            except PdpError as e:
                raise PdpError(f"{spec.where(*path)}: {e}") from None
    if d.get("bias", True):
        net.connect_bias()
    if d.get("time") is not None:
        from pdpsim.model.time import TimeParams, make_srn
        t = _check_keys(spec, d["time"], TIME_KEYS, ("time",))
        mode = str(t.get("mode", "continuous")).lower()
        try:
            if mode == "srn":
                make_srn(net)
            else:
                net.set_time(TimeParams(mode, t.get("ticks_per_interval", 4), t.get("intervals", 1.0),
                                        t.get("grace", 0.0), early_stop=t.get("early_stop"),
                                        min_intervals=t.get("min_intervals", 0.0),
                                        tick0_clamp=t.get("tick0_clamp", True)).validated(spec.where("time")))
        except PdpError as e:
            raise PdpError(f"{spec.where('time')}: {e}") from None
    try:
        net.order
    except PdpError as e:
        raise PdpError(f"{spec.where('links')}: {e}") from None
    if d.get("weights"):
        w = d["weights"]
        if not isinstance(w, dict):
            raise PdpError(f"{spec.where('weights')}: expected a mapping 'source->dest' -> weight matrix")
        try:
            net.set_weights({k.replace(" ", ""): v for k, v in w.items()}, source=spec.where("weights"))
        except (ValueError, TypeError) as e:
            raise PdpError(f"{spec.where('weights')}: {e}") from None
    return net


def _by_group(spec: Spec, rows, groups: list[str], kind: str, io: str, paths: dict) -> dict:
    """``examples``' ``inputs`` or ``targets`` (``kind``) as a mapping group -> rows: bare rows
    belong to the network's one ``io`` group (their place in the spec goes into ``paths``)."""
    if isinstance(rows, dict):
        return rows
    if len(groups) != 1:
        raise PdpError(f"{spec.where('examples', kind)}: the network has {len(groups)} {io} groups; "
                       f"give {kind} as a mapping group -> rows")
    paths[(kind, groups[0])] = ("examples", kind)
    return {groups[0]: rows}


def _array(spec: Spec, value, path, width: int | None = None) -> np.ndarray:
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        for i, r in enumerate(value):
            if len(r) != len(value[0]):
                raise PdpError(f"{spec.where(*path, i)}: row {i} has {len(r)} values, row 0 has {len(value[0])} "
                               "(every example needs one value per unit)")
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise PdpError(f"{spec.where(*path)}: expected rows of numbers") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim not in (2, 3):
        raise PdpError(f"{spec.where(*path)}: expected a list of rows (one row of numbers per example), or per "
                       "example a list of rows (one per event)")
    return arr


def build_examples(spec: Spec, net: Network) -> ExampleSet:
    raw = spec.data.get("examples")
    if raw is None:
        raise PdpError(f"{spec.where()}: missing key 'examples' (write them out, or 'generate: NAME')")
    if not isinstance(raw, dict):
        raise PdpError(f"{spec.where('examples')}: expected a mapping")
    if "file" in raw:
        _check_keys(spec, raw, {"file"}, ("examples",))
        from pdpsim.formats.lens_examples import read_examples
        path = Path(str(raw["file"]))
        if not path.is_absolute() and spec.data.get("_dir"):
            path = Path(spec.data["_dir"]) / path
        ins = {g.name: g.size for g in net.groups.values() if g.kind == "INPUT"}
        outs = {g.name: g.size for g in net.output_groups}
        try:
            xs = read_examples(path, ins, outs)
        except PdpError as e:
            raise PdpError(f"{spec.where('examples', 'file')}: {e}") from None
    elif "generate" in raw:
        params = {k: v for k, v in raw.items() if k != "generate"}
        for k in params:
            if not isinstance(k, str):
                raise PdpError(f"{spec.where('examples', k)}: expected a parameter name of the generator, got {k!r}")
        try:
            xs = datasets.generate(str(raw["generate"]), **params)
        except PdpError as e:
            raise PdpError(f"{spec.where('examples', 'generate')}: {e}") from None
    else:
        _check_keys(spec, raw, {"names", "inputs", "targets", "frequencies"}, ("examples",))
        ins, outs = raw.get("inputs"), raw.get("targets")
        if ins is None or outs is None:
            raise PdpError(f"{spec.where('examples')}: needs 'inputs' and 'targets'")
        in_groups = [g.name for g in net.input_groups]
        out_groups = [g.name for g in net.output_groups]
        paths = {}
        ins = _by_group(spec, ins, in_groups, "inputs", "input", paths)
        outs = _by_group(spec, outs, out_groups, "targets", "output", paths)

        def path(kind, g):
            return paths.get((kind, g), ("examples", kind, g))

        inputs = {g: _array(spec, v, path("inputs", g)) for g, v in ins.items()}
        targets = {g: _array(spec, v, path("targets", g)) for g, v in outs.items()}
        for kind, dd in (("inputs", inputs), ("targets", targets)):
            for g, a in dd.items():
                if g not in net.groups:
                    raise PdpError(f"{spec.where('examples', kind, g)}: unknown group '{g}' "
                                   f"(groups: {', '.join(net.groups)})")
                size = net.groups[g].size
                if a.shape[-1] != size:
                    row = 0
                    raise PdpError(f"{spec.where(*path(kind, g), row)}: rows of {a.shape[-1]} values for "
                                   f"group '{g}', which has {size} units")
        try:
            xs = ExampleSet(inputs, targets, names=raw.get("names") or [], frequencies=raw.get("frequencies"),
                            name=str(spec.data.get("name", "examples")))
        except PdpError as e:
            raise PdpError(f"{spec.where('examples')}: {e}") from None
    try:
        sizes = {g.name: g.size for g in net.groups.values()}
        xs.check_against(sizes, [g.name for g in net.input_groups], [g.name for g in net.output_groups])
    except PdpError as e:
        raise PdpError(f"{spec.where('examples')}: {e}") from None
    return xs


EXAMPLE_SUFFIXES = (".yaml", ".yml", ".toml")


def load_examples(path: str | Path, net: Network) -> ExampleSet:
    """Examples for ``net`` from a file of their own (``pdpsim test --examples FILE``).

    A ``.yaml``, ``.yml`` or ``.toml`` file is read as a spec file's ``examples:`` table
    (names/inputs/targets written out, ``generate: NAME``, or ``file: LENS-FILE``): a file
    with an ``examples`` key (a whole spec file does) or that table itself at the top level.
    Any other file is read as a Lens example file (``.ex``, ``.bex``, compressed or not).
    Errors name the file, line and key.
    """
    p = readable_file(path, "examples file")
    if p.suffix.lower() in EXAMPLE_SUFFIXES:
        try:
            text = p.read_text()
        except UnicodeDecodeError:
            raise PdpError(f"examples file '{p}': not a text file") from None
        spec = parse_spec(text, source=str(p), fmt=p.suffix.lower().lstrip("."))
        if "examples" not in spec.data:                     # the table itself
            spec = Spec({"examples": spec.data}, spec.source,
                        {("examples",) + k: v for k, v in spec.lines.items()})
        spec.data = {"examples": spec.data["examples"], "name": p.name.split(".")[0], "_dir": str(p.parent)}
        return build_examples(spec, net)
    from pdpsim.formats.lens_examples import read_examples
    ins = {g.name: g.size for g in net.groups.values() if g.kind == "INPUT"}
    outs = {g.name: g.size for g in net.output_groups}
    xs = read_examples(p, ins, outs)
    try:
        xs.check_against({g.name: g.size for g in net.groups.values()}, [g.name for g in net.input_groups],
                         [g.name for g in net.output_groups])
    except PdpError as e:
        raise PdpError(f"examples file '{p}': {e}") from None
    return xs


def build_spec(spec: Spec | dict, seed: int | None = None) -> Model:
    """Turn a spec (parsed file or plain dict) into a :class:`Model`."""
    if isinstance(spec, dict):
        spec = Spec(spec)
    _check_keys(spec, {k: v for k, v in spec.data.items() if k != "_dir"}, TOP_KEYS, ())
    net = build_network(spec, seed)
    xs = build_examples(spec, net)
    tr = spec.data.get("training", {}) or {}
    if not isinstance(tr, dict):
        raise PdpError(f"{spec.where('training')}: expected a mapping")
    for k in tr:
        if k not in TrainingParams.__dataclass_fields__:
            raise PdpError(f"{spec.where('training', k)}: unknown key '{k}'; expected one of "
                           f"{', '.join(TrainingParams.__dataclass_fields__)}")
    try:
        params = TrainingParams(**tr).validated("training")
    except PdpError as e:
        key = str(e).split(":")[0].split(".")[-1]
        raise PdpError(f"{spec.where('training', key)}: {str(e).split(': ', 1)[1]}") from None
    return Model(net, xs, params, spec)


def load(path_or_name: str | Path, seed: int | None = None) -> Model:
    """Load and build a spec file or shipped spec: ``pdpsim.load("xor")``."""
    return build_spec(load_spec(path_or_name), seed)


# ---------------------------------------------------------------- ensembles
def load_ensemble(spec: str, seeds: Iterable[int]) -> "ensemble.Ensemble":
    """Build ``spec`` once per seed and stack the networks into an :class:`~pdpsim.training.ensemble.Ensemble`
    (feed-forward networks and CONTINUOUS networks in time)."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise PdpError("ensemble: no seeds")
    sp = load_spec(spec)                       # parsed once; each member is built from it with its seed
    first: Model = build_spec(sp, seed=seeds[0])
    if first.network.time is not None and first.network.time.mode != "continuous":
        raise PdpError(f"ensemble: '{spec}' is a simple recurrent network; ensembles are feed-forward networks "
                       "or CONTINUOUS networks in time")
    nets = [first.network] + [build_network(sp, seed=s) for s in seeds[1:]]
    ens = ensemble.stack(nets)
    return ensemble.Ensemble(ens, first.examples, first.training, seeds, [n.rng for n in nets])


def ensemble_settings(spec: str, seeds=None, learning_rates=None) -> tuple[list[int], list[float] | None]:
    """Seeds and learning rates for an ensemble, one of each per network: the given ones, else
    the spec's ``ensemble:`` table (``seeds: N`` for seeds 0..N-1, or a list; ``learning_rates:
    [..]``), else seeds 0..9.

    Every learning rate trains every seed, so that rates are compared on the same starting
    weights: seeds 0..N-1 and K rates make N x K networks, the first N with the first rate."""
    sp = load_spec(spec)
    table = sp.data.get("ensemble") or {}
    if not isinstance(table, dict):
        raise PdpError(f"{sp.where('ensemble')}: expected a mapping with seeds and learning_rates")
    for k in table:
        if k not in ("seeds", "learning_rates"):
            raise PdpError(f"{sp.where('ensemble', k)}: unknown key '{k}'; expected seeds or learning_rates")
    s = seeds if seeds is not None else table.get("seeds", 10)
    if isinstance(s, int):
        if s < 1:
            where = "--seeds" if seeds is not None else sp.where("ensemble", "seeds")
            raise PdpError(f"{where}: expected a positive number of networks, got {s}")
        s = list(range(s))
    s = [int(x) for x in s]
    if not s:
        raise PdpError(f"{sp.where('ensemble', 'seeds')}: no seeds")
    lr = learning_rates if learning_rates is not None else table.get("learning_rates")
    if lr is not None:
        if isinstance(lr, (int, float)):
            lr = [lr]
        lr = [float(x) for x in lr]
        if not lr:
            raise PdpError(f"{sp.where('ensemble', 'learning_rates')}: no learning rates")
        s, lr = [x for _ in lr for x in s], [r for r in lr for _ in s]
    return s, lr
