"""PDP handbook files (.net, .pat, .wts) and .str scripts, checked against a scalar bp reference."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pdpsim.formats.pdp_handbook import (load_weights, parse_net, parse_patterns, read_net, read_patterns,
                                         save_weights, write_patterns)
from pdpsim.pdp.script import PdpSession, run_script, zoo_scripts
from pdpsim.validation import PdpError

ZOO = Path(__file__).resolve().parents[2] / "src" / "pdpsim" / "zoo" / "pdp"

XOR_NET = """definitions:
nunits 5
ninputs 2
noutputs 1
end
network:
%r 2 2 0 2
%r 4 1 2 2
end
biases:
%r 2 3
end
"""


def xor_session(tmp_path=None, seed=1, **kw) -> PdpSession:
    s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=seed, **kw)
    s.execute("get network xor.net")
    s.execute("get patterns xor.pat")
    return s


# ---------------------------------------------------------------- .net
def test_xor_net_maps_to_groups_and_blocks():
    nf = parse_net(XOR_NET, "xor.net")
    assert (nf.nunits, nf.ninputs, nf.noutputs) == (5, 2, 1)
    assert [(s.name, s.start, s.stop, s.kind) for s in nf.segments] == [
        ("input", 0, 2, "INPUT"), ("hidden", 2, 4, "HIDDEN"), ("output", 4, 5, "OUTPUT")]
    assert nf.ranges == [(0, 0), (0, 0), (0, 2), (0, 2), (2, 2)]
    assert nf.bias == [None, None, "r", "r", "r"]
    net = nf.build(seed=0, wrange=1.0)
    assert [b.name for b in net.blocks] == ["input->hidden", "hidden->output", "bias->hidden", "bias->output"]
    assert net.group("hidden").unit_names == ["u2", "u3"]
    out = net.group("output")
    assert out.error.name == "SUM_SQUARED" and out.error.error_scale == 0.5
    for b in net.blocks:                                    # wrange 1: uniform in [-0.5, 0.5)
        assert b.init_range == 0.5 and b.init_mean == 0.0 and np.all(np.abs(b.weights) <= 0.5)


def test_424_and_definitions_variables():
    nf = read_net(ZOO / "424.net")
    assert [(s.name, s.size) for s in nf.segments] == [("input", 4), ("hidden", 2), ("output", 4)]
    assert nf.variables["nepochs"][0] == "1000" and nf.variables["ecrit"] == (".04", 6)
    assert nf.n_weights == 2 * 4 + 4 * 2 + 10


def test_groups_split_where_the_description_changes():
    # output 5 hears inputs 0-1 and hidden 2-4 (one block); hidden 4 has a fixed, frozen bias;
    # hidden 2-3 hear only input 0 (positive weights), hidden 4 hears inputs 0-1 (explicit row)
    text = """definitions: nunits 6 ninputs 2 noutputs 1 end
constraints:
a 0.75
end
network:
%p 2 2 0 1
% 4 1 0 2
rr
%r 5 1 0 5
end
biases:
% 2 4
rrAr
end
"""
    nf = parse_net(text, "mixed.net")
    segs = [(s.name, s.start, s.stop) for s in nf.segments]
    assert segs == [("input1", 0, 1), ("input2", 1, 2), ("hidden1", 2, 4), ("hidden2", 4, 5), ("output", 5, 6)]
    net = nf.build(seed=1, wrange=2.0)
    names = [b.name for b in net.blocks]
    assert names == ["input1->hidden1", "input1->hidden2", "input2->hidden2", "input1->output", "input2->output",
                     "hidden1->output", "hidden2->output", "bias->hidden1", "bias->hidden2", "bias->output"]
    pos = net.block("input1", "hidden1")
    assert pos.min_weight == 0.0 and pos.init_mean == 1.0 and np.all((pos.weights >= 0) & (pos.weights <= 2))
    fixed = net.block("bias", "hidden2")
    assert fixed.frozen and fixed.weights[0, 0] == 0.75
    assert nf.ranges[5] == (0, 5) and nf.n_weights == 2 + 2 + 5 + 6


def test_full_matrix_form():
    text = """definitions:
nunits 3 ninputs 1 noutputs 1
end
network:
...
r..
.r.
end
biases:
.rr
end
"""
    nf = parse_net(text, "chain.net")
    net = nf.build(seed=0)
    assert [b.name for b in net.blocks] == ["input->hidden", "hidden->output", "bias->hidden", "bias->output"]
    assert nf.ranges == [(0, 3), (0, 3), (0, 3)] and nf.n_weights == 9 + 3


@pytest.mark.parametrize("text, message", [
    ("network:\n%r 2 2 0 2\nend\n",
     r"bad\.net, line 1: nunits is not defined; expected definitions: with nunits, ninputs and noutputs"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 2 0 2\n%r 4 1 2 9\nend\n",
     r"bad\.net, line 8: sending units 2 \.\. 10 is not inside units 0 \.\. 4"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n% 2 2 0 2\nrr\nr\nend\n",
     r"bad\.net, line 9: the row for unit 3 has 1 characters; expected 2"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 1 2 0 1\nend\n",
     r"bad\.net, line 7: unit 1 is an input unit \(ninputs 2\) and cannot receive links"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 x 0 2\nend\n",
     r"bad\.net, line 7: expected the number of receiving units \(an integer\), got 'x'"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 2 0 2\n",
     r"bad\.net, line 7: the file ends; expected a %-block or end"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nweights:\n",
     r"bad\.net, line 6: expected definitions:, constraints:, network:, biases: or end; got 'weights:'"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 2 0 2\nfoo\nend\n",
     r"bad\.net, line 8: expected a %-block \(%r first nto firstfrom nfrom\) or end; got 'foo'"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nconstraints:\nq sideways\nend\n",
     r"bad\.net, line 7: unknown type for constraint 'q': 'sideways'"),
    ("definitions:\nnunits 3\nninputs 2\nnoutputs 2\nend\nnetwork:\n",
     r"bad\.net, line 6: ninputs \(2\) \+ noutputs \(2\) is more than nunits \(3\)"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 2 0 2\nend\nbiases:\n%r 0 3\nend\n",
     r"bad\.net, line 10: unit 0 is an input unit \(ninputs 2\) and takes no bias"),
    ("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\n", r"bad\.net: no network: section"),
])
def test_malformed_net_names_file_line_and_expectation(text, message):
    with pytest.raises(PdpError, match=message):
        parse_net(text, "bad.net")


def test_cycle_is_refused():
    text = "definitions: nunits 4 ninputs 1 noutputs 1 end network:\n%r 1 2 0 3\n%r 3 1 2 1\nend\n"
    with pytest.raises(PdpError, match=r"cyc\.net: .*cycle"):
        parse_net(text, "cyc.net").build()


# ---------------------------------------------------------------- .pat
def test_patterns_tokens_and_symbols(tmp_path):
    pats = parse_patterns("a 1 0 1\nb + . -\nc 0.5\n  .25 0\n", 2, 1, "p.pat")
    assert pats.names == ["a", "b", "c"]
    np.testing.assert_array_equal(pats.inputs, [[1, 0], [1, 0], [0.5, 0.25]])
    np.testing.assert_array_equal(pats.targets, [[1], [-1], [0]])
    assert pats.index("c") == 2 and pats.index("1") == 1
    write_patterns(tmp_path / "w.pat", pats.names, pats.inputs, pats.targets)
    back = read_patterns(tmp_path / "w.pat", 2, 1)
    np.testing.assert_array_equal(back.inputs, pats.inputs)
    np.testing.assert_array_equal(back.targets, pats.targets)
    assert (tmp_path / "w.pat").read_text().splitlines()[0] == "a 1 0 1"


def test_patterns_to_examples_tmax_and_dont_care():
    nf = parse_net(XOR_NET, "xor.net")
    pats = parse_patterns("a 0 1 1\nb 1 1 0\nc 1 0 -1\n", 2, 1, "p.pat")
    xs = pats.to_examples(nf, tmax=0.9)
    np.testing.assert_allclose(xs.targets["output"][:, 0, 0], [0.9, 0.1, np.nan])
    np.testing.assert_array_equal(xs.inputs["input"][:, 0, :], [[0, 1], [1, 1], [1, 0]])
    with pytest.raises(PdpError, match=r"p\.pat: pattern 'x' has input 0 = -1; bp reads a negative input"):
        parse_patterns("x - 0 1\n", 2, 1, "p.pat").to_examples(nf)


@pytest.mark.parametrize("text, message", [
    ("a 1 0 1\nb 1 0\n", r"p\.pat, line 2: the file ends inside pattern 'b' \(line 2\) after 2 of its 3 values; "
                         r"expected a name, then 2 input and 1 target values"),
    ("a 1 0 1\nb 1 yes 1\n", r"p\.pat, line 2: pattern 'b': input 1 is 'yes'; expected a number, \+, - or \."),
    ("   \n", r"p\.pat: no patterns"),
])
def test_malformed_patterns(text, message):
    with pytest.raises(PdpError, match=message):
        parse_patterns(text, 2, 1, "p.pat")


# ---------------------------------------------------------------- .wts
def numbered_xor():
    nf = parse_net(XOR_NET, "xor.net", name="xor")
    net = nf.build(seed=0)
    net.block("input", "hidden").weights[...] = [[0.1, 0.2], [0.3, 0.4]]     # w[from, to]
    net.block("hidden", "output").weights[...] = [[0.5], [0.6]]
    net.block("bias", "hidden").weights[...] = [[-0.7, -0.8]]
    net.block("bias", "output").weights[...] = [[0.9]]
    return nf, net


def test_wts_order_is_receiver_major_then_biases(tmp_path):
    nf, net = numbered_xor()
    save_weights(nf, net, tmp_path / "x.wts")
    # unit 2 from units 0, 1; unit 3 from 0, 1; unit 4 from 2, 3; then a bias for each of the 5 units
    assert [float(x) for x in (tmp_path / "x.wts").read_text().split()] == [
        0.1, 0.3, 0.2, 0.4, 0.5, 0.6, 0.0, 0.0, -0.7, -0.8, 0.9]
    save_weights(nf, net, tmp_path / "six.wts", decimals=6)
    assert (tmp_path / "six.wts").read_text().splitlines()[:2] == ["0.100000", "0.300000"]


def test_wts_round_trip_and_handbook_precision(tmp_path):
    nf, net = numbered_xor()
    rng = np.random.default_rng(0)
    for b in net.blocks:
        b.weights[...] = rng.normal(size=b.weights.shape)
    save_weights(nf, net, tmp_path / "a.wts")
    other = nf.build(seed=5)
    other.blocks[0].last_change[...] = 1.0
    load_weights(nf, other, tmp_path / "a.wts")
    for a, b in zip(net.blocks, other.blocks):
        np.testing.assert_array_equal(a.weights, b.weights)
        assert not b.last_change.any()
    save_weights(nf, net, tmp_path / "b.wts", decimals=6)
    load_weights(nf, other, tmp_path / "b.wts")
    for a, b in zip(net.blocks, other.blocks):
        np.testing.assert_allclose(a.weights, b.weights, atol=5e-7)


def test_wts_errors(tmp_path):
    nf, net = numbered_xor()
    p = tmp_path / "bad.wts"
    p.write_text("0.1\n0.2\n0.3\n")
    with pytest.raises(PdpError, match=r"bad\.wts, line 3: 3 numbers; expected 11 for network 'xor' "
                                       r"\(6 weights and 5 biases\)"):
        load_weights(nf, net, p)
    p.write_text("0\n" * 6 + "0.5\n" + "0\n" * 4)
    with pytest.raises(PdpError, match=r"bad\.wts, line 7: the bias of unit 0 is 0\.5, but xor\.net gives no such "
                                       r"link; expected 0"):
        load_weights(nf, net, p)
    p.write_text("0\n" * 5 + "x\n" + "0\n" * 5)
    with pytest.raises(PdpError, match=r"bad\.wts, line 6: expected a number, got 'x'"):
        load_weights(nf, net, p)


# ---------------------------------------------------------------- the scalar reference
def handbook_bp(nf, flat_w, inputs, targets, lrate, momentum, epochs, grain):
    """bp's epoch loop written out unit by unit (the handbook's trial / compute_wed / change_weights)."""
    n, ni, no = nf.nunits, nf.ninputs, nf.noutputs
    pos = 0
    w = []
    for first, count in nf.ranges:
        w.append(list(flat_w[pos:pos + count]))
        pos += count
    bias = list(flat_w[pos:pos + n])
    dw = [[0.0] * len(r) for r in w]
    db = [0.0] * n
    wed = [[0.0] * len(r) for r in w]
    bed = [0.0] * n

    def change():
        for i in range(ni, n):
            db[i] = lrate * bed[i] + momentum * db[i]
            bias[i] += db[i]
            bed[i] = 0.0
            for k in range(len(w[i])):
                dw[i][k] = lrate * wed[i][k] + momentum * dw[i][k]
                w[i][k] += dw[i][k]
                wed[i][k] = 0.0

    history = []
    for _ in range(epochs):
        tss = 0.0
        for x, t in zip(inputs, targets):
            act = list(x) + [0.0] * (n - ni)
            for i in range(ni, n):
                first = nf.ranges[i][0]
                net = bias[i] + sum(act[first + k] * w[i][k] for k in range(len(w[i])))
                act[i] = 1.0 / (1.0 + math.exp(-net))
            err = [0.0] * n
            for j in range(no):
                err[n - no + j] = t[j] - act[n - no + j]
            tss += sum(err[n - no + j] ** 2 for j in range(no))          # pss: no 1/2
            delta = [0.0] * n
            for i in range(n - 1, ni - 1, -1):
                delta[i] = err[i] * act[i] * (1 - act[i])
                first = nf.ranges[i][0]
                for k in range(len(w[i])):
                    err[first + k] += delta[i] * w[i][k]
            for i in range(ni, n):
                bed[i] += delta[i]
                first = nf.ranges[i][0]
                for k in range(len(w[i])):
                    wed[i][k] += delta[i] * act[first + k]
            if grain == "pattern":
                change()
        if grain == "epoch":
            change()
        history.append(tss)
    return history


@pytest.mark.parametrize("grain", ["pattern", "epoch"])
@pytest.mark.parametrize("netfile, patfile", [("xor.net", "xor.pat"), ("424.net", "424.pat")])
def test_strain_matches_the_handbook_algorithm(tmp_path, grain, netfile, patfile):
    s = PdpSession(echo=None, base_dir=ZOO, out_dir=tmp_path, seed=4)
    s.execute(f"get network {netfile}")
    s.execute(f"get patterns {patfile}")
    s.execute("save weights start.wts")
    flat = [float(x) for x in (tmp_path / "start.wts").read_text().split()]
    s.execute(f"set nepochs 25  set ecrit 0  set param lrate .7  set param momentum .8  set mode lgrain {grain}")
    s.execute("strain")
    expected = handbook_bp(s.netfile, flat, s.patterns.inputs, s.patterns.targets, 0.7, 0.8, 25, grain)
    np.testing.assert_allclose([tss for _, tss in s.history], expected, rtol=1e-12)
    assert [e for e, _ in s.history] == list(range(1, 26))


# ---------------------------------------------------------------- scripts
def test_shipped_xor_script_learns_xor():
    lines = []
    s = run_script(ZOO / "xor.str", echo=lines.append)
    assert s.tss < 0.04 and s.epochno < 1000
    assert lines[0].startswith("p00 ") and "pss" in lines[0] and lines[4].startswith("tss ")
    assert lines[5] == f"epoch     1  tss {s.history[0][1]:.4f}"
    assert sum(ln.startswith("epoch") for ln in lines) == s.epochno
    names = [n for n, _, _ in s.last_test]
    outs = [float(o[0]) for _, o, _ in s.last_test]
    assert names == ["p00", "p01", "p10", "p11"]
    assert outs[0] < 0.2 and outs[1] > 0.8 and outs[2] > 0.8 and outs[3] < 0.2
    assert sum(p for _, _, p in s.last_test) == pytest.approx(s.tss)
    assert set(zoo_scripts()) >= {"xor", "424"}


def test_shipped_424_by_name():
    s = run_script("424", echo=None)
    assert s.tss < 0.04
    winners = [int(np.argmax(o)) for _, o, _ in s.last_test]
    assert winners == [0, 1, 2, 3]


def test_weights_saved_by_a_script_load_back(tmp_path):
    (tmp_path / "train.str").write_text(
        f"set seed 1\nget network {ZOO / 'xor.net'}\nget patterns {ZOO / 'xor.pat'}\n"
        "set nepochs 40\nset mode lgrain epoch\nptrain\nsave weights xor*.wts\ntall\n")
    a = run_script(tmp_path / "train.str", echo=None, out_dir=tmp_path)
    assert (tmp_path / "xor40.wts").exists()
    (tmp_path / "again.str").write_text(
        f"get network {ZOO / 'xor.net'}\nget patterns {ZOO / 'xor.pat'}\nget weights xor40.wts\ntall\n")
    b = run_script(tmp_path / "again.str", echo=None, seed=99)
    assert b.tss == pytest.approx(a.tss, abs=1e-15)
    for x, y in zip(a.net.blocks, b.net.blocks):
        np.testing.assert_array_equal(x.weights, y.weights)


def test_set_forms_and_their_effects(tmp_path):
    s = xor_session(tmp_path)
    s.execute("set lrate .3   set mom .25   set param wrange 4   set mode lgrain e   set stepsize nepochs")
    assert (s.vars["lrate"], s.vars["momentum"], s.vars["wrange"], s.vars["lgrain"]) == (0.3, 0.25, 4.0, "epoch")
    assert s.net.blocks[0].init_range == 0.5                     # wrange counts from the next reset
    s.execute("reset")
    assert s.net.blocks[0].init_range == 2.0
    first = s.net.blocks[0].weights.copy()
    s.execute("reset")
    np.testing.assert_array_equal(first, s.net.blocks[0].weights)   # same seed, same start
    s.execute("set state epochno 7")
    assert s.epochno == 7
    s.execute("set mode cascade 1  set param crate .2  set ncycles 7")
    assert (s.vars["cascade"], s.vars["crate"], s.vars["ncycles"]) == (1, 0.2, 7)
    with pytest.raises(PdpError, match=r"ambiguous variable 'l'; choose one of: lflag, lrate, lgrain"):
        s.execute("set l 1")
    with pytest.raises(PdpError, match="nunits is set by the network file"):
        s.execute("set config nunits 9")
    with pytest.raises(PdpError, match=r"lrate: expected a number, got 'fast'"):
        s.execute("set lrate fast")


def test_stepsize_nepochs_lflag_test_and_do(tmp_path):
    lines = []
    s = xor_session(tmp_path)
    s.echo = lines.append
    s.execute("set nepochs 5  set stepsize nepochs  ptrain")
    assert lines == [f"epoch     5  tss {s.tss:.4f}"]
    before = [b.weights.copy() for b in s.net.blocks]
    s.execute("set lflag 0  strain")
    assert s.epochno == 10
    for a, b in zip(before, s.net.blocks):
        np.testing.assert_array_equal(a, b.weights)                  # lflag 0: no learning
    lines.clear()
    s.execute("test p1")                                             # a name prefix, as in bp
    assert len(lines) == 1 and lines[0].startswith("p10 ") and s.tss == s.last_test[0][2]
    (tmp_path / "twice.str").write_text("set lflag 1\nptrain\n")
    s.execute(f"do {tmp_path / 'twice.str'} 2")
    assert s.epochno == 20


def test_handbook_upper_case_file_names(tmp_path):
    for f in ("xor.net", "xor.pat"):
        (tmp_path / f.upper()).write_text((ZOO / f).read_text())
    (tmp_path / "run.str").write_text("get network xor.net\nget patterns xor.pat\ntall\n")
    s = run_script(tmp_path / "run.str", echo=None)
    assert s.netfile.name == "XOR" and len(s.patterns) == 4


@pytest.mark.parametrize("script, message", [
    ("get network xor.net\nfrobnicate 3\n",
     r"bad\.str, line 2: unknown command 'frobnicate'; expected one of: get, save, set"),
    ("t\n", r"bad\.str, line 1: ambiguous command 't'; choose one of: tall, test"),
    ("tall\n", r"bad\.str, line 1: 'tall': no network yet; expected 'get network FILE' first"),
    ("get network xor.net\nptrain\n", r"bad\.str, line 2: 'ptrain': no patterns yet"),
    ("get network nowhere.net\n", r"bad\.str, line 1: network file .*nowhere\.net': no such file"),
    ("get network\n", r"bad\.str, line 1: 'get network' needs a file name"),
    ("disp\n", r"bad\.str, line 1: command 'disp' \(the handbook's screen display\) is not supported"),
    ("set nepochs\n", r"bad\.str, line 1: 'set nepochs' needs a value"),
    ("get network broken.net\n",
     r"bad\.str, line 1: broken\.net, line 8: expected the number of sending units \(an integer\), got 'end'"),
])
def test_script_errors_name_file_line_and_command(tmp_path, script, message):
    (tmp_path / "xor.net").write_text(XOR_NET)
    (tmp_path / "broken.net").write_text("definitions:\nnunits 5\nninputs 2\nnoutputs 1\nend\nnetwork:\n%r 2 2 0\n"
                                         "end\n")
    (tmp_path / "bad.str").write_text(script)
    with pytest.raises(PdpError, match=message):
        run_script(tmp_path / "bad.str", echo=None)


def test_quit_stops_the_script(tmp_path):
    (tmp_path / "q.str").write_text("quit\nthis is not a command\n")
    run_script(tmp_path / "q.str", echo=None)
    with pytest.raises(PdpError, match="no such file, and no shipped script"):
        run_script("no-such-script", echo=None)
