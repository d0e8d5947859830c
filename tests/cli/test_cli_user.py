"""The command line as a new user meets it: every documented command, its rough edges, its exit codes.

Exit status: 0 when the asked-for thing happened; 1 when training failed (diverged, or its
criterion was not met with --require-criterion); 2 for usage and input errors, with one
``pdpsim: error: ...`` line.
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pdpsim.cli.main import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Run in an empty folder (local folders named like shipped specs)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def strict_json(path: Path):
    """The file parsed as strict JSON: NaN, Infinity and -Infinity are refused."""
    def refuse(name):
        raise AssertionError(f"{path}: {name} is not JSON")
    return json.loads(Path(path).read_text(), parse_constant=refuse)


def error_lines(output: str) -> list[str]:
    return [l for l in output.splitlines() if l.startswith("pdpsim: error:")]


def rows(output: str) -> dict[str, list[float]]:
    """A test table's rows: example name -> its numbers."""
    out = {}
    for line in output.splitlines()[1:]:
        if not line.strip():
            break
        name, *values = line.split()
        out[name] = [float(v) for v in values]
    return out


# ---------------------------------------------------------------- 1. analyze a run folder
def test_analyze_accepts_a_record_folder(run, tmp_path):
    rec = tmp_path / "rec"
    r = run("record", "xor", "--out", rec, "--epochs", 20, "--every", 10)
    assert r.exit_code == 0, r.output
    r = run("analyze", rec, "--out", tmp_path / "an", "--permutations", 10)
    assert r.exit_code == 0, r.output
    data = strict_json(tmp_path / "an" / "analysis.json")
    assert data["source"] == str(rec / "recording.npz") and data["epoch"] == 20
    assert (tmp_path / "an" / "hidden-dissimilarity.csv").exists()


def test_analyze_a_folder_without_a_recording(run, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = CliRunner().invoke(main, ["analyze", str(empty), "--out", str(tmp_path / "an")])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert f"'{empty}'" in line and "no recording" in line and "Traceback" not in r.output
    assert not (tmp_path / "an").exists()
    trained = tmp_path / "trained"                      # a run of `pdpsim train`: its spec and weights
    assert run("train", "xor", "--out", trained, "--no-progress").exit_code == 0
    r = CliRunner().invoke(main, ["analyze", str(trained), "--out", str(tmp_path / "an")])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "no recording" in line and f"--weights {trained / 'weights.npz'}" in line
    r = run("analyze", trained, "--weights", trained / "weights.npz", "--out", tmp_path / "an", "--permutations", 10)
    assert r.exit_code == 0, r.output
    assert strict_json(tmp_path / "an" / "analysis.json")["groups"]["hidden"]["leaves"]


# ---------------------------------------------------------------- 2. a folder named like a shipped spec
def test_a_run_folder_named_like_a_shipped_spec(run, here):
    r = run("train", "xor", "--out", "xor", "--no-progress")
    assert r.exit_code == 0, r.output
    r = run("test", "xor", "--weights", "xor/weights.npz")
    assert r.exit_code == 0, r.output
    got = rows(r.output)
    assert got["01"][0] > 0.85 and got["00"][0] < 0.15
    assert "total error 0.0139331 over 4 examples" in r.output


def test_a_run_folder_gives_its_own_spec(run, here):
    """The run's spec (from run.json), not the shipped spec of the same name."""
    r = run("train", "encoder-4-2-4", "--out", "xor", "--no-progress", "--epochs", 5)
    assert r.exit_code == 0, r.output
    r = run("test", "xor", "--weights", "xor/weights.npz")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].split()[:5] == ["example", "output:0", "output:1", "output:2", "output:3"]


def test_a_plain_folder_named_like_a_shipped_spec(run, here):
    (here / "xor").mkdir()
    r = run("test", "xor")
    assert r.exit_code == 0, r.output
    assert len(rows(r.output)) == 4
    (here / "mine").mkdir()
    r = CliRunner().invoke(main, ["test", "mine"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "'mine'" in line and "folder" in line and "run.json" in line and "shipped" in line


# ---------------------------------------------------------------- 3. options the command line lacked
def test_train_on_from_saved_weights(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--epochs", 100, "--no-progress")
    assert r.exit_code == 0, r.output
    after_a = strict_json(tmp_path / "a" / "run.json")["final_weights_error"]
    r = run("test", "xor", "--weights", tmp_path / "a" / "weights.npz")
    assert f"total error {after_a:.6g}" in r.output
    r = run("train", "xor", "--out", tmp_path / "b", "--epochs", 10, "--weights", tmp_path / "a" / "weights.npz",
            "--no-progress")
    assert r.exit_code == 0, r.output
    curve = pd.read_csv(tmp_path / "b" / "error.csv")
    # batch training: epoch 1's error is summed with the starting weights, a's final ones
    assert curve["error"].iloc[0] == pytest.approx(after_a, rel=1e-9)
    meta = strict_json(tmp_path / "b" / "run.json")
    assert meta["initial_weights"] == str(tmp_path / "a" / "weights.npz")
    r = CliRunner().invoke(main, ["train", "xor", "--out", str(tmp_path / "c"), "--weights",
                                  str(tmp_path / "nope.npz")])
    assert r.exit_code == 2 and "nope.npz': no such file" in r.output


def test_test_on_other_examples(run, tmp_path):
    yaml_file = tmp_path / "two.yaml"
    yaml_file.write_text("examples:\n  names: [a, b]\n  inputs: [[0, 1], [1, 1]]\n  targets: [[1], [0]]\n")
    r = run("test", "xor", "--examples", yaml_file)
    assert r.exit_code == 0, r.output
    assert list(rows(r.output)) == ["a", "b"] and "over 2 examples" in r.output
    bare = tmp_path / "bare.yaml"                      # the examples mapping itself
    bare.write_text("names: [c]\ninputs: [[1, 0]]\ntargets: [[1]]\n")
    r = run("test", "xor", "--examples", bare)
    assert r.exit_code == 0, r.output
    assert list(rows(r.output)) == ["c"]
    lens = tmp_path / "three.ex"
    lens.write_text("name: x\nI: 0 0  T: 0;\nname: y\nI: 1 0  T: 1;\nname: z\nI: 1 1  T: 0;\n")
    r = run("test", "xor", "--examples", lens)
    assert r.exit_code == 0, r.output
    assert list(rows(r.output)) == ["x", "y", "z"]
    wide = tmp_path / "wide.yaml"
    wide.write_text("examples:\n  inputs: [[0, 1, 1]]\n  targets: [[1]]\n")
    r = CliRunner().invoke(main, ["test", "xor", "--examples", str(wide)])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "wide.yaml, line 2" in line and "rows of 3 values for group 'input'" in line


def test_test_writes_csv(run, tmp_path):
    out = tmp_path / "t" / "table.csv"
    r = run("test", "xor", "--csv", out, "--group", "hidden")
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out, dtype={"example": str})
    assert list(table.columns) == ["example", "hidden:0", "hidden:1", "output:0", "target output:0", "error"]
    assert table["example"].tolist() == ["00", "01", "10", "11"]
    assert not list(out.parent.glob(".*.tmp"))
    assert f"wrote {out}" in r.output


def test_test_shows_hidden_units(run):
    r = run("test", "xor", "--group", "hidden")
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[0].split()
    assert header[:4] == ["example", "hidden:0", "hidden:1", "output:0"]
    values = rows(r.output)
    assert all(0 < v < 1 for row in values.values() for v in row[:2])
    assert len({tuple(row[:2]) for row in values.values()}) == 4       # one pattern per example
    r = CliRunner().invoke(main, ["test", "xor", "--group", "nope"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "'nope'" in line and "hidden" in line


def test_test_shows_hidden_units_of_networks_in_time(run, tmp_path):
    r = run("test", "dyslexia-attractor", "--group", "cleanup", "--csv", tmp_path / "a.csv")
    assert r.exit_code == 0, r.output
    table = pd.read_csv(tmp_path / "a.csv")
    assert list(table.columns[:3]) == ["example", "cleanup:0", "cleanup:1"] and "cleanup:59" in table.columns
    assert len(table) == 40 and table["cleanup:59"].between(0, 1).all()
    r = run("test", "elman-letters", "--group", "hidden", "--csv", tmp_path / "b.csv")
    assert r.exit_code == 0, r.output
    table = pd.read_csv(tmp_path / "b.csv")
    assert "hidden:19" in table.columns and table["hidden:19"].between(0, 1).all()


def test_train_algorithm_and_momentum(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--algorithm", "steepest", "--momentum", 0, "--epochs", 20,
            "--no-progress")
    assert r.exit_code == 0, r.output
    meta = strict_json(tmp_path / "a" / "run.json")
    assert meta["training"]["algorithm"] == "steepest" and meta["training"]["momentum"] == 0
    r = CliRunner().invoke(main, ["train", "xor", "--out", str(tmp_path / "b"), "--algorithm", "nope"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "--algorithm: unknown algorithm 'nope'" in line and "momentum" in line
    r = CliRunner().invoke(main, ["train", "xor", "--out", str(tmp_path / "b"), "--momentum", "-1"])
    assert r.exit_code == 2 and "--momentum: expected a number >= 0" in r.output
    assert not (tmp_path / "b").exists()


def test_init_copies_a_shipped_spec(run, here):
    from importlib import resources
    shipped = (resources.files("pdpsim.zoo") / "xor.yaml").read_text()
    r = run("init", "xor")
    assert r.exit_code == 0, r.output
    assert (here / "xor.yaml").read_text() == shipped and "wrote xor.yaml" in r.output
    r = CliRunner().invoke(main, ["init", "xor"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "xor.yaml" in line and "--force" in line
    (here / "xor.yaml").write_text("changed")
    r = run("init", "xor", "--force")
    assert r.exit_code == 0 and (here / "xor.yaml").read_text() == shipped
    r = run("init", "encoder-4-2-4", "--out", "specs/enc.yaml")
    assert r.exit_code == 0, r.output
    r = run("train", "specs/enc.yaml", "--out", "runs/enc", "--epochs", 3, "--no-progress")
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["init", "nope"])
    assert r.exit_code == 2 and "no shipped spec 'nope'" in r.output and "xor" in r.output


# ---------------------------------------------------------------- 4. what the final error is
def test_train_says_what_its_final_error_is(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--no-progress")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("xor: 187 epochs, final error 0.0145208, stopped by output_criterion (")
    assert "summed during epoch 187" in lines[1] and "0.0139331 with the final weights" in lines[1]
    meta = strict_json(tmp_path / "a" / "run.json")
    assert meta["final_error"] == pytest.approx(0.0145208, abs=1e-7)
    assert meta["final_weights_error"] == pytest.approx(0.0139331, abs=1e-7)


def test_hebb_final_error(run, tmp_path):
    spec = tmp_path / "hebb.yaml"
    spec.write_text("name: hebb\nseed: 1\nbias: false\ninit: {range: 0.0}\n"
                    "groups:\n  input: {units: 8, type: INPUT}\n"
                    "  output: {units: 8, type: OUTPUT, activation: LINEAR, error: SUM_SQUARED}\n"
                    "links: [input -> output]\nexamples: {generate: pattern_associator, kind: orthogonal}\n"
                    "training: {rule: hebb, learning_rate: 0.125, max_epochs: 1}\n")
    r = run("train", spec, "--out", tmp_path / "a", "--no-progress")
    assert r.exit_code == 0, r.output
    meta = strict_json(tmp_path / "a" / "run.json")
    r2 = run("test", spec, "--weights", tmp_path / "a" / "weights.npz")
    tested = float(r2.output.splitlines()[-1].split()[2])
    assert meta["final_weights_error"] == pytest.approx(tested) and meta["final_error"] != pytest.approx(tested)
    assert f"{tested:.6g} with the final weights" in r.output


# ---------------------------------------------------------------- 6. ensembles and sweeps
def test_ensemble_rates_share_seeds_and_mean_epochs_is_named(run, tmp_path):
    r = run("ensemble", "xor", "--seeds", 3, "--learning-rates", "0.5,1.0", "--epochs", 300, "--out", tmp_path / "e")
    assert r.exit_code == 0, r.output
    t = pd.read_csv(tmp_path / "e" / "results.csv")
    assert t["seed"].tolist() == [0, 1, 2, 0, 1, 2] and t["learning_rate"].tolist() == [0.5] * 3 + [1.0] * 3
    assert "6 networks of xor" in r.output
    header = r.output.splitlines()[1].split()
    assert "mean_epochs_converged" in header and "mean_epochs" not in header
    # the printed mean is over the converged networks, as the sweep's
    for rate, g in t.groupby("learning_rate"):
        line = next(l for l in r.output.splitlines() if l.split() and l.split()[0] == f"{rate:g}")
        value = line.split()[header.index("mean_epochs_converged")]
        ok = g.loc[g["converged"], "epochs"]
        assert (value == "NaN" and ok.empty) or float(value) == pytest.approx(ok.mean(), rel=1e-3)


def test_ensemble_and_sweep_summaries_agree():
    from pdpsim.tools.sweep import summarize
    results = pd.DataFrame({"learning_rate": [0.5, 0.5, 1.0], "seed": [0, 1, 0], "converged": [True, False, True],
                            "epochs": [100, 300, 50], "epochs_to_criterion": [100.0, np.nan, 50.0],
                            "final_error": [0.01, 0.5, 0.01], "seconds": [0.1, 0.2, 0.1]})
    s = summarize(results, ["learning_rate"])
    assert "mean_epochs" not in s.columns
    assert s["mean_epochs_converged"].tolist() == [100.0, 50.0]


@pytest.mark.parametrize("n", [0, -1])
def test_ensemble_needs_networks(n, tmp_path):
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", str(n), "--out", str(tmp_path / "e")])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "--seeds" in line and str(n) in line
    assert not (tmp_path / "e").exists()


def test_ensemble_zero_epochs_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "2", "--epochs", "0", "--out", str(tmp_path / "e")])
    assert r.exit_code == 2 and "--epochs" in r.output


# ---------------------------------------------------------------- 7. divergence, no epochs, strict JSON
def test_a_hint_when_the_error_did_not_fall(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--learning-rate", 1000, "--epochs", 50, "--no-progress")
    assert r.exit_code == 0, r.output
    assert "the error did not fall" in r.output and "learning rate may be too high" in r.output
    r = run("train", "xor", "--out", tmp_path / "b", "--no-progress")
    assert "did not fall" not in r.output


def test_divergence_exits_non_zero(tmp_path):
    r = CliRunner().invoke(main, ["train", "pa-dependent", "--out", str(tmp_path / "a"), "--learning-rate", "100",
                                  "--no-progress"])
    assert r.exit_code == 1
    (line,) = error_lines(r.output)
    assert "diverged at epoch" in line and "learning rate" in line
    assert "RuntimeWarning" not in r.output
    meta = strict_json(tmp_path / "a" / "run.json")                  # the run is kept, as strict JSON
    assert meta["stopped"] == "diverged" and meta["final_error"] is None


def test_a_handbook_script_that_diverges_exits_1_with_one_line(tmp_path, monkeypatch):
    from importlib import resources
    zoo = Path(str(resources.files("pdpsim.zoo"))) / "pdp"
    for f in zoo.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (zoo / "xor.str").read_text()
    assert "set param momentum .9" in text
    (tmp_path / "m.str").write_text(text.replace("set param momentum .9", "set param momentum 1e300"))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["pdp", "m.str", "--out", "o"])    # numpy's overflow warnings are errors here
    assert r.exit_code == 1, r.output
    (line,) = error_lines(r.output)
    assert line.startswith("pdpsim: error: m.str, line ") and "the error became nan" in line and "lrate" in line
    r = CliRunner().invoke(main, ["pdp", "xor.str", "--out", "o"])
    assert r.exit_code == 0 and not error_lines(r.output)


def test_zero_epochs(run, tmp_path):
    r = run("train", "xor", "--out", tmp_path / "a", "--epochs", 0, "--no-progress")
    assert r.exit_code == 0, r.output
    assert "nan" not in r.output.lower() and "no epochs run" in r.output
    meta = strict_json(tmp_path / "a" / "run.json")
    assert meta["epochs"] == 0 and meta["final_error"] is None and meta["final_weights_error"] > 0.5


def test_require_criterion(run, tmp_path):
    r = CliRunner().invoke(main, ["train", "xor", "--out", str(tmp_path / "a"), "--epochs", "10",
                                  "--require-criterion", "--no-progress"])
    assert r.exit_code == 1
    (line,) = error_lines(r.output)
    assert "criterion" in line and "10 epochs" in line
    r = run("train", "xor", "--out", tmp_path / "b", "--require-criterion", "--no-progress")
    assert r.exit_code == 0, r.output
    spec = tmp_path / "nocrit.yaml"
    spec.write_text("name: n\ngroups:\n  input: {units: 2, type: INPUT}\n  output: {units: 1, type: OUTPUT}\n"
                    "links: [input -> output]\nexamples: {generate: xor}\ntraining: {max_epochs: 5}\n")
    r = CliRunner().invoke(main, ["train", str(spec), "--out", str(tmp_path / "c"), "--require-criterion"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)
    assert "--require-criterion" in line and "error_criterion" in line
    assert not (tmp_path / "c").exists()


def test_usage_errors_are_one_line():
    r = CliRunner().invoke(main, ["train", "xor"])
    assert r.exit_code == 2
    (line,) = error_lines(r.output)                     # (the runner calls the program 'main')
    assert line.startswith("pdpsim: error: Missing option '--out'. (see '") and line.endswith(" train --help')")
    assert r.output.strip() == line
    r = CliRunner().invoke(main, ["train", "xor", "--out", "o", "--epochs", "many"])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    assert "Invalid value for '--epochs'" in r.output


def test_help_documents_exit_codes(run):
    r = run("--help")
    text = " ".join(r.output.split())
    assert "0 done" in text and "1 training failed" in text and "2 usage or input error" in text


def test_sweep_task_metrics_are_strict_json(tmp_path):
    """A task that diverges writes metrics.json with null for its infinite error, and the
    results table reads it back as NaN."""
    from pdpsim.formats.spec import load_spec
    from pdpsim.tools.sweep import expand, results_table, run_task
    spec = load_spec("pa-dependent")
    model = __import__("pdpsim").load("pa-dependent")
    (task,) = expand(model.training, {"learning_rate": [100.0]}, [1])
    job = {"id": task.id, "spec_data": spec.data, "spec_source": spec.source, "spec_hash": spec.digest,
           "training": task.training, "seed": task.seed, "overrides": task.overrides, "out": str(tmp_path),
           "index": None, "payload": False}
    m = run_task(job)
    assert m["stopped"] == "diverged"
    metrics = strict_json(tmp_path / "tasks" / task.id / "metrics.json")
    assert metrics["final_error"] is None
    table = results_table([task], {task.id: metrics}, ["learning_rate"])
    assert math.isnan(table["final_error"].iloc[0])
