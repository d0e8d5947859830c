"""`pdpsim bench --peer lens=PATH`: the Lens scripts pdpsim writes for its workloads, and
running a Lens binary (here a fake one: a Python script that runs the generated script in
pdpsim's own Lens shell and answers as Lens does)."""
import io
import os
import sys
import textwrap

import numpy as np
import pytest

import pdpsim
from pdpsim.lens import LensShell
from pdpsim.tools import lens_peer
from pdpsim.tools.bench import _build
from pdpsim.validation import PdpError


def _run_in_shell(job, monkeypatch):
    """Run a generated script in pdpsim's Lens shell from its folder; (exit status, figures, shell)."""
    monkeypatch.chdir(job.folder)
    out = io.StringIO()
    shell = LensShell(stdout=out, seed=1)
    code = shell.run_file(job.script.name)
    return code, lens_peer.parse_output("LENS Version 2.63 dbl\n" + out.getvalue()), shell


@pytest.mark.parametrize("name, rtol", [("xor", 1e-6), ("encoder-8-3-8", 1e-6), ("100-200-100-batch", 1e-3),
                                        ("attractor-batch", None), ("xor-ensemble-1000", 1e-6)])
def test_the_script_trains_the_workloads_network_as_pdpsim_does(name, rtol, tmp_path, monkeypatch):
    """The generated script, run in pdpsim's Lens shell, builds the workload's groups and links,
    loads its examples and runs its number of updates; from the same starting weights with the
    same algorithm, rates and batches it ends at pdpsim's own final error (Lens's logistic
    table and 32-bit example reals aside). The ensemble's job is one XOR network."""
    job = lens_peer.prepare(name, True, tmp_path / "job")
    code, fig, shell = _run_in_shell(job, monkeypatch)
    net, xs, params, n_examples = _build("xor" if name == "xor-ensemble-1000" else name, True)
    assert code == 0
    assert (fig["links"], fig["updates"], fig["set_examples"]) == (net.n_links, job.updates, len(xs))
    assert job.examples == n_examples and job.links == net.n_links
    assert job.updates == n_examples // (params.batch_size or len(xs))
    built = shell.net.net
    assert {(g.name, g.size, g.kind) for g in built.groups.values()} == \
        {(g.name, g.size, g.kind) for g in net.groups.values()}
    assert {b.name for b in built.blocks} == {b.name for b in net.blocks}
    if net.time is not None:                 # 2 intervals of 4 ticks: the same unfolding
        assert (built.time.ticks_per_interval, built.time.intervals) == (4, 2.0)
    assert fig["peak_kb"] > 0                # read from /proc/self/status by the script
    if rtol:
        final = pdpsim.train(net, xs, params).final_error
        np.testing.assert_allclose(fig["final_error"], final, rtol=rtol)


@pytest.mark.parametrize("name", ["100-200-100-online-psyneulink", "100-200-100-online", "attractor-online"])
def test_the_network_commands_and_weight_file_give_pdpsims_starting_weights(name, tmp_path, monkeypatch):
    """Every link gets pdpsim's starting weight (Lens's link order: bias first), with no bias
    where the workload has none (-BIASED) and the error scale of the PsyNeuLink variant."""
    job = lens_peer.prepare(name, True, tmp_path / "job")
    net, xs, params, _ = _build(name, True)
    monkeypatch.chdir(job.folder)
    shell = LensShell(stdout=io.StringIO(), seed=1)
    shell.eval("\n".join(lens_peer.network_commands(net)) + "\nloadWeights start.wt")
    built = shell.net.net
    assert built.n_links == net.n_links
    for b in net.blocks:
        np.testing.assert_allclose(built.block(b.source.name, b.dest.name).weights, b.weights, rtol=1e-6, atol=1e-7)
    text = job.script.read_text()
    assert f"setObj batchSize {params.batch_size}" in text and f"train {job.updates} -algorithm" in text
    if name.endswith("psyneulink"):
        assert "bias" not in {g.name for g in built.groups.values() if g.outgoing}
        assert "-BIASED" in text and "setObj output.errorScale 0.5" in text
        assert "-algorithm steepest" in text
    else:
        assert "-BIASED" not in text and "-algorithm momentum" in text


def test_networks_lens_cannot_be_given_are_refused():
    net = pdpsim.Network("n", seed=0)
    net.add_group("input", 2, kind="INPUT")
    net.add_group("output", 3, kind="OUTPUT", function="SOFT_MAX", error="CROSS_ENTROPY")
    net.connect("input", "output")
    with pytest.raises(PdpError, match="SOFT_MAX"):
        lens_peer.network_commands(net)
    net, _, params, _ = _build("xor", True)
    from dataclasses import replace
    with pytest.raises(PdpError, match="no stopping criterion"):
        lens_peer.lens_script(net, replace(params, output_criterion=0.1), 10)


def test_parse_peer(tmp_path):
    exe = tmp_path / "lens"
    exe.write_text("#!/bin/sh\n")
    with pytest.raises(PdpError, match="not an executable"):
        lens_peer.parse_peer(f"lens={exe}")
    exe.chmod(0o755)
    assert lens_peer.parse_peer(f"lens={exe}") == exe
    assert lens_peer.parse_peer(f"LENS={exe}") == exe
    for bad in (str(exe), f"psyneulink={exe}", "lens="):
        with pytest.raises(PdpError, match="expected lens=PATH"):
            lens_peer.parse_peer(bad)
    with pytest.raises(PdpError, match="not an executable"):
        lens_peer.parse_peer(f"lens={tmp_path / 'nope'}")


def test_lens_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("LENSDIR", raising=False)
    top = tmp_path / "lens-build"
    (top / "Src").mkdir(parents=True)
    (top / "Bin" / "x86_64").mkdir(parents=True)
    binary = top / "Bin" / "x86_64" / "lens-2.63"
    binary.write_text("")
    link = tmp_path / "elsewhere" / "lens"
    link.parent.mkdir()
    link.symlink_to(binary)
    with pytest.raises(PdpError, match="set LENSDIR"):
        lens_peer.lens_dir(binary)
    (top / "Src" / "shell.tcl").write_text("")
    assert lens_peer.lens_dir(binary) == top
    assert lens_peer.lens_dir(link) == top          # found through the link
    monkeypatch.setenv("LENSDIR", str(tmp_path))
    assert lens_peer.lens_dir(binary) == tmp_path


def test_parse_output():
    r = lens_peer.parse_output("LENS Version 2.63\n...\npdpsim-bench: train_s 0.25 updates 7 links 9 examples 4 "
                               "error 0.5 peak_kb 2048\n")
    assert r == {"version": "2.63", "precision": "float32", "train_s": 0.25, "updates": 7, "links": 9,
                 "set_examples": 4, "final_error": 0.5, "peak_kb": 2048.0}
    assert lens_peer.parse_output("LENS Version 2.63 dbl\npdpsim-bench: train_s 1 updates 1 links 1 examples 1 "
                                  "error 1\n")["precision"] == "float64"
    with pytest.raises(PdpError, match="no figures line"):
        lens_peer.parse_output("LENS Version 2.63\nError: in script \"bench.tcl\": oops\n")


FAKE_LENS = '''\
#!{python}
"""A fake Lens: runs the script in pdpsim's Lens shell and answers as Lens does, with the
training seconds taken in turn from $FAKE_LENS_TIMES."""
import io, os, sys, time
from pathlib import Path
args = sys.argv[1:]
assert args[0] == "-batch" and len(args) == 2, args
assert os.environ["LENSDIR"] == os.environ["FAKE_LENS_EXPECT_DIR"], os.environ["LENSDIR"]
stdin = sys.stdin.read()
print("-batch")
print("                            LENS Version 2.63 dbl")
mode = os.environ.get("FAKE_LENS_MODE", "ok")
if mode == "fail":                      # Lens after a script error: the shell reads stdin
    print('Error: in script "bench.tcl": loadExamples: no such group', file=sys.stderr)
    sys.exit(int(stdin.split()[1]))
if mode == "hang":
    time.sleep(60)
from pdpsim.lens import LensShell
out = io.StringIO()
code = LensShell(stdout=out).run_file(args[1])
log = Path(os.environ["FAKE_LENS_LOG"])
calls = len(log.read_text().splitlines()) if log.exists() else 0
with log.open("a") as f:
    f.write(os.getcwd() + "\\n")
times = os.environ["FAKE_LENS_TIMES"].split(",")
for line in out.getvalue().splitlines():
    if line.startswith("pdpsim-bench:"):
        w = line.split()
        w[2] = times[calls % len(times)]
        line = " ".join(w)
    print(line)
sys.exit(code)
'''


@pytest.fixture
def fake_lens(tmp_path, monkeypatch):
    top = tmp_path / "fake-lens"
    (top / "Src").mkdir(parents=True)
    (top / "Src" / "shell.tcl").write_text("")
    exe = top / "lens"
    exe.write_text(FAKE_LENS.format(python=sys.executable))
    exe.chmod(0o755)
    monkeypatch.delenv("LENSDIR", raising=False)
    monkeypatch.setenv("FAKE_LENS_EXPECT_DIR", str(top))
    monkeypatch.setenv("FAKE_LENS_LOG", str(tmp_path / "calls.log"))
    monkeypatch.setenv("FAKE_LENS_TIMES", "0.5,0.25")
    return exe


def test_run_lens_reads_what_lens_prints(fake_lens, tmp_path, monkeypatch):
    job = lens_peer.prepare("xor", True, tmp_path / "job")
    r = lens_peer.run_lens(fake_lens, job)
    assert (r["version"], r["precision"], r["train_s"], r["updates"], r["links"]) == ("2.63", "float64", 0.5, 200, 9)
    assert r["examples"] == 800 and r["peak_mib"] > 0 and r["process_s"] > 0
    np.testing.assert_allclose(r["final_error"], 0.9138956, rtol=1e-6)
    assert lens_peer.run_lens(fake_lens, job)["train_s"] == 0.25
    monkeypatch.setenv("FAKE_LENS_MODE", "fail")
    with pytest.raises(PdpError, match=r"(?s)failed on xor \(exit status 3\).*no such group"):
        lens_peer.run_lens(fake_lens, job)
    monkeypatch.setenv("FAKE_LENS_MODE", "hang")
    with pytest.raises(PdpError, match="ran past 1 s"):
        lens_peer.run_lens(fake_lens, job, timeout=1)


def test_run_lens_checks_the_network_it_built(fake_lens, tmp_path):
    job = lens_peer.prepare("xor", True, tmp_path / "job")
    job.links = 10
    with pytest.raises(PdpError, match="built 9 links for xor, pdpsim 10"):
        lens_peer.run_lens(fake_lens, job)


@pytest.mark.slow
def test_bench_with_a_peer_interleaves_the_rounds(fake_lens, tmp_path):
    """run_bench with a peer: one pdpsim process and one Lens run per round, in turn; each side's
    best round; the ratio of the bests and each round's ratio."""
    from pdpsim.tools.bench import format_results, run_bench
    rows = run_bench(["xor", "xor-ensemble-1000"], repeat=2, quick=True, peer=fake_lens,
                     matmul={"dtype": "float64", "gflops": 10.0})
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert len(calls) == 4 and all(os.path.basename(c) in ("xor", "xor-ensemble-1000") for c in calls)
    xor, ens = rows
    for row in rows:
        p = row["peer"]
        assert p["train_s_all"] == [0.5, 0.25] and p["train_s"] == 0.25
        assert p["examples"] == 800 and p["examples_per_s"] == 800 / 0.25     # one XOR network, both rows
        assert len(row["train_s_all"]) == 2 and row["train_s"] == min(row["train_s_all"])
        assert row["ratio"] == pytest.approx(row["examples_per_s"] / (800 / 0.25))
        rounds = [(row["examples"] / t) / (800 / lt) for t, lt in zip(row["train_s_all"], (0.5, 0.25))]
        assert row["ratio_rounds"] == pytest.approx(rounds)
        assert (row["ratio_min"], row["ratio_max"]) == (min(rounds), max(rounds))
    assert ens["peer"]["per_network"] and not xor["peer"]["per_network"]
    assert ens["examples"] == 1000 * 4 * 50
    text = format_results(rows)
    assert "peer: Lens 2.63 (float64 build)" in text and "x Lens" in text and "2 rounds" in text
    assert "the ensemble is set against Lens's rate for one XOR network" in text
    assert f"{xor['ratio_min']:.2f}-{xor['ratio_max']:.2f}" in text


@pytest.mark.slow
def test_bench_cli_with_a_peer(fake_lens):
    import json

    from click.testing import CliRunner

    from pdpsim.cli.main import main
    r = CliRunner().invoke(main, ["bench", "--json", "--quick", "--repeat", "1", "--workload", "encoder-8-3-8",
                                  "--peer", f"lens={fake_lens}"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    w = data["workloads"][0]
    assert w["peer"]["train_s"] == 0.5 and w["peer"]["examples"] == 1600 and w["ratio_rounds"] == [w["ratio"]]
    mm = data["matmul"]
    assert mm["dtype"] == "float64" and mm["gflops"] == max(mm["batch_shape_gflops"], mm["square_gflops"]) > 0
    assert w["matmul_share"] == pytest.approx(w["gflops"] / mm["gflops"])
    assert w["flops"] == 1600 * 284 + 200 * 236 and w["flops_per_example"] == w["flops"] / 1600


def test_bench_cli_refuses_a_bad_peer(tmp_path):
    from click.testing import CliRunner

    from pdpsim.cli.main import main
    r = CliRunner().invoke(main, ["bench", "--peer", "psyneulink=/bin/true"])
    assert r.exit_code == 2 and "expected lens=PATH" in r.output
    r = CliRunner().invoke(main, ["bench", "--peer", f"lens={tmp_path / 'lens'}"])
    assert r.exit_code == 2 and "is not an executable file" in r.output


def test_the_script_is_plain_lens():
    """Only Lens's commands and plain Tcl: nothing of pdpsim's own in the script."""
    net, xs, params, _ = _build("encoder-8-3-8", True)
    text = lens_peer.lens_script(net, params, 10)
    assert text.splitlines()[1:4] == ["addNet encoder-8-3-8", "addGroup input 8 INPUT",
                                      "addGroup hidden 3"]
    assert "addGroup output 8 OUTPUT SUM_SQUARED" in text
    assert textwrap.dedent("""\
        set _t0 [clock microseconds]
        train 10 -algorithm momentum
        set _t1 [clock microseconds]
        """) in text
    assert text.rstrip().endswith("exit 0")
