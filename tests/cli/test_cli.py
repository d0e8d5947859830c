"""The command line: train/test/explain/demo/bench, and the messages bad input gets."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim.cli.main import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


def test_train_writes_run_and_test_reads_it(run, tmp_path):
    out = tmp_path / "run"
    r = run("train", "xor", "--out", out, "--no-progress")
    assert r.exit_code == 0, r.output
    assert "stopped by output_criterion" in r.output
    for f in ("error.csv", "weights.npz", "error.png", "run.json"):
        assert (out / f).stat().st_size > 0
    assert not list(out.glob(".*.tmp"))                      # nothing half-written left behind
    import pandas as pd
    curve = pd.read_csv(out / "error.csv")
    meta = json.loads((out / "run.json").read_text())
    assert len(curve) == meta["epochs"] and curve["error"].iloc[-1] == pytest.approx(meta["final_error"])
    assert (out / "error.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = run("test", "xor", "--weights", out / "weights.npz")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:2] == ["example", "output:0"]
    rows = {l.split()[0]: float(l.split()[1]) for l in lines[1:5]}
    assert rows["01"] > 0.85 and rows["10"] > 0.85 and rows["00"] < 0.15 and rows["11"] < 0.15
    assert "total error" in lines[-1]


def test_train_overrides_and_seed(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--epochs", 5, "--seed", 3, "--no-progress")
    assert r.exit_code == 0 and "5 epochs" in r.output
    meta = json.loads((tmp_path / "a" / "run.json").read_text())
    assert meta["seed"] == 3 and meta["training"]["max_epochs"] == 5


def test_explain_default_is_the_lecture(run):
    r = run("explain")
    assert r.exit_code == 0
    assert "n[hidden:0] = a[input:0] w[input:0->hidden:0]" in r.output
    assert "= 0.03 * 0.13 = 0.0039" in r.output
    assert "a[output:0] = 1 / (1 + exp(-n)) = 0.539992" in r.output
    assert "E = 0.105804" in r.output
    assert "new w = 0.13 + 0.000137119 = 0.130137" in r.output


def test_explain_user_network(run):
    r = run("explain", "--input", 1.0, "--w1", 0.5, "--w2", -0.5, "--target", 0, "-e", 0.1)
    assert r.exit_code == 0
    assert "= 1 * 0.5 = 0.5" in r.output and "Against the slides" not in r.output
    r = run("explain", "xor", "--example", "11")
    assert r.exit_code == 0 and "example '11'" in r.output


def test_demo_quick(run, tmp_path):
    r = run("demo", "--out", tmp_path / "d", "--quick")
    assert r.exit_code == 0, r.output
    for f in ("xor-error.png", "hebb-vs-delta.png", "xor-similarity.png", "xor-hidden-space.png"):
        assert (tmp_path / "d" / f).exists()
    assert str((tmp_path / "d").resolve()) in r.output
    assert "Delta = Hebb" in r.output


@pytest.mark.slow
def test_bench_quick_json(run):
    r = run("bench", "--json", "--quick", "--repeat", 1, "--workload", "100-200-100-batch")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    w = data["workloads"]
    assert w[0]["workload"] == "100-200-100-batch" and w[0]["examples_per_s"] > 0
    assert w[0]["links"] == 100 * 200 + 200 * 100 + 200 + 100
    s = data["startup"]                   # fresh processes: Python alone starts sooner than either
    assert 0 < s["python_s"] < min(s["import_pdpsim_s"], s["cli_help_s"])


@pytest.mark.slow
def test_bench_with_an_array_backend(run):
    """--backend trains each workload with that backend (here array:numpy, on the CPU), networks
    in time included; an unknown backend is a usage error."""
    r = run("bench", "--json", "--quick", "--repeat", 1, "--backend", "array:numpy", "--workload", "xor",
            "--workload", "attractor-batch", "--workload", "xor-ensemble-1000")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)["workloads"]
    assert [d["workload"] for d in data] == ["xor", "attractor-batch", "xor-ensemble-1000"]
    assert [d["backend"] for d in data] == ["array:numpy", "array:numpy", "array:numpy ensemble"]
    bad = CliRunner().invoke(main, ["bench", "--backend", "array:nope"])
    assert bad.exit_code == 2 and "unknown array namespace 'array:nope'" in bad.output


def test_train_with_a_backend_override(run, tmp_path):
    """`train --backend` replaces the spec's training.backend; the run records it and gives the
    numpy path's result (XOR: 187 epochs)."""
    r = run("train", "xor", "--out", tmp_path / "a", "--backend", "array:array_api_strict", "--no-progress")
    assert r.exit_code == 0, r.output
    assert "187 epochs" in r.output
    meta = json.loads((tmp_path / "a" / "run.json").read_text())
    assert "array:array_api_strict" in json.dumps(meta)


# ----------------------------------------------------------------- bad input
def test_bad_input_messages(run, tmp_path):
    bad = tmp_path / "wide.yaml"
    bad.write_text("groups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT}\n"
                   "links: [input -> output]\nexamples:\n  inputs: [[0, 1, 1]]\n  targets: [[1]]\n")
    r = CliRunner().invoke(main, ["train", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "wide.yaml, line 6: examples.inputs.0: rows of 3 values for group 'input', which has 2 units" in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "o").exists()

    nan = tmp_path / "nan.yaml"
    nan.write_text("groups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT}\n"
                   "links: [input -> output]\nexamples:\n  names: [a, b]\n  inputs: [[0, 1], [.nan, 1]]\n"
                   "  targets: [[1], [0]]\n")
    r = CliRunner().invoke(main, ["train", str(nan), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "inputs for group 'input': NaN at example 'b', unit 0 (inputs must be numbers)" in r.output

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("groups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT, "
                       "activation: NO_SUCH_UNIT}\n")
    r = CliRunner().invoke(main, ["test", str(unknown)])
    assert r.exit_code == 2 and "unknown.yaml, line 3: groups.output.activation" in r.output
    assert "unknown unit type 'NO_SUCH_UNIT'" in r.output

    r = CliRunner().invoke(main, ["test", str(tmp_path / "absent.yaml")])
    assert r.exit_code == 2 and "absent.yaml': no such file" in r.output

    unreadable = tmp_path / "binary.yaml"
    unreadable.write_bytes(b"\xff\xfe\x00\x81")
    r = CliRunner().invoke(main, ["test", str(unreadable)])
    assert r.exit_code == 2 and "binary.yaml': not a text file" in r.output

    junk = tmp_path / "junk.npz"
    junk.write_text("not a zip")
    r = CliRunner().invoke(main, ["test", "xor", "--weights", str(junk)])
    assert r.exit_code == 2 and "junk.npz': not a pdpsim .npz weights file" in r.output


def test_weights_from_another_network_are_refused(run, tmp_path):
    run("train", "encoder-4-2-4", "--out", tmp_path / "enc", "--epochs", 2, "--no-progress")
    r = CliRunner().invoke(main, ["test", "xor", "--weights", str(tmp_path / "enc" / "weights.npz")])
    assert r.exit_code == 2
    assert "link block input->hidden has weights of shape (4, 2), expected (2, 2)" in r.output


def test_example_set_errors_in_python():
    import pdpsim
    net = pdpsim.load("xor").network
    xs = pdpsim.ExampleSet({"input": np.zeros((4, 3))}, {"output": np.zeros((4, 1))}, names=list("abcd"))
    with pytest.raises(pdpsim.PdpError, match=r"example 'a': 3 input values for group 'input', which has 2 units"):
        pdpsim.train(net, xs)
    xs = pdpsim.ExampleSet({"inp": np.zeros((4, 2))}, {"output": np.zeros((4, 1))})
    with pytest.raises(pdpsim.PdpError, match=r"inputs for group 'inp', but the network has no group 'inp'"):
        pdpsim.train(net, xs)
    with pytest.raises(pdpsim.PdpError, match=r"groups disagree on the number of examples"):
        pdpsim.ExampleSet({"input": np.zeros((4, 2))}, {"output": np.zeros((3, 1))})
    with pytest.raises(pdpsim.PdpError, match=r"targets for group 'output': infinite value"):
        pdpsim.ExampleSet({"input": np.zeros((1, 2))}, {"output": [[np.inf]]})


def test_reproduce_holds_every_reproduction_and_old_names_still_run(run):
    r = run("reproduce", "--help")
    assert r.exit_code == 0
    listed = [line.split()[0] for line in r.output.split("Commands:")[1].splitlines() if line.strip()]
    assert sorted(listed) == ["elman", "family-trees", "plaut-shallice", "pmsp", "semantic", "xor"]
    for old in ("reproduce-elman", "reproduce-plaut-shallice"):   # hidden aliases, kept for old scripts
        r = run(old, "--help")
        assert r.exit_code == 0 and "--out" in r.output
    r = run("reproduce-elman", "words", "--out", "x")
    assert r.exit_code == 2 and "letters" in r.output
    r = run("--help")
    assert r.exit_code == 0 and "reproduce" in r.output
    assert "reproduce-elman" not in r.output and "reproduce-plaut-shallice" not in r.output
