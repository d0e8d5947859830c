"""Ensembles equal separate runs with the same seeds."""
import numpy as np
import pytest

import pdpsim
from pdpsim import ensemble


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
@pytest.mark.parametrize("order,algorithm", [("ordered", "momentum"), ("permuted", "steepest"),
                                             ("random", "dougs_momentum")])
def test_ensemble_equals_separate_runs(order, algorithm, backend):
    seeds = [0, 1, 2, 3, 7]
    rates = [0.5, 0.5, 1.0, 0.25, 0.5]
    ens = ensemble.from_spec("xor", seeds)
    res = ensemble.train(ens, learning_rates=rates, order=order, algorithm=algorithm, max_epochs=400,
                         batch_size=2 if order != "ordered" else 0, backend=backend)
    for k, (s, lr) in enumerate(zip(seeds, rates)):
        m = pdpsim.load("xor", seed=s)
        r = pdpsim.train(m.network, m.examples, m.training, learning_rate=lr, order=order, algorithm=algorithm,
                         max_epochs=400, batch_size=2 if order != "ordered" else 0, backend="numpy")
        assert res.stopped[k] == r.stopped and res.epochs_to_stop[k] == r.n_epochs
        np.testing.assert_allclose(res.errors[:r.n_epochs, k], r.errors, rtol=1e-12)
        for b in m.network.blocks:
            np.testing.assert_allclose(ens.network.block(b.source.name, b.dest.name).weights[k], b.weights,
                                       rtol=1e-12, atol=1e-14)
    if algorithm == "momentum":
        assert res.converged.sum() >= 3          # and the stopped members froze at their own epoch
    assert len(res.table()) == len(seeds)


def test_ensemble_refuses_mismatched_rates():
    ens = ensemble.from_spec("xor", [0, 1])
    with pytest.raises(pdpsim.PdpError, match="3 learning rates for 2 networks"):
        ensemble.train(ens, learning_rates=[0.1, 0.2, 0.3])


def test_ensemble_command_and_spec_table(tmp_path):
    from click.testing import CliRunner
    from pdpsim.cli import main
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "6", "--learning-rates", "0.5,1.0",
                                  "--out", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    import pandas as pd
    t = pd.read_csv(tmp_path / "e" / "results.csv")
    assert t["seed"].tolist() == list(range(6)) and t["learning_rate"].tolist() == [0.5] * 3 + [1.0] * 3
    m = pdpsim.load("xor", seed=4)
    single = pdpsim.train(m.network, m.examples, m.training, learning_rate=1.0)
    assert t.loc[4, "epochs"] == single.n_epochs
    spec = tmp_path / "x.yaml"
    spec.write_text("name: x\nensemble: {seeds: 4, learning_rates: [0.5]}\n"
                    "groups:\n  input: {units: 2, type: INPUT}\n  hidden: {units: 2}\n"
                    "  output: {units: 1, type: OUTPUT}\nlinks: [input -> hidden, hidden -> output]\n"
                    "examples: {generate: xor}\n")
    seeds, rates = ensemble.spec_settings(str(spec))
    assert seeds == [0, 1, 2, 3] and rates == [0.5] * 4
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "5", "--learning-rates", "0.5,1.0",
                                  "--out", str(tmp_path / "f")])
    assert r.exit_code == 2 and "2 learning rates do not divide 5 networks" in r.output
