"""Spec files: YAML and TOML, the shipped zoo, and the errors bad specs get."""
import textwrap

import numpy as np
import pytest

import pdpsim
from pdpsim.formats.spec import load, load_spec, build_spec, zoo_names

XOR_YAML = """\
name: myxor
seed: 0
groups:
  input:  {units: 2, type: INPUT}
  hidden: {units: 2}
  output: {units: 1, type: OUTPUT, error: SUM_SQUARED}
links: [input -> hidden, hidden -> output]
examples:
  names: [a, b, c, d]
  inputs: [[0, 0], [0, 1], [1, 0], [1, 1]]
  targets: [[0], [1], [1], [0]]
training: {algorithm: momentum, learning_rate: 0.5, momentum: 0.9, output_criterion: 0.1, max_epochs: 3000}
"""

XOR_TOML = """\
name = "myxor"
seed = 0

[groups.input]
units = 2
type = "INPUT"

[groups.hidden]
units = 2

[groups.output]
units = 1
type = "OUTPUT"
error = "SUM_SQUARED"

links = ["input -> hidden", "hidden -> output"]
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_yaml_spec_builds_and_trains(tmp_path):
    m = load(write(tmp_path, "x.yaml", XOR_YAML))
    assert [g.name for g in m.network.order] == ["input", "bias", "hidden", "output"]
    assert m.examples.names == ["a", "b", "c", "d"]
    assert m.training.algorithm == "momentum"
    r = pdpsim.train(m.network, m.examples, m.training)
    assert r.converged


def test_toml_and_yaml_give_the_same_network(tmp_path):
    toml = """\
name = "myxor"
seed = 0
links = ["input -> hidden", "hidden -> output"]

[groups.input]
units = 2
type = "INPUT"

[groups.hidden]
units = 2

[groups.output]
units = 1
type = "OUTPUT"
error = "SUM_SQUARED"

[examples]
names = ["a", "b", "c", "d"]
inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [[0], [1], [1], [0]]

[training]
algorithm = "momentum"
learning_rate = 0.5
momentum = 0.9
output_criterion = 0.1
max_epochs = 3000
"""
    a = load(write(tmp_path, "x.yaml", XOR_YAML))
    b = load(write(tmp_path, "x.toml", toml))
    for k, v in a.network.get_weights().items():
        assert np.array_equal(v, b.network.get_weights()[k])
    assert a.training == b.training


def test_python_dict_spec_equals_file():
    import yaml
    a = build_spec(yaml.safe_load(XOR_YAML))
    b = pdpsim.Network("myxor", seed=0)
    b.add_group("input", 2, kind="INPUT")
    b.add_group("hidden", 2)
    b.add_group("output", 1, kind="OUTPUT")
    b.connect("input", "hidden")
    b.connect("hidden", "output")
    b.connect_bias()
    for k, v in a.network.get_weights().items():
        assert np.array_equal(v, b.get_weights()[k])


@pytest.mark.parametrize("name", zoo_names())
def test_every_shipped_spec_builds(name):
    m = load(name)
    assert len(m.examples) > 0 and m.network.n_links > 0
    assert load_spec(name).data.get("name") == name


def test_explicit_weights_in_spec():
    spec = {"name": "w", "bias": False,
            "groups": {"input": {"units": 1, "type": "INPUT"}, "output": {"units": 1, "type": "OUTPUT"}},
            "links": ["input -> output"], "weights": {"input->output": [[0.25]]},
            "examples": {"inputs": [[1.0]], "targets": [[1.0]]}}
    m = build_spec(spec)
    assert m.network.block("input", "output").weights[0, 0] == 0.25


BAD = [
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT, activation: SIGMOIDAL}\n"
     "links: [input -> out]\nexamples: {inputs: [[0, 1]], targets: [[1]]}\n",
     r"bad.yaml, line 3: groups.out.activation: .*unknown unit type 'SIGMOIDAL'; expected one of LOGISTIC"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT}\n"
     "links: [input -> hidden]\nexamples: {inputs: [[0, 1]], targets: [[1]]}\n",
     r"bad.yaml, line 4: links.0.to: unknown group 'hidden' \(groups: input, out\)"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT}\nlinks: [input -> out]\n"
     "examples:\n  inputs: [[0, 1], [1, 1, 0]]\n  targets: [[1], [0]]\n",
     r"bad.yaml, line 6: examples.inputs.1: row 1 has 3 values, row 0 has 2"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT}\nlinks: [input -> out]\n"
     "examples:\n  inputs: [[0, 1, 1], [1, 1, 0]]\n  targets: [[1], [0]]\n",
     r"bad.yaml, line 6: examples.inputs.0: rows of 3 values for group 'input', which has 2 units"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPT}\n",
     r"bad.yaml, line 3: groups.out.type: unknown group type 'OUTPT'; expected one of CONTEXT, HIDDEN, INPUT, OUTPUT"),
    ("groups:\n  input: {units: -2, type: INPUT}\n",
     r"bad.yaml, line 2: groups.input.units: expected an integer > 0, got -2"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT}\nlinks: [input -> output]\n"
     "examples: {generate: xor}\ntraining:\n  learning_rate: fast\n",
     r"bad.yaml, line 7: training.learning_rate: expected a number, got 'fast'"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT}\nlinks: [input -> output]\n"
     "examples: {generate: xor}\ntraining:\n  epochs: 10\n",
     r"bad.yaml, line 7: training.epochs: unknown key 'epochs'"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT}\nlinks: [input -> out]\n"
     "examples:\n  inputs: [[0, .nan]]\n  targets: [[1]]\n",
     None),  # NaN inputs: caught when training (see test_bad_input)
    ("groups: {input: {units: 2, type: INPUT}\n", r"bad.yaml, line \d+: not valid YAML"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  input: {units: 3}\n", r"bad.yaml, line 3: key 'input' appears twice"),
    ("groups:\n  input: {units: 2, type: INPUT, size: 3}\n",
     r"bad.yaml, line 2: groups.input.size: unknown key 'size'"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  out: {units: 1, type: OUTPUT, error: MSE}\n",
     r"bad.yaml, line 3: groups.out.error: .*unknown error type 'MSE'"),
    ("groups:\n  input: {units: 2, type: INPUT}\nlinks: [input -> input]\n",
     r"the network has no OUTPUT group"),
    ("groups:\n  input: {units: 2, type: INPUT}\n  a: {units: 2}\n  b: {units: 2}\n  out: {units: 1, type: OUTPUT}\n"
     "links: [input -> a, a -> b, b -> a, b -> out]\n",
     r"bad.yaml, line 6: links: .*cycle through group"),
]


@pytest.mark.parametrize("text,pattern", [b for b in BAD if b[1]])
def test_bad_specs_name_file_line_and_key(tmp_path, text, pattern):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(pdpsim.PdpError, match=pattern):
        load(p)


def test_toml_errors_give_lines(tmp_path):
    p = write(tmp_path, "bad.toml", 'links = ["input -> out"]\n\n[groups.input]\nunits = 2\ntype = "INPUT"\n\n'
              '[groups.out]\nunits = 0\ntype = "OUTPUT"\n')
    with pytest.raises(pdpsim.PdpError, match=r"bad.toml, line 8: groups.out.units: expected an integer > 0"):
        load(p)
    p = write(tmp_path, "broken.toml", "name = \n")
    with pytest.raises(pdpsim.PdpError, match=r"broken.toml: not valid TOML"):
        load(p)


def test_missing_and_unreadable_spec(tmp_path):
    with pytest.raises(pdpsim.PdpError, match=r"spec 'nosuch': no such file, and no shipped spec of that name"):
        load("nosuch")
    with pytest.raises(pdpsim.PdpError, match=r"spec file '.*missing.yaml': no such file"):
        load(tmp_path / "missing.yaml")
    d = tmp_path / "dir.yaml"
    d.mkdir()
    with pytest.raises(pdpsim.PdpError, match="is a directory"):
        load(d)
    p = write(tmp_path, "x.json", "{}")
    with pytest.raises(pdpsim.PdpError, match=r"expected a .yaml, .yml or .toml file"):
        load(p)


def test_spec_for_a_network_in_time(tmp_path):
    p = write(tmp_path, "att.yaml", """\
name: att
seed: 3
time: {mode: continuous, ticks_per_interval: 3, intervals: 2, grace: 1, early_stop: 0.2, min_intervals: 1}
groups:
  input:   {units: 3, type: INPUT}
  hidden:  {units: 4, integration: OUT_INTEGR}
  output:  {units: 3, type: OUTPUT, error: CROSS_ENTROPY, integration: OUT_INTEGR}
  cleanup: {units: 2, integration: IN_INTEGR}
links:
  - input -> hidden
  - hidden -> output
  - {from: output, to: cleanup, bidirectional: true}
examples:
  inputs:  [[[1, 0, 0]], [[0, 1, 0]]]
  targets: [[[1, 0, 0]], [[0, 1, 0]]]
training: {batch_size: 1, max_epochs: 3}
""")
    m = load(p)
    t = m.network.time
    assert (t.mode, t.ticks_per_interval, t.intervals, t.grace, t.early_stop, t.min_intervals) == \
        ("continuous", 3, 2.0, 1.0, 0.2, 1.0)
    assert m.network.block("cleanup", "output") is not None
    assert m.network.group("cleanup").integration == "IN_INTEGR"
    r = pdpsim.train(m.network, m.examples, m.training)
    assert r.n_epochs == 3 and np.isfinite(r.final_error)


def test_srn_spec(tmp_path):
    p = write(tmp_path, "srn.yaml", """\
time: {mode: srn}
groups:
  input:   {units: 2, type: INPUT}
  context: {units: 3, type: CONTEXT, copies: hidden}
  hidden:  {units: 3}
  output:  {units: 2, type: OUTPUT}
links: [input -> hidden, context -> hidden, hidden -> output]
examples:
  inputs:  [[[1, 0], [0, 1], [1, 0]]]
  targets: [[[0, 1], [1, 0], [0, 1]]]
""")
    m = load(p)
    assert m.network.group("context").copy_from is m.network.group("hidden")
    assert m.examples.max_events == 3
    r = pdpsim.train(m.network, m.examples, m.training, max_epochs=2)
    assert r.n_epochs == 2
    bad = write(tmp_path, "bad.yaml", "time: {mode: srn}\ngroups:\n  input: {units: 2, type: INPUT}\n"
                "  context: {units: 3, type: CONTEXT}\n  output: {units: 2, type: OUTPUT}\n")
    with pytest.raises(pdpsim.PdpError, match=r"bad.yaml, line 4: groups.context: a CONTEXT group needs 'copies"):
        load(bad)


_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdef", "bcdefg"))


@pytest.mark.parametrize("text, message", [
    (_LAUGHS, r"s.yaml, line \d+: 1,000,001 YAML nodes \(aliases expanded\) is over the limit of 1,000,000 "
              r"\(raise it with pdpsim --limit yaml_nodes=N"),
    ("a: &a [*a]\n", r"s.yaml, line 1: 101 levels of YAML nesting is over the limit of 100"),
    ("a: " + "[" * 150 + "]" * 150, r"101 levels of YAML nesting is over the limit of 100"),
    ("a: " + "[" * 5000 + "]" * 5000, r"s.yaml: not valid YAML: nested too deeply"),
    ("groups:\n  a: !!python/name:os.system x\n", r"s.yaml, line 2: YAML tag 'tag:yaml.org,2002:python/name:os.system' "
                                                 r"is not allowed in a spec"),
    ("name: 2001-12-14\n", r"line 1: YAML tag 'tag:yaml.org,2002:timestamp' is not allowed"),
    ("name: !!binary aGVsbG8=\n", r"YAML tag 'tag:yaml.org,2002:binary' is not allowed"),
    ("name: x\n? [x]\n: y\n", r"s.yaml, line 2: a key must be a name or a number, got a list"),
    ("seed: !!int 12x\n", r"s.yaml, line 1: '12x' is not a valid int"),
])
def test_hostile_yaml_gives_one_located_error(text, message):
    """Alias bombs, self-reference, deep nesting, object tags and unhashable keys: each one
    PdpError naming the file and line, never a RecursionError, MemoryError or yaml traceback."""
    from pdpsim.formats.spec import parse_spec
    with pytest.raises(pdpsim.PdpError, match=message):
        parse_spec(text, source="s.yaml", fmt="yaml")


def test_yaml_limits_can_be_raised():
    from pdpsim import limits
    from pdpsim.formats.spec import parse_spec
    text = "name: x\nseed: 1\ndescription: " + "[" * 120 + "]" * 120 + "\n"
    with pytest.raises(pdpsim.PdpError, match="levels of YAML nesting"):
        parse_spec(text, source="s.yaml", fmt="yaml")
    with limits.override(yaml_depth=200):
        spec = parse_spec(text, source="s.yaml", fmt="yaml")
    inner, depth = spec.data["description"], 1
    while inner:
        inner, depth = inner[0], depth + 1
    assert depth == 120
