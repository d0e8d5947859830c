"""Lens example files (.ex text, .bex binary): grammar, semantics, errors, round trips."""
from __future__ import annotations

import gzip
import math
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdpsim.model.examples import ExampleSet
from pdpsim.formats.lens_examples import (LENS_DEFAULTS, _binary_bytes, format_examples, parse_examples,
                                          read_binary_examples, read_examples, write_binary_examples,
                                          write_examples)
from pdpsim.validation import PdpError

NAN = np.nan
IN8, OUT4 = {"in": 8}, {"out": 4}

# the worked examples of docs' lens-conventions page
WORKED = """# 3-bit parity, dense
I: 0 0 1  T: 1;
I: 1 1 0  T: 0;

# group-addressed: in:2 = 0.5, in:3 = 0.25, network input unit 6 = 0.9
name: denseGroup
I: (in 2) 0.5 0.25 (6) 0.9
T: (out) 1 0 1 0;

# sparse: units 0, 3, 4, 5 on; in:7 = -1; out:1 and out:2 = 0.8
name: sparseMix  freq: 3
i: 0 3-5 {in -1} 7
t: {out 0.8} 1 2;

# two events: inputs only on event 0; event 1 gets inputs 6, 7 and all targets on
name: twoEvents
2
[0] I: 1 1 0 0 0 0 0 0
[1] i: 6 7  t: *;
"""


def ex(text, ins=IN8, outs=OUT4, **kw):
    return parse_examples(text, ins, outs, **kw)


def assert_same(a: ExampleSet, b: ExampleSet, f32: bool = False) -> None:
    """Equal as sets; ``f32``: ``b`` went through 32-bit reals, and set-level defaults are dropped."""
    cast = (lambda x: np.asarray(x, dtype=np.float32).astype(float)) if f32 else (lambda x: np.asarray(x, float))
    for side in ("inputs", "targets"):
        da, db = getattr(a, side), getattr(b, side)
        assert list(da) == list(db)
        for g in da:
            np.testing.assert_array_equal(cast(da[g]), db[g], err_msg=f"{side} {g}")
    assert a.names == b.names
    np.testing.assert_array_equal(cast(a.frequencies), b.frequencies)
    np.testing.assert_array_equal(a.n_events, b.n_events)
    procs = lambda s: [None] * len(s) if s.procs is None else list(s.procs)  # noqa: E731
    assert procs(a) == procs(b)

    def header(s, drop_defaults):
        out = {}
        for k, v in s.header.items():
            if k == "proc":
                out[k] = v
            elif not (drop_defaults and v == LENS_DEFAULTS[k]):
                out[k] = "nan" if math.isnan(v) else float(cast([v])[0])
        return out
    assert header(a, f32) == header(b, False)

    def fields(s):
        out = {}
        for k, v in s.event_fields.items():
            if k == "proc":
                if any(p is not None for p in v.flat):
                    out[k] = v.tolist()
            elif not np.isnan(v).all():
                out[k] = cast(v)
        return out
    fa, fb = fields(a), fields(b)
    assert set(fa) == set(fb)
    for k in fa:
        if k == "proc":
            assert fa[k] == fb[k]
        else:
            np.testing.assert_array_equal(fa[k], fb[k])


def roundtrip(es: ExampleSet, tmp_path: Path, ins, outs) -> None:
    write_examples(es, tmp_path / "rt.ex")
    assert_same(es, read_examples(tmp_path / "rt.ex", ins, outs))
    write_binary_examples(es, tmp_path / "rt.bex")
    assert_same(es, read_binary_examples(tmp_path / "rt.bex", ins, outs), f32=True)


# ------------------------------------------------------------- worked examples
def test_worked_examples():
    es = ex(WORKED)
    assert es.names == ["0", "1", "denseGroup", "sparseMix", "twoEvents"]
    np.testing.assert_array_equal(es.frequencies, [1, 1, 1, 3, 1])
    np.testing.assert_array_equal(es.n_events, [1, 1, 1, 1, 2])
    i, t = es.inputs["in"], es.targets["out"]
    assert i.shape == (5, 2, 8) and t.shape == (5, 2, 4)
    # unlisted units get defI / defT = 0
    np.testing.assert_array_equal(i[0, 0], [0, 0, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(t[0, 0], [1, 0, 0, 0])
    np.testing.assert_array_equal(i[2, 0], [0, 0, 0.5, 0.25, 0, 0, 0.9, 0])
    np.testing.assert_array_equal(t[2, 0], [1, 0, 1, 0])
    np.testing.assert_array_equal(i[3, 0], [1, 0, 0, 1, 1, 1, 0, -1])
    np.testing.assert_array_equal(t[3, 0], [0, 0.8, 0.8, 0])
    np.testing.assert_array_equal(i[4], [[1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1, 1]])
    # event 0 of twoEvents has no T: -> Lens gives it defT (0) on every unit
    np.testing.assert_array_equal(t[4], [[0, 0, 0, 0], [1, 1, 1, 1]])
    # one-event examples are padded with NaN
    assert np.isnan(i[:4, 1]).all() and np.isnan(t[:4, 1]).all()
    assert es.header == {} and es.event_fields == {} and es.procs is None


def test_worked_examples_round_trip(tmp_path):
    roundtrip(ex(WORKED), tmp_path, IN8, OUT4)


def test_unnamed_units_count_across_groups_in_network_order():
    es = parse_examples("I: (5) 9 8 {-1} 0 2-3 T: 0 1 0;", {"a": 3, "b": 4}, {"x": 1, "y": 2})
    np.testing.assert_array_equal(es.inputs["a"][0, 0], [-1, 0, -1])
    np.testing.assert_array_equal(es.inputs["b"][0, 0], [-1, 0, 9, 8])
    np.testing.assert_array_equal(es.targets["x"][0, 0], [0])
    np.testing.assert_array_equal(es.targets["y"][0, 0], [1, 0])


# ------------------------------------------------------------------- header
def test_header_defaults_fill_and_sparse_values():
    es = ex("""defI: - actI: 0.5  defT: -  actT: 0.9
               max: 3 min: 1 grace: 0.25
               i: 1 3   t: 0;
               I: 1 T: (2) 7;""")
    assert set(es.header) == {"defI", "actI", "defT", "actT", "max", "min", "grace"}
    assert math.isnan(es.header["defI"]) and es.header["actI"] == 0.5 and es.header["grace"] == 0.25
    np.testing.assert_array_equal(es.inputs["in"][0, 0], [NAN, 0.5, NAN, 0.5, NAN, NAN, NAN, NAN])
    np.testing.assert_array_equal(es.targets["out"][0, 0], [0.9, NAN, NAN, NAN])
    np.testing.assert_array_equal(es.inputs["in"][1, 0], [1] + [NAN] * 7)
    np.testing.assert_array_equal(es.targets["out"][1, 0], [NAN, NAN, 7, NAN])


def test_semicolon_after_header_decides_whose_proc_it_is():
    with_semi = ex("max: 2 ;\nproc: {puts hi} I: 1;")
    assert with_semi.header == {"max": 2.0} and with_semi.procs == ["puts hi"]
    without = ex("max: 2\nproc: {puts hi} I: 1;")
    assert without.header == {"max": 2.0, "proc": "puts hi"} and without.procs is None


def test_legacy_counts_at_the_start_are_skipped():
    es = ex("8 4\nI: 1 T: 1;")
    assert len(es) == 1 and es.inputs["in"][0, 0, 0] == 1
    # a lone integer is the first example's event count (Lens would drop it)
    assert ex("2\n[1] I: 1;").n_events.tolist() == [2]
    assert ex(";\n2 3 I: 1 I: 0;").n_events.tolist() == [3]
    with pytest.raises(PdpError, match="numInputs numTargets"):
        ex("2 3\n[1] I: 1;")


# ---------------------------------------------------------- example header
def test_names_freq_procs_and_default_names():
    es = ex('name: {a b} freq: 0.5 proc: {set x {1 2}} I: 1;\n'
            ';\n'
            'name:"quoted name" I: 0;\n'
            'freq:2 name:n-1 I: 1;')
    assert es.names == ["a b", "1", "quoted name", "n-1"]
    np.testing.assert_array_equal(es.frequencies, [0.5, 1, 1, 2])
    assert es.procs == ["set x {1 2}", None, None, None]
    assert (es.inputs["in"][1, 0] == 0).all()          # an empty example: defaults only


# --------------------------------------------------------------- event lists
def test_event_list_rule_first_pattern_to_listed_events_later_ones_to_next_event():
    es = ex("6\n[0-2 4]\nI: 1\nI: 0 1\nT: 1;")
    i, t = es.inputs["in"][0, :, :2], es.targets["out"][0, :, 0]
    np.testing.assert_array_equal(i, [[1, 0], [1, 0], [1, 0], [0, 0], [1, 0], [0, 1]])
    np.testing.assert_array_equal(t, [1, 1, 1, 0, 1, 0])


def test_sequential_patterns_in_blocks_or_intermingled():
    a = ex("3 I: 1 I: 0 1 I: 0 0 1 T: 1 T: 0 1 T: 0 0 1;")
    b = ex("3 I: 1 T: 1 I: 0 1 T: 0 1 I: 0 0 1 T: 0 0 1;")
    for es in (a, b):
        np.testing.assert_array_equal(es.inputs["in"][0, :, :3], np.eye(3))
        np.testing.assert_array_equal(es.targets["out"][0, :, :3], np.eye(3))


@pytest.mark.parametrize("lst", ["[*]", "[]", "[0-2]", "[0 1 2]", "[2 0-1]"])
def test_event_list_forms_select_all_events(lst):
    es = ex(f"3 {lst} i: 5;")
    np.testing.assert_array_equal(es.inputs["in"][0, :, 5], [1, 1, 1])


def test_fields_in_event_lists():
    es = ex("""actI: 1 ;
               3
               [* max: 4]
               [1 min: 0.5 grace: 0.1 defI: - defT: 0.5 actI: 2]
               [2 proc: {puts last}]
               [1] i: 0
               [0] i: 0;""")
    np.testing.assert_array_equal(es.event_fields["max"], [[4, 4, 4]])
    np.testing.assert_array_equal(es.event_fields["min"], [[NAN, 0.5, NAN]])
    np.testing.assert_array_equal(es.event_fields["grace"], [[NAN, 0.1, NAN]])
    assert es.event_fields["proc"].tolist() == [[None, None, "puts last"]]
    np.testing.assert_array_equal(es.inputs["in"][0, 1], [2] + [NAN] * 7)      # per-event actI and defI
    np.testing.assert_array_equal(es.inputs["in"][0, 0], [1] + [0] * 7)
    np.testing.assert_array_equal(es.targets["out"][0, :, 0], [0, 0.5, 0])


def test_shared_sparse_value_comes_from_the_first_listed_event():
    es = ex("2 [1 actI: 3] [*] i: 0;")
    np.testing.assert_array_equal(es.inputs["in"][0, :, 0], [1, 1])
    es = ex("2 [0 actI: 3] [*] i: 0;")
    np.testing.assert_array_equal(es.inputs["in"][0, :, 0], [3, 3])


# ------------------------------------------------------------------ patterns
def test_both_dense_and_sparse():
    es = parse_examples("B: 1 0 1; b: 2; b: {v 0.5} *;", {"v": 3}, {"v": 3})
    for side in (es.inputs, es.targets):
        np.testing.assert_array_equal(side["v"][:, 0], [[1, 0, 1], [0, 0, 1], [0.5, 0.5, 0.5]])


def test_sparse_and_dense_ranges_mixed_in_one_pattern():
    es = ex("I: {1.0} 0 2 4-6 {-1.0} 1-3; I: 1 1 {in 5} 7 (in 3) 2 - 3;")
    np.testing.assert_array_equal(es.inputs["in"][0, 0], [1, -1, -1, -1, 1, 1, 1, 0])
    np.testing.assert_array_equal(es.inputs["in"][1, 0], [1, 1, 0, 2, NAN, 3, 0, 5])


def test_nan_targets_everywhere_and_dense_group_forms():
    es = ex("I: () 2 3 T: {-} *; I: (in) 1; I: (3 in) 1 T: (out 1) 1 -;")
    np.testing.assert_array_equal(es.inputs["in"][0, 0, :2], [2, 3])
    assert np.isnan(es.targets["out"][0, 0]).all()
    np.testing.assert_array_equal(es.inputs["in"][2, 0, 3], 1)
    np.testing.assert_array_equal(es.targets["out"][2, 0], [0, 1, NAN, 0])


def test_whitespace_is_free_and_comments():
    es = ex("I:1 0T:1;I:(in)0 1\n# a comment line\n  # an indented one\n 1 T:{}0;")
    np.testing.assert_array_equal(es.inputs["in"][:, 0, :3], [[1, 0, 0], [0, 1, 1]])
    np.testing.assert_array_equal(es.targets["out"][:, 0, 0], [1, 1])


def test_numbers_written_together_and_exponents():
    es = ex("I: 1-3 .5 -.25 1e-2 2.5E1;")
    np.testing.assert_array_equal(es.inputs["in"][0, 0, :6], [1, -3, 0.5, -0.25, 0.01, 25])


def test_crazy_multi_event_file():
    """Proc blocks over several lines, several event lists, names with spaces."""
    text = """# a file with most features
proc: {
  puts "loading"
}
max:2 min:0.5
name:{first one}
freq:2.5
2
[0 max:2 min: 1]
[1 max:2.5 proc:{puts "second event"}]
[0] I: 0 1
[1] T: 1;
name: "second"
[max:3.5]
i:1
T:1;
name: {third}
3
[0-1 min:1.5]
I: 1 1
[0 2]
T: 0;
"""
    es = parse_examples(text, {"in": 2}, {"out": 1})
    assert es.header == {"proc": '\n  puts "loading"\n', "max": 2.0, "min": 0.5}
    assert es.names == ["first one", "second", "third"]
    np.testing.assert_array_equal(es.event_fields["max"], [[2, 2.5, NAN], [3.5, NAN, NAN], [NAN] * 3])
    np.testing.assert_array_equal(es.event_fields["min"], [[1, NAN, NAN], [NAN] * 3, [1.5, 1.5, NAN]])
    np.testing.assert_array_equal(es.inputs["in"][2], [[1, 1], [1, 1], [0, 0]])
    np.testing.assert_array_equal(es.targets["out"][0, :2, 0], [0, 1])
    np.testing.assert_array_equal(es.targets["out"][2, :, 0], [0, 0, 0])
    assert es.event_fields["proc"][0, 1] == 'puts "second event"'


# ------------------------------------------------------------------- errors
ERRORS = [
    ("I: 1 0;\n\nI: x;", 3, r"expected a number or '-' after 'I:', got 'x'"),
    ("name: big\nI: (in 6) 1 2 3;", 2,
     r"example 0 \('big'\): too many input values for group 'in' \(8 units\): 3 values from unit 6"),
    ("I: 1 1 1 1 1 1 1 1 1;", 1, r"too many input values for the input groups together \(in\) \(8 units\): 9 values"),
    ("I: (hidden) 1;", 1, r"group 'hidden', which is not an input group \(those are: in\)"),
    ("I: 1\nT: 1", 2, r"expected ';' at the end of the example, got the end of the file"),
    ("2\n[0] I: 1\n[2] I: 1;", 3, r"event 2 is out of range \(the example has 2 event"),
    ("[0] I: 1 [0] I: 1;", 1, r"inputs given twice for event 0"),
    ("\n2 I: 1 I: 1 I: 1;", 2, r"inputs given for event 2, but the example has 2 event"),
    ("3 [2-1] I: 1;", 1, r"bad event range 2-1"),
    ("I: 1 * ;", 1, r"'\*' \(all units\) may only come first in a sparse range"),
    ("name: {abc\nI: 1;", 1, r"no closing bracket for '\{' in an example name"),
    ("max: x I: 1;", 1, r"expected a number or '-' after 'max:', got 'x'"),
    ("i: 3 9;", 1, r"unit 9 is out of range for the input groups together \(in\) \(8 units\)"),
    ("i: 1.5;", 1, r"expected a unit number \(an integer\) in a sparse range, got '1.5'"),
    ("i: 2 * ;", 1, r"'\*' \(all units\) may only come first"),
    ("i: * 3 ;", 1, r"no unit numbers may follow '\*'"),
    ("i: 5-3;", 1, r"bad sparse unit range ending at 3"),
    ("freq: -1 I: 1;", 1, r"expected a frequency >= 0 after 'freq:'"),
    ("I: 1;\n0 I: 1;", 2, r"expected a number of events from 1 to"),
    ("I: 1;\n[0 foo] I: 1;", 2, r"expected an event number, '\*', an event field .* or ']' in the event list, "
                               r"got 'foo'"),
    ("I: 1 T: 1 X: 2;", 1, r"expected a pattern \(I:, T:, B:, i:, t:, b:\), an event list '\[...\]' or ';', got 'X:'"),
    ("I: (in 2.5) 1;", 1, r"expected a first unit number \(an integer\) in '\(...\)', got '2.5'"),
    ("I: (in ; 1;", 1, r"expected a group name, a first unit or '\)', got ';'"),
    ("i: {in} ;", 1, r"expected unit numbers or '\*' after a sparse range"),
    ("I: 1e999;", 1, r"too large for a float"),
    ("I: (in 9);", 1, r"first unit 9 is out of range for group 'in' \(8 units\)"),
    ("t: {nope} 1;", 1, r"targets for group 'nope', which is not a target group \(those are: out\)"),
]


@pytest.mark.parametrize("text, line, message", ERRORS)
def test_errors_name_file_line_and_what_was_expected(text, line, message):
    with pytest.raises(PdpError) as info:
        ex(text, filename="bad.ex")
    msg = str(info.value)
    assert msg.startswith(f"bad.ex, line {line}: "), msg
    assert re.search(message, msg), msg


def test_empty_file_is_an_error():
    with pytest.raises(PdpError, match="bad.ex: the file is empty"):
        ex(" \n# only a comment\n", filename="bad.ex")


def test_no_input_groups():
    with pytest.raises(PdpError, match="gives inputs, but there are no input groups"):
        parse_examples("I: 1;", {}, {"out": 1})


def test_bad_group_mapping():
    with pytest.raises(PdpError, match="input_groups: size of group 'in'"):
        parse_examples("I: 1;", {"in": -2}, {})


GARBAGE = ["I:", "i:", "T:", "t:", "B:", "b:", "[", "]", "(", ")", "{", "}", "*", "-", ";", "0", "1", "3", "7",
           "-2", "0.5", "in", "out", "name:", "freq:", "proc:", "max:", "defI:", "actT:", "2", "x", "#", "\n",
           "1-3", '"', "\\", "9e999", ",", "0-"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(GARBAGE), max_size=25), st.lists(st.booleans(), min_size=25, max_size=25))
def test_any_input_gives_a_set_or_a_located_pdperror(tokens, glue):
    text = "".join(t + (" " if g else "") for t, g in zip(tokens, glue))
    try:
        es = ex(text, filename="fuzz.ex")
    except PdpError as e:
        assert re.match(r"fuzz\.ex(, line \d+)?: ", str(e)), str(e)
    else:
        assert isinstance(es, ExampleSet)


def test_xerion_file_is_not_a_lens_file(shared_data):
    path = shared_data / "pmsp96_reading" / "xerion_besnerNW-nsyl.ex"
    with pytest.raises(PdpError) as info:
        read_examples(path, {"orth": 105}, {"phon": 61})
    msg = str(info.value)
    # Lens itself stops here too: after skipping "0 0" it reads an event count of 0
    assert msg.startswith(f"{path.name}, line 4: ") and "Xerion" in msg, msg


# ------------------------------------------------------------- files, gzip
def test_gzip_read_and_write_and_missing_gz_suffix(tmp_path):
    (tmp_path / "a.ex.gz").write_bytes(gzip.compress(WORKED.encode()))
    es = read_examples(tmp_path / "a.ex", IN8, OUT4)        # found as a.ex.gz, as in Lens
    assert es.name == "a" and len(es) == 5
    write_examples(es, tmp_path / "b.ex.gz")
    assert gzip.decompress((tmp_path / "b.ex.gz").read_bytes()).startswith(b";")
    assert_same(es, read_examples(tmp_path / "b.ex.gz", IN8, OUT4))
    write_binary_examples(es, tmp_path / "c.bex.gz")
    assert_same(es, read_examples(tmp_path / "c.bex.gz", IN8, OUT4, name="x"), f32=True)


def test_missing_file(tmp_path):
    with pytest.raises(PdpError, match="no such file"):
        read_examples(tmp_path / "none.ex", IN8, OUT4)


def test_failed_write_leaves_the_old_file(tmp_path):
    es = ex(WORKED)
    write_examples(es, tmp_path / "a.ex")
    before = (tmp_path / "a.ex").read_bytes()
    es.names[0] = "unbalanced {"
    with pytest.raises(PdpError, match="cannot be written"):
        write_examples(es, tmp_path / "a.ex")
    assert (tmp_path / "a.ex").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ex"]


def test_read_3000_dense_examples():
    """A PMSP-sized set of dense rows reads value for value (its speed: ``make fuzz`` times reads;
    tests are not timed)."""
    rng = np.random.default_rng(0)
    x, y = (rng.random((3000, 105)) < 0.1).astype(int), rng.random((3000, 61)).round(3)
    text = "".join(f"name: w{i}\nI: {' '.join(map(str, x[i]))}\nT: {' '.join(map(str, y[i]))};\n" for i in range(3000))
    es = parse_examples(text, {"orth": 105}, {"phon": 61})
    np.testing.assert_array_equal(es.inputs["orth"][:, 0], x)
    np.testing.assert_array_equal(es.targets["phon"][:, 0], y)


def test_many_event_lists_in_one_example():
    """One event list per event, 20,000 events: each list costs what it lists (a list that
    walked every event made this quadratic: a fuzzed file with 99,999 events read for minutes)."""
    n = 20_000
    text = (f"name: long\n{n}\n[0] I: 1 0 T: 1\n"
            + "".join(f"[{i}] I: 0 {i % 2} T: 0\n" for i in range(1, n - 1)) + f"[{n - 1}-{n - 1}]\n;\n")
    with pytest.raises(PdpError, match="bad event range"):
        parse_examples(text, {"input": 2}, {"output": 1})
    text = text.replace(f"[{n - 1}-{n - 1}]", f"[{n - 1} max: 2]")
    es = parse_examples(text, {"input": 2}, {"output": 1})
    assert es.inputs["input"].shape == (1, n, 2)
    np.testing.assert_array_equal(es.inputs["input"][0, :4], [[1, 0], [0, 1], [0, 0], [0, 1]])
    np.testing.assert_array_equal(es.inputs["input"][0, -1], [0, 0])       # no pattern: defI
    assert es.targets["output"][0, 0, 0] == 1 and es.targets["output"][0, 5, 0] == 0
    assert es.event_fields["max"][0, n - 1] == 2 and np.isnan(es.event_fields["max"][0, n - 2])


# ------------------------------------------------------------------- binary
def _s(text: str) -> bytes:
    return text.encode() + b"\0"


def _i(*v: int) -> bytes:
    return struct.pack(f">{len(v)}i", *v)


def _f(*v: float) -> bytes:
    return struct.pack(f">{len(v)}f", *v)


def _d(*v: float) -> bytes:
    return struct.pack(f">{len(v)}d", *v)


HAND_BEX = b"".join([
    _i(-0x55555556, 4), _s(""), _f(2.0, 0, 0, 0, 1, NAN, 1), _i(1),     # set header: max 2, defT NaN
    _s("ex"), _s(""), _f(2.0), _i(2),                                     # name, proc, freq, 2 events
    _i(1, 1), _s(""), _f(3.0, NAN, NAN, 0.5, 1, 0, 1),                    # event 1: max 3, defI 0.5, defT 0
    _i(1),                                                                # one input set ...
    _i(2, 0, -1),                                                         # ... for events 0-1
    _i(2),                                                                # two ranges:
    _s("in"), _i(2), b"\0", _i(1), _f(0.25, 0.75),                        # dense in:1-2
    _s(""), _i(2), b"\1", _f(0.5), _i(3, -4),                             # sparse net units 3-4
    b"\0",                                                                # inputs not shared as targets
    _i(1), _i(1, 0), _i(1), _s("out"), _i(1), b"\1", _f(0.875), _i(-1),   # targets of event 0: out * = .875
])
HAND_BEX8 = b"".join([                                                  # the same, 8-byte reals
    _i(-0x55555556, 8), _s(""), _d(2.0, 0, 0, 0, 1, NAN, 1), _i(1),     # set header: max 2, defT NaN
    _s("ex"), _s(""), _d(2.0), _i(2),                                     # name, proc, freq, 2 events
    _i(1, 1), _s(""), _d(3.0, NAN, NAN, 0.5, 1, 0, 1),                    # event 1: max 3, defI 0.5, defT 0
    _i(1),                                                                # one input set ...
    _i(2, 0, -1),                                                         # ... for events 0-1
    _i(2),                                                                # two ranges:
    _s("in"), _i(2), b"\0", _i(1), _d(0.25, 0.75),                        # dense in:1-2
    _s(""), _i(2), b"\1", _d(0.5), _i(3, -4),                             # sparse net units 3-4
    b"\0",                                                                # inputs not shared as targets
    _i(1), _i(1, 0), _i(1), _s("out"), _i(1), b"\1", _d(0.875), _i(-1),   # targets of event 0: out * = .875
])


def test_binary_layout_by_hand(tmp_path):
    (tmp_path / "h.bex").write_bytes(HAND_BEX)
    es = read_examples(tmp_path / "h.bex", {"in": 3, "in2": 2}, {"out": 2})
    assert es.name == "h" and es.names == ["ex"] and es.frequencies.tolist() == [2.0]
    assert es.header.keys() == {"max", "defT"} and es.header["max"] == 2 and math.isnan(es.header["defT"])
    np.testing.assert_array_equal(es.inputs["in"][0], [[0, 0.25, 0.75], [0.5, 0.25, 0.75]])
    np.testing.assert_array_equal(es.inputs["in2"][0], [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(es.targets["out"][0], [[0.875, 0.875], [0, 0]])   # event 1: its own defT
    np.testing.assert_array_equal(es.event_fields["max"], [[NAN, 3]])
    assert set(es.event_fields) == {"max"}


def test_binary_writer_layout():
    es = ExampleSet(inputs={"in": [[1, 0.5]]}, targets={"out": [[0, 1, 1]]}, names=["w"])
    expected = b"".join([
        _i(-0x55555556, 4), _s(""), _f(1, 0, 0, 0, 1, 0, 1), _i(1),
        _s("w"), _s(""), _f(1), _i(1), _i(0),
        _i(1), _i(1, 0), _i(1), _s("in"), _i(2), b"\0", _i(0), _f(1, 0.5), b"\0",
        _i(1), _i(1, 0), _i(1), _s("out"), _i(2), b"\1", _f(1), _i(1, -2),
    ])
    assert _binary_bytes(es) == expected


BINARY_ERRORS = [
    (HAND_BEX[:-3], "example 0: the file ends in the middle of a sparse unit list"),
    (_i(-0x55555556, 8) + HAND_BEX[8:], "example 0: bad frequency"),     # 8-byte reals said, 4-byte given
    (_i(-0x55555556, 5) + HAND_BEX[8:], "header: expected the size of a real"),
    (HAND_BEX + b"\0", "1 bytes left over"),
    (HAND_BEX.replace(_i(2, 0, -1), _i(2, 0, -5)), "event list names event 5, but the example has 2"),
]


@pytest.mark.parametrize("data, message", BINARY_ERRORS)
def test_binary_errors(tmp_path, data, message):
    (tmp_path / "b.bex").write_bytes(data)
    if message is None:
        read_binary_examples(tmp_path / "b.bex", {"in": 3, "in2": 2}, {"out": 2})
        return
    with pytest.raises(PdpError, match=re.escape(message)) as info:
        read_binary_examples(tmp_path / "b.bex", {"in": 3, "in2": 2}, {"out": 2})
    assert str(info.value).startswith("b.bex, ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(HAND_BEX) - 1), st.lists(st.tuples(st.integers(0, len(HAND_BEX) - 1),
                                                              st.integers(0, 255)), max_size=4))
def test_damaged_binary_gives_a_set_or_a_located_pdperror(tmp_path, cut, flips):
    data = bytearray(HAND_BEX)
    for at, byte in flips:
        data[at] = byte
    for blob in (bytes(data), HAND_BEX[:cut]):
        (tmp_path / "d.bex").write_bytes(blob)
        try:
            read_binary_examples(tmp_path / "d.bex", {"in": 3, "in2": 2}, {"out": 2})
        except PdpError as e:
            assert str(e).startswith("d.bex, "), str(e)


def test_binary_reader_refuses_text(tmp_path):
    (tmp_path / "t.ex").write_text(WORKED)
    with pytest.raises(PdpError, match="not a Lens binary example file"):
        read_binary_examples(tmp_path / "t.ex", IN8, OUT4)


# -------------------------------------------------------------- round trips
VALUES = st.sampled_from([0.0, 1.0, NAN, 0.5, -2.0]) | st.floats(-1e6, 1e6, width=32)


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


@st.composite
def example_sets(draw, binary: bool = False):
    def groups(pool):
        names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        return {g: draw(st.integers(1, 5)) for g in names}
    ins = groups(["in", "ctx_1", "grp 2", "v"])
    outs = groups(["out", "v", "o-2", "{b r}"]) if draw(st.booleans()) else {}
    n = draw(st.integers(1, 4))
    n_events = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    max_ev = max(n_events)
    pad = np.arange(max_ev)[None, :] >= np.array(n_events)[:, None]

    def arr(units):
        a = np.array(draw(st.lists(VALUES, min_size=n * max_ev * units, max_size=n * max_ev * units)))
        a = a.reshape(n, max_ev, units)
        a[pad] = NAN
        return a
    header = {k: draw(st.sampled_from([NAN, 0.0, 1.0, 0.5, -1.0]))
              for k in draw(st.lists(st.sampled_from(list(LENS_DEFAULTS)), unique=True))}
    if draw(st.booleans()):
        header["proc"] = draw(st.sampled_from(["source x.tcl", "proc f {} {\n  return 1\n}"]))
    name = st.text("ab XY_-.19{}", min_size=1, max_size=6).filter(_balanced)
    names = [draw(name) if draw(st.booleans()) else str(i) for i in range(n)]
    procs = draw(st.none() | st.lists(st.none() | st.sampled_from(["puts hi", "set a {1 2}"]), min_size=n,
                                      max_size=n))
    fields = {}
    for k in draw(st.lists(st.sampled_from(["max", "min", "grace"]), unique=True)):
        f = np.array(draw(st.lists(st.sampled_from([NAN, 0.5, 2.0, 3.25]), min_size=n * max_ev,
                                   max_size=n * max_ev))).reshape(n, max_ev)
        f[pad] = NAN
        fields[k] = f
    if draw(st.booleans()):
        p = np.full((n, max_ev), None, dtype=object)
        p[0, 0] = "puts {event 0}"
        fields["proc"] = p
    freqs = draw(st.lists(st.sampled_from([1.0, 0.0, 2.5, 0.125]), min_size=n, max_size=n))
    es = ExampleSet(inputs={g: arr(u) for g, u in ins.items()}, targets={g: arr(u) for g, u in outs.items()},
                    names=names, frequencies=freqs, n_events=n_events, procs=procs, header=header,
                    event_fields=fields)
    return es, ins, outs


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example_sets())
def test_random_sets_round_trip(tmp_path, case):
    es, ins, outs = case
    roundtrip(es, tmp_path, ins, outs)


def test_text_written_is_readable_lens(tmp_path):
    es = ex(WORKED)
    text = format_examples(es)
    assert text.startswith(";\n")
    assert "name:sparseMix\nfreq: 3\nI: (in) 1 0 0 1 1 1 0 -1\nT: (out) 0 0.8 0.8 0\n;" in text
    assert "[1]\nI: {in} 6-7\nT: {out} *\n;" in text


def test_binary_with_double_precision_reals_reads_as_the_float_file():
    """A header of sizeof(real) 8 (a double-precision Lens) means 8-byte reals throughout."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "f.bex").write_bytes(HAND_BEX)
        (Path(d) / "d.bex").write_bytes(HAND_BEX8)
        a = read_binary_examples(Path(d) / "f.bex", {"in": 3, "in2": 2}, {"out": 2})
        b = read_binary_examples(Path(d) / "d.bex", {"in": 3, "in2": 2}, {"out": 2})
    for g in a.inputs:
        np.testing.assert_array_equal(a.inputs[g], b.inputs[g])
    for g in a.targets:
        np.testing.assert_array_equal(a.targets[g], b.targets[g])
    np.testing.assert_array_equal(a.frequencies, b.frequencies)
