"""The bp program's cascade mode, linked weights, copied inputs and unit names (pdpsim.pdp.bp).

Checked three ways: numbers worked out by hand for tiny networks, a scalar
reference that walks bp's units one by one, and numbers written by the
handbook's own bp program (compiled from its C sources) for files of ours.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import pdpsim.pdp.commands as commands
from pdpsim import ExampleSet
from pdpsim.pdp.bp import BpEngine, engine_reasons, link_groups
from pdpsim.pdp.script import PdpSession, run_script, zoo_scripts
from pdpsim.dynamics.unfolding import Unfolded, build_schedule, make_continuous, tables
from pdpsim.validation import PdpError

ZOO = Path(__file__).resolve().parents[2] / "src" / "pdpsim" / "zoo" / "pdp"


def f(x):
    return 1.0 / (1.0 + math.exp(-x))


def session(tmp_path, files: dict[str, str], seed=1) -> PdpSession:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return PdpSession(echo=None, base_dir=tmp_path, out_dir=tmp_path, seed=seed)


def flat_weights(s: PdpSession, tmp_path, name="w.wts") -> list[float]:
    s.execute(f"save weights {name}")
    return [float(x) for x in (tmp_path / name).read_text().split()]


# one input unit feeding one output unit: weight 2, bias -1 (start values; learnable)
ONE = """definitions: nunits 2 ninputs 1 noutputs 1 end
constraints:
a 2
b -1
end
network:
%a 1 1 0 1
end
biases:
%b 1 1
end
"""
# a chain: input 0 -> hidden 1 (weight 2, bias -1) -> output 2 (weight 4, bias -2)
CHAIN = """definitions: nunits 3 ninputs 1 noutputs 1 end
constraints:
a 2
b -1
c 4
d -2
end
network:
%a 1 1 0 1
%c 2 1 1 1
end
biases:
% 1 2
bd
end
"""


# ---------------------------------------------------------------- by hand
def test_cascade_one_weight_by_hand(tmp_path):
    s = session(tmp_path, {"one.net": ONE, "one.pat": "on 1 1\n"})
    s.execute("get network one.net  get patterns one.pat")
    s.execute("set mode cascade 1  set param crate .5  set ncycles 3  tall")
    (name, trace), = s.traces
    assert name == "on" and trace.shape == (4, 2)
    np.testing.assert_array_equal(trace[:, 0], 1.0)                 # the input is set before the cycles
    # rest: n = bias = -1 (inputs count as 0); cycle k: n_k = .5 (2 - 1) + .5 n_(k-1) = 1 - 2^(1-k)
    expected = [f(-1.0), 0.5, f(0.5), f(0.75)]
    np.testing.assert_allclose(trace[:, 1], expected, rtol=0, atol=1e-16)
    assert trace[1, 1] == 0.5
    a = f(0.75)
    assert s.tss == pytest.approx((1 - a) ** 2, rel=1e-15)
    # one change from the state after the last cycle: delta = (t - a) a (1 - a), dw = lrate delta x
    s.execute("set nepochs 1  set param lrate .5  set param momentum 0  strain")
    d = (1 - a) * a * (1 - a)
    assert flat_weights(s, tmp_path) == pytest.approx([2 + 0.5 * d, 0.0, -1 + 0.5 * d], abs=1e-15)


def test_cascade_sweeps_in_unit_order_by_hand(tmp_path):
    s = session(tmp_path, {"chain.net": CHAIN, "chain.pat": "on 1 1\n"})
    s.execute("get network chain.net  get patterns chain.pat")
    s.execute("set mode cascade 1  set param crate .5  set ncycles 2  tall")
    trace = s.traces[0][1]
    r = f(-1.0)                                  # hidden at rest
    n2 = 4 * r - 2                               # output at rest, from the hidden unit's resting value
    np.testing.assert_allclose(trace[0, 1:], [r, f(n2)], atol=1e-16)
    # cycle 1: hidden n = .5 (2 - 1) + .5 (-1) = 0, a = .5; the output hears that .5 in the same cycle:
    # n = .5 (4 * .5 - 2) + .5 n2 = n2 / 2 (all at once it would hear r, and stay at n2)
    np.testing.assert_allclose(trace[1, 1:], [0.5, f(n2 / 2)], atol=1e-16)
    # cycle 2: hidden n = .5, output n = .5 (4 f(.5) - 2) + .5 n2 / 2
    np.testing.assert_allclose(trace[2, 1:], [f(0.5), f(0.5 * (4 * f(0.5) - 2) + n2 / 4)], atol=1e-16)


def test_cycle_goes_on_from_the_present_state(tmp_path):
    s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=1)
    s.execute("get network xor.net  get patterns xor.pat  get weights xor.wts  set mode cascade 1")
    s.execute("set ncycles 20  test p01")
    twenty = s.traces[0][1]
    lines = []
    s.echo = lines.append
    s.execute("set ncycles 8  test p01")
    assert len(lines) == 8 + 1 + 1 and lines[0].startswith("p01  cycle   0  ")     # rest, 8 cycles, the result
    s.execute("set ncycles 12  cycle")
    assert lines[-1] == f"p01  cycle  20  {twenty[-1, -1]:.3f}"
    np.testing.assert_allclose(s.engine.act, twenty[-1], rtol=1e-15)
    lines.clear()
    s.execute("set ncycles 3  set stepsize cycle  cycle")
    assert [ln.split()[2] for ln in lines] == ["21", "22", "23"]


# ---------------------------------------------------------------- a scalar reference
def bp_reference(nf, flat_w, pats, epochs, grain, lrate, momentum, cascade=False, ncycles=0, crate=0.0,
                 mu=0.5, tmax=1.0):
    """bp.c's trial / compute_error / compute_wed / change_weights, unit by unit, in our words."""
    n, ni, no = nf.nunits, nf.ninputs, nf.noutputs
    first = [a for a, _ in nf.ranges]
    w, pos = [], 0
    for _, count in nf.ranges:
        w.append(list(flat_w[pos:pos + count]))
        pos += count
    bias = list(flat_w[pos:pos + n])
    letter = [["."] * c for _, c in nf.ranges]
    for r, runs in enumerate(nf.incoming):
        for run in runs:
            for s_ in range(run.start, run.start + run.count):
                letter[r][s_ - first[r]] = run.letter
    blet = [b or "." for b in nf.bias]

    def con(ch):
        return nf.constraints.get(ch.lower()) if ch != "." else None

    eps = [[lrate if ch != "." and ch.islower() else 0.0 for ch in row] for row in letter]
    beps = [lrate if ch != "." and ch.islower() else 0.0 for ch in blet]
    links = {}
    for r in range(n):
        for k, ch in enumerate(letter[r]):
            if con(ch) is not None and con(ch).linked:
                links.setdefault(ch.lower(), []).append((r, k))
    for r, ch in enumerate(blet):
        if con(ch) is not None and con(ch).linked:
            links.setdefault(ch.lower(), []).append((r, None))
    dw = [[0.0] * len(row) for row in w]
    db = [0.0] * n
    wed = [[0.0] * len(row) for row in w]
    bed = [0.0] * n
    act, net = [0.0] * n, [0.0] * n

    def incoming(i, skip_inputs=False):
        return bias[i] + sum(act[first[i] + k] * w[i][k] for k in range(len(w[i]))
                             if not (skip_inputs and first[i] + k < ni))

    def change():
        for members in links.values():
            total = sum(wed[r][k] if k is not None else bed[r] for r, k in members)
            for r, k in members:
                if k is None:
                    bed[r] = total
                else:
                    wed[r][k] = total
        for i in range(ni, n):
            db[i] = beps[i] * bed[i] + momentum * db[i]
            bias[i] += db[i]
            bed[i] = 0.0
            for k in range(len(w[i])):
                dw[i][k] = eps[i][k] * wed[i][k] + momentum * dw[i][k]
                w[i][k] += dw[i][k]
                wed[i][k] = 0.0
        for i in range(n):                      # the sign constraints clip the weight, not dw
            for k, ch in enumerate(letter[i]):
                c = con(ch)
                if c is not None and c.random and c.positive and w[i][k] < 0 or \
                        c is not None and c.random and c.negative and w[i][k] > 0:
                    w[i][k] = 0.0
            c = con(blet[i])
            if c is not None and c.random and (c.positive and bias[i] < 0 or c.negative and bias[i] > 0):
                bias[i] = 0.0

    history = []
    for _ in range(epochs):
        tss = 0.0
        for x, t in zip(pats.inputs, pats.targets):
            for i in range(ni):
                act[i] = mu * act[i] + act[int(-x[i])] if x[i] < 0 else x[i]
            if cascade:
                for i in range(ni, n):
                    net[i] = incoming(i, skip_inputs=True)
                    act[i] = f(net[i])
                for _c in range(ncycles):
                    for i in range(ni, n):
                        net[i] = crate * incoming(i) + (1 - crate) * net[i]
                        act[i] = f(net[i])
            else:
                for i in range(ni, n):
                    act[i] = f(incoming(i))
            target = [tmax if v == 1 else 1 - tmax if v == 0 else v for v in t]
            err = [0.0] * n
            for j in range(no):
                err[n - no + j] = target[j] - act[n - no + j] if target[j] >= 0 else 0.0
            delta = [0.0] * n
            for i in range(n - 1, ni - 1, -1):
                delta[i] = err[i] * act[i] * (1 - act[i])
                for k in range(len(w[i])):
                    err[first[i] + k] += delta[i] * w[i][k]
            tss += sum(err[n - no + j] ** 2 for j in range(no) if target[j] >= 0)
            for i in range(ni, n):
                bed[i] += delta[i]
                for k in range(len(w[i])):
                    wed[i][k] += delta[i] * act[first[i] + k]
            if grain == "pattern":
                change()
        if grain == "epoch":
            change()
        history.append(tss)
    flat = [x for row in w for x in row] + bias
    return history, flat


# a recurrent step unrolled: state inputs 1-2 copy the outputs 5-6 of the previous pattern;
# the two hidden units share weights a b c (in different orders) and a negative bias e
STATE_NET = """definitions:
nunits 7
ninputs 3
noutputs 2
end
constraints:
a random linked
b random linked
c random linked
e random negative linked
end
network:
% 3 2 0 3
abc
acb
%r 5 2 3 2
end
biases:
% 3 4
eepp
end
"""
STATE_PAT = "s0 1 0 0 1 0\ns1 0 -5 -6 0 1\ns2 0 -5 -6 1 1\ns3 1 -5 -6 0 0\n"
STATE0 = ("0.250191 0.794428 0.551371 0.250191 0.551371 0.794428 -0.989469 0.594139 0.642457 -0.064130 "
          "0.000000 0.000000 0.000000 -1.393935 -1.393935 0.509739 0.890153")
# unit 2 hears unit 3 (a later unit: bp gives it unit 3's value from the previous pattern);
# p and n weights and biases (an upper-case N: fixed)
ODD_NET = """definitions: nunits 6 ninputs 2 noutputs 1 maxconstraints 50 end
constraints:
end
network:
% 2 1 0 4
pr.n
%n 3 1 0 2
%r 4 1 0 4
%p 5 1 2 3
end
biases:
% 2 4
nprN
end
"""
XOR_PAT = "p00 0 0 0\np01 0 1 1\np10 1 0 1\np11 1 1 0\n"


@pytest.mark.parametrize("case", ["xor-cascade-pattern", "xor-cascade-epoch", "state", "state-cascade",
                                  "odd", "odd-cascade"])
def test_session_matches_the_scalar_reference(tmp_path, case):
    if case.startswith("xor"):
        s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=3)
        s.execute("get network xor.net  get patterns xor.pat  get weights xor.wts")
    elif case.startswith("state"):
        s = session(tmp_path, {"s.net": STATE_NET, "s.pat": STATE_PAT, "s0.wts": STATE0})
        s.execute("get network s.net  get patterns s.pat  get weights s0.wts  set param mu .3")
    else:
        s = session(tmp_path, {"o.net": ODD_NET, "o.pat": XOR_PAT}, seed=5)
        s.execute("set param wrange 2  get network o.net  get patterns o.pat")
    grain = "epoch" if case.endswith("epoch") or case == "state" else "pattern"
    cascade = "cascade" in case
    lrate, mom, nc, crate = (2.0, 0.8, 6, 0.35) if case.startswith("odd") else (0.7, 0.6, 5, 0.4)
    s.execute(f"set mode cascade {int(cascade)}  set ncycles {nc}  set param crate {crate}  set nepochs 25")
    s.execute(f"set param lrate {lrate}  set param momentum {mom}  set mode lgrain {grain}")
    start = flat_weights(s, tmp_path, "start.wts")
    assert s._engine("strain") is not None
    s.execute("strain")
    hist, flat = bp_reference(s.netfile, start, s.patterns, 25, grain, lrate, mom, cascade, nc, crate,
                              mu=float(s.vars["mu"]))
    np.testing.assert_allclose([t for _, t in s.history], hist, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(flat_weights(s, tmp_path, "end.wts"), flat, rtol=1e-11, atol=1e-13)
    if case.startswith("odd"):
        assert any(x == 0.0 for x in flat[:len(flat) - 6])             # a clipped p/n weight


# ---------------------------------------------------------------- the handbook's bp program
# Written by bp (the handbook's C sources, compiled, float precision, 6 decimals) for these
# runs of our files: save weights after each strain.
BP_XOR_A = [3.975702, 3.904660, 6.309759, 6.070826, -8.316027, 6.920860, 0, 0, -5.425495, -2.156073, -2.930833]
BP_XOR_B = [4.043615, 3.976225, 6.342198, 6.111729, -8.484275, 7.016609, 0, 0, -5.539639, -2.185681, -2.968442]
BP_STATE_A = [0.010054, 2.705528, 1.557884, 0.010054, 1.557884, 2.705528, -2.505412, -0.820813, 0.860231,
              -0.280727, 0, 0, 0, -1.633086, -1.633086, 2.178679, 0]
BP_STATE_B = [1.044053, 4.119171, 0.588326, 1.044053, 0.588326, 4.119171, -4.036733, -1.239980, 1.688242,
              -1.154045, 0, 0, 0, -3.070024, -3.070024, 2.316476, 0]


def test_cascade_training_matches_the_bp_program(tmp_path):
    s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=1)
    s.execute("get network xor.net  get patterns xor.pat  get weights xor.wts")
    s.execute("set mode cascade 1  set ncycles 7  set param crate .3  set nepochs 20  set mode lgrain pattern")
    s.execute("strain")
    np.testing.assert_allclose(flat_weights(s, tmp_path), BP_XOR_A, atol=1e-5)
    s.execute("set mode lgrain epoch  set param momentum .5  strain")
    np.testing.assert_allclose(flat_weights(s, tmp_path), BP_XOR_B, atol=1e-5)


def test_linked_copied_and_positive_match_the_bp_program(tmp_path):
    s = session(tmp_path, {"s.net": STATE_NET, "s.pat": STATE_PAT, "s0.wts": STATE0})
    s.execute("get network s.net  get patterns s.pat  get weights s0.wts")
    s.execute("set param lrate .5  set nepochs 30  strain")
    np.testing.assert_allclose(flat_weights(s, tmp_path), BP_STATE_A, atol=1e-5)
    s.execute("set mode cascade 1  set ncycles 6  set param crate .4  set param mu .3  set mode lgrain pattern")
    s.execute("set nepochs 20  strain")
    np.testing.assert_allclose(flat_weights(s, tmp_path), BP_STATE_B, atol=1e-5)


# ---------------------------------------------------------------- against pdpsim itself
@pytest.mark.parametrize("command, grain", [("strain", "pattern"), ("ptrain", "epoch"), ("ptrain", "pattern")])
def test_engine_equals_pdpsim_training_on_a_plain_network(tmp_path, monkeypatch, command, grain):
    runs = []
    for forced in (False, True):
        if forced:
            monkeypatch.setattr(commands, "engine_reasons", lambda *a, **k: ["forced"])
        s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=11)
        s.execute(f"get network 424.net  get patterns 424.pat  set nepochs 30  set mode lgrain {grain}  {command}")
        assert (s.engine is not None) == forced
        s.execute("tall")
        runs.append((s.history, [b.weights.copy() for b in s.net.blocks], [o for _, o, _ in s.last_test]))
    (h0, w0, o0), (h1, w1, o1) = runs
    np.testing.assert_allclose([t for _, t in h1], [t for _, t in h0], rtol=1e-12)
    for a, b in zip(w0 + o0, w1 + o1):
        np.testing.assert_allclose(b, a, rtol=1e-11, atol=1e-14)


def test_one_layer_cascade_is_pdpsim_in_integr(tmp_path):
    """Where the equations agree: one layer of weights, net input integrated with dt = crate."""
    text = "definitions: nunits 3 ninputs 2 noutputs 1 end network:\n%r 2 1 0 2\nend biases:\n%r 2 1\nend\n"
    s = session(tmp_path, {"one.net": text, "one.pat": "a 1 0 1\nb 1 1 0\n"}, seed=4)
    s.execute("set param wrange 3  get network one.net  get patterns one.pat")
    s.execute("set mode cascade 1  set param crate .25  set ncycles 12  tall")
    net = s.netfile.build(seed=0)
    net.set_weights(s.net.get_weights())
    make_continuous(net, ticks_per_interval=4, intervals=3, integrate=False)
    out = net.group("output")
    out.integration = "IN_INTEGR"
    bias = float(net.block("bias", "output").weights[0, 0])
    out.init_input, out.init_output = bias, f(bias)                   # bp's resting state
    xs = ExampleSet({"input": s.patterns.inputs[:, None, :]}, {"output": s.patterns.targets[:, None, :]})
    tt = tables(net, xs)
    Unfolded(net).forward(build_schedule(net, xs, np.arange(2), tt.ticks, tt.grace))
    for k, (_, trace) in enumerate(s.traces):
        np.testing.assert_allclose(out.output_history[:, k, 0], trace[:, 2], rtol=1e-13)


# ---------------------------------------------------------------- linked weights, copied inputs, names
def test_linked_weights_start_equal_and_stay_equal(tmp_path):
    s = session(tmp_path, {"s.net": STATE_NET, "s.pat": STATE_PAT})
    s.execute("set param wrange 2  get network s.net  get patterns s.pat")
    groups = link_groups(s.netfile)
    assert sorted(groups) == ["a", "b", "c", "e"]
    assert groups["b"] == [(3, 1), (4, 2)] and groups["e"] == [(3, None), (4, None)]
    assert engine_reasons(s.netfile, s.patterns) == ["linked weights", "copied inputs",
                                                     "positive/negative weights"]
    for _ in range(2):
        w = flat_weights(s, tmp_path)             # unit 3 from 0 1 2, unit 4 from 0 1 2, ..., biases
        assert w[0:3] == [w[3], w[5], w[4]] and w[13] == w[14] <= 0
        s.execute("set nepochs 15  ptrain")


def test_copied_input_out_of_range(tmp_path):
    s = session(tmp_path, {"s.net": STATE_NET, "s.pat": "s0 1 -9 0 1 0\n"})
    s.execute("get network s.net  get patterns s.pat")
    with pytest.raises(PdpError, match=r"pattern 's0': input 1 = -9 copies unit 9, but the network has units 0 \.\. 6"):
        s.execute("tall")


def test_get_unames_labels_units(tmp_path):
    (tmp_path / "n.str").write_text(f"get network {ZOO / 'xor.net'}\nget unames in0 in1\n  h0 h1\n"
                                    "out end set nepochs 3\n")
    s = run_script(tmp_path / "n.str", echo=None)                   # names may go on over lines, up to end
    assert s.unames == ["in0", "in1", "h0", "h1", "out"] and s.vars["nepochs"] == 3
    s = PdpSession(echo=None, base_dir=ZOO, seed=1)
    s.execute("get network xor.net  get unames in0 in1 h0 end")
    assert s.net.group("input").unit_names == ["in0", "in1"]
    assert s.net.group("hidden").unit_names == ["h0", "u3"] and s.net.group("output").unit_names == ["u4"]
    s.execute("reset")
    assert s.net.group("hidden").unit_names == ["h0", "u3"]
    s.execute("get unames")
    s.execute("a b c d e end")
    assert s.net.group("output").unit_names == ["e"]
    with pytest.raises(PdpError, match=r"'get unames': 6 names for 5 units; expected at most 5 names, then end"):
        s.execute("get unames a b c d e f end")
    s.execute("get network xor.net")
    assert s.unames == [] and s.net.group("output").unit_names == ["u4"]


@pytest.mark.parametrize("script, message", [
    ("get unames a end\n", r"u\.str, line 1: 'get unames': no network yet"),
    (f"get network {ZOO / 'xor.net'}\nget unames a b\nc\n", r"u\.str, line 3: the script ends inside 'get unames'"),
])
def test_get_unames_errors(tmp_path, script, message):
    (tmp_path / "u.str").write_text(script)
    with pytest.raises(PdpError, match=message):
        run_script(tmp_path / "u.str", echo=None)


# ---------------------------------------------------------------- shipped scripts
def test_shipped_cascade_and_tied_scripts():
    assert {"cascade", "tied"} <= set(zoo_scripts())
    lines = []
    s = run_script("cascade", echo=lines.append)
    assert len(lines) == 5 + 12 + 10
    assert lines[5].startswith("p01  cycle   0  0.1") and lines[-1].startswith("p01  cycle  20  ")
    outs = [float(ln.split()[-1]) for ln in lines[5:16]] + [float(ln.split()[-1]) for ln in lines[17:]]
    assert all(b > a for a, b in zip(outs, outs[1:]))                 # p01's output rises cycle by cycle
    assert s.tss > 0.3
    lines.clear()
    s = run_script("tied", echo=lines.append)
    assert s.tss < 0.04 and lines[0].startswith("epoch ") and len(lines) == 1 + 32 + 1
    w = s.net.get_weights()
    assert w["input1->hidden1"] == w["input2->hidden2"] == w["input3->hidden3"]
    assert w["bias->hidden1"] == w["bias->hidden2"] == w["bias->hidden3"]
    assert s.net.group("output").unit_names == ["pair"]
    assert isinstance(s.engine, BpEngine)
