"""Recording, representation analysis and its figures: checked against independent computations."""
import itertools
import json

import click
import numpy as np
import pytest
from click.testing import CliRunner
from scipy.spatial.distance import pdist, squareform
from scipy.stats import spearmanr

from pdpsim import ExampleSet, PdpError, load, test, train
from pdpsim import analysis
from pdpsim.analysis import plots
from pdpsim.records.recording import QUANTITIES, Recorder, load_recording, record


def xor_model(seed=0):
    return load("xor", seed=seed)


# ---------------------------------------------------------------- recording
def test_recorder_does_not_change_training():
    a, b = xor_model(), xor_model()
    rec = Recorder(b.network, b.examples, quantities=("output", "net_input", "output_deriv", "input_deriv"),
                   every=3, weights=True)
    ra = train(a.network, a.examples, a.training, max_epochs=120)
    rb = train(b.network, b.examples, b.training, max_epochs=120, callbacks=[rec])
    assert np.array_equal(ra.errors, rb.errors)
    for k, w in a.network.get_weights().items():
        assert np.array_equal(w, b.network.get_weights()[k])
    # permuted order draws from the network's generator: recording must not touch it either
    c, d = xor_model(), xor_model()
    rc = train(c.network, c.examples, c.training, max_epochs=60, order="permuted", batch_size=1)
    rd = train(d.network, d.examples, d.training, max_epochs=60, order="permuted", batch_size=1,
               callbacks=[Recorder(d.network, d.examples, "hidden", ("output", "input_deriv"), every=1)])
    assert np.array_equal(rc.errors, rd.errors)


def test_recorded_values_are_a_test_pass():
    m = xor_model()
    net, xs = m.network, m.examples
    rec = Recorder(net, xs, ["hidden", "output"], QUANTITIES[:4], epochs=[5, 17], weights=True)
    rec.capture(0)
    train(net, xs, m.training, max_epochs=17, callbacks=[rec])
    assert rec.epochs.tolist() == [0, 5, 17]
    assert rec.weight_epochs.tolist() == [0, 5, 17]
    # an independent computation of epoch 17's values from its weights
    x = xs.inputs["input"][:, 0]
    t = xs.targets["output"][:, 0]
    w = {k: v[-1] for k, v in ((b, rec.weights(b)) for b in rec.blocks)}
    assert np.array_equal(w["input->hidden"], net.block("input", "hidden").weights)
    sig = lambda n: 1 / (1 + np.exp(-n))
    n_h = x @ w["input->hidden"] + w["bias->hidden"][0]
    h = sig(n_h)
    n_o = h @ w["hidden->output"] + w["bias->output"][0]
    o = sig(n_o)
    np.testing.assert_allclose(rec.patterns("hidden", 17, "net_input"), n_h, rtol=1e-12)
    np.testing.assert_allclose(rec.patterns("hidden"), h, rtol=1e-12)
    np.testing.assert_allclose(rec.patterns("output"), o, rtol=1e-12)
    d_o = -(t - o)                                   # dE/da for E = 1/2 sum (t - a)^2
    np.testing.assert_allclose(rec.patterns("output", 17, "output_deriv"), d_o, rtol=1e-12)
    dn_o = d_o * o * (1 - o)
    np.testing.assert_allclose(rec.patterns("output", 17, "input_deriv"), dn_o, rtol=1e-12)
    np.testing.assert_allclose(rec.patterns("hidden", 17, "output_deriv"), dn_o @ w["hidden->output"].T, rtol=1e-12)
    # weights recorded at epoch 5 are those of a network trained for exactly 5 epochs
    m5 = xor_model()
    train(m5.network, m5.examples, m5.training, max_epochs=5)
    assert np.array_equal(rec.weights("input->hidden")[1], m5.network.block("input", "hidden").weights)
    # record(): one pass equals pdpsim.test
    one = record(net, xs, "output")
    assert np.array_equal(one.patterns("output"), test(net, xs).outputs["output"])


def test_every_and_capture_once():
    m = xor_model()
    rec = Recorder(m.network, m.examples, "hidden", every=10)
    rec.capture(0)
    r = train(m.network, m.examples, m.training, max_epochs=45, callbacks=[rec])
    rec.capture(r.n_epochs)
    rec.capture(r.n_epochs)                          # a repeat is ignored
    assert rec.epochs.tolist() == [0, 10, 20, 30, 40, 45]
    assert rec.array("hidden").shape == (6, 4, 2)
    assert rec.weight_epochs.size == 0


def test_frame_is_tidy_and_files_round_trip(tmp_path):
    m = xor_model()
    with pytest.raises(PdpError, match="quantity 'target'"):
        Recorder(m.network, m.examples, ["hidden"], ("target",))
    rec = Recorder(m.network, m.examples, ["hidden", "output"], ("output", "net_input"), epochs=[2, 4],
                   weights=["hidden->output"])
    train(m.network, m.examples, m.training, max_epochs=4, callbacks=[rec])
    df = rec.frame()
    assert list(df.columns) == ["epoch", "example", "group", "unit", "quantity", "value"]
    assert len(df) == 2 * 4 * (2 + 1) * 2
    sel = df[(df.epoch == 4) & (df.group == "hidden") & (df.quantity == "output")]
    assert sel["example"].tolist() == ["00", "00", "01", "01", "10", "10", "11", "11"]
    assert sel["unit"].tolist()[:2] == m.network.group("hidden").unit_names
    np.testing.assert_array_equal(sel["value"].to_numpy().reshape(4, 2), rec.patterns("hidden", 4))
    wf = rec.weight_frame()
    assert list(wf.columns) == ["epoch", "block", "sender", "receiver", "value"] and len(wf) == 2 * 2
    rec.save(tmp_path / "r.npz")
    back = load_recording(tmp_path / "r.npz")
    for g in ("hidden", "output"):
        for q in ("output", "net_input"):
            assert np.array_equal(back.array(g, q), rec.array(g, q))
    assert np.array_equal(back.weights("hidden->output"), rec.weights("hidden->output"))
    assert back.example_names == rec.example_names and back.unit_names == rec.unit_names
    rec.save(tmp_path / "r.csv")
    csv = load_recording(tmp_path / "r.csv")
    assert np.array_equal(csv.array("hidden"), rec.array("hidden"))   # 17 digits: exact
    assert csv.epochs.tolist() == [2, 4]
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(PdpError, match="expected a .npz or .csv"):
        rec.save(tmp_path / "r.parquet")


def test_recording_errors(tmp_path):
    m = xor_model()
    net, xs = m.network, m.examples
    with pytest.raises(PdpError, match="no group 'nope'.*groups: input, hidden, output"):
        Recorder(net, xs, ["nope"])
    with pytest.raises(PdpError, match="unknown quantity 'activation'"):
        Recorder(net, xs, ["hidden"], ("activation",))
    with pytest.raises(PdpError, match="INPUT groups"):
        Recorder(net, xs, ["input"], ("output_deriv",))
    no_targets = ExampleSet({"input": xs.inputs["input"]}, {}, names=xs.names)
    with pytest.raises(PdpError, match="no targets for output group"):
        Recorder(net, no_targets, ["hidden"], ("input_deriv",))
    record(net, no_targets, ["hidden"])                         # plain outputs need no targets
    with pytest.raises(PdpError, match="link block 'a->b'"):
        Recorder(net, xs, ["hidden"], weights=["a->b"])
    with pytest.raises(PdpError, match="interval must be >= 1"):
        Recorder(net, xs, ["hidden"], every=0)
    rec = record(net, xs, ["hidden"])
    with pytest.raises(PdpError, match="no epoch 3 .*recorded epochs: 0"):
        rec.patterns("hidden", 3)
    with pytest.raises(PdpError, match="no group 'output'"):
        rec.patterns("output")
    from pdpsim import save_weights
    save_weights(net, tmp_path / "w.npz")
    with pytest.raises(PdpError, match="not a pdpsim recording"):
        load_recording(tmp_path / "w.npz")
    with pytest.raises(PdpError, match="no such file"):
        load_recording(tmp_path / "missing.npz")


# ---------------------------------------------------------------- dissimilarity and RSA
@pytest.mark.parametrize("metric", ["euclidean", "correlation", "cosine"])
def test_dissimilarity_matches_scipy(metric):
    x = np.random.default_rng(1).normal(size=(9, 5))
    d = analysis.dissimilarity(x, metric)
    np.testing.assert_allclose(d, squareform(pdist(x, metric)), atol=1e-12)
    assert np.array_equal(d, d.T) and np.all(np.diag(d) == 0)


def test_dissimilarity_flat_patterns_and_errors():
    x = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 2.0], [2.0, 2.0, 2.0], [2.0, 1.0, 0.0]])
    d = analysis.dissimilarity(x, "correlation")
    assert d[0, 1] == 1.0 and d[0, 2] == 1.0 and d[1, 3] == pytest.approx(2.0)
    assert np.isfinite(d).all()
    c = analysis.dissimilarity(np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]), "cosine")
    assert c[0, 1] == 0.0 and c[0, 2] == 1.0
    with pytest.raises(PdpError, match="unknown metric 'manhattan'.*euclidean, correlation, cosine"):
        analysis.dissimilarity(x, "manhattan")
    with pytest.raises(PdpError, match="at least 2 examples"):
        analysis.dissimilarity(x[:1])


def test_rsa_matches_a_direct_computation():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(7, 4))
    b = a + 0.8 * rng.normal(size=(7, 4))
    r = analysis.rsa(a, b, metric="euclidean", n_permutations=300, seed=11)
    da, db = squareform(pdist(a)), squareform(pdist(b))
    iu = np.triu_indices(7, 1)
    assert r.rho == pytest.approx(spearmanr(da[iu], db[iu])[0], abs=1e-12)
    # the same relabellings, done the slow way with scipy
    gen = np.random.default_rng(11)
    null = []
    for _ in range(300):
        p = gen.permutation(7)
        null.append(spearmanr(da[iu], db[np.ix_(p, p)][iu])[0])
    np.testing.assert_allclose(r.null, null, atol=1e-12)
    assert r.p_value == pytest.approx((1 + np.sum(np.array(null) >= r.rho - 1e-12)) / 301)
    again = analysis.rsa(a, b, metric="euclidean", n_permutations=300, seed=11)
    assert again.p_value == r.p_value and np.array_equal(again.null, r.null)


def test_rsa_exact_and_power():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(10, 6))
    same = analysis.rsa(a, 3.0 * a, metric="euclidean", n_permutations=2000, seed=0)
    assert same.rho == pytest.approx(1.0) and same.p_value < 0.002 and not same.exact
    unrelated = analysis.rsa(a, rng.normal(size=(10, 6)), metric="correlation", n_permutations=2000, seed=0)
    assert abs(unrelated.rho) < 0.4 and unrelated.p_value > 0.05
    small = analysis.rsa(a[:4], a[:4] ** 2, metric="euclidean", n_permutations=100)
    assert small.exact and small.n_permutations == 24
    expected = np.mean([spearmanr(analysis.upper(analysis.dissimilarity(a[:4])),
                                  analysis.upper(analysis.dissimilarity((a[:4] ** 2)[list(p)])))[0] >= small.rho - 1e-12
                        for p in itertools.permutations(range(4))])
    assert small.p_value == pytest.approx(expected)


def test_rsa_errors():
    a = np.random.default_rng(0).normal(size=(6, 3))
    with pytest.raises(PdpError, match="example count mismatch: 6 .* 5"):
        analysis.rsa(a, a[:5])
    with pytest.raises(PdpError, match="unknown metric"):
        analysis.rsa(a, a, metric="hamming")
    with pytest.raises(PdpError, match="not symmetric"):
        analysis.rsa(np.arange(9.0).reshape(3, 3), np.eye(3), precomputed=True)


# ---------------------------------------------------------------- clustering and projections
def blobs():
    rng = np.random.default_rng(2)
    centres = np.array([[0, 0, 0], [5, 5, 0], [0, 5, 5], [5, 0, 5]], float)
    return np.vstack([c + 0.1 * rng.normal(size=(3, 3)) for c in centres]), np.repeat(list("abcd"), 3)


def test_cluster_recovers_groups():
    x, lab = blobs()
    names = [f"{l}{i}" for i, l in enumerate(lab)]
    cl = analysis.cluster(x, names, "euclidean", "average")
    k4 = cl.clusters(4)
    for g in "abcd":
        assert len(set(k4[lab == g])) == 1
    assert len(set(k4)) == 4
    assert sorted(cl.leaves) == sorted(names)
    assert cl.merge_height(["a0", "a1", "a2"]) < 1.0 < cl.merge_height(["a0", "b3"])
    with pytest.raises(PdpError, match="unknown linkage method 'median-ish'"):
        analysis.cluster(x, method="median-ish")
    with pytest.raises(PdpError, match="'ward' needs the euclidean metric"):
        analysis.cluster(x, metric="correlation", method="ward")
    with pytest.raises(PdpError, match="11 names for 12 examples"):
        analysis.cluster(x, names[:-1])


def test_mds_and_pca():
    rng = np.random.default_rng(4)
    flat = np.hstack([rng.normal(size=(8, 2)) * [3, 1], np.zeros((8, 3))])      # a 2-D configuration in 5-D
    p = analysis.mds(flat, seed=1)
    np.testing.assert_allclose(pdist(p.coords), pdist(flat), atol=1e-3)
    assert np.array_equal(p.coords, analysis.mds(flat, seed=1).coords)           # seeded: bit-identical
    np.testing.assert_allclose(p.coords.mean(axis=0), 0, atol=1e-12)
    assert all(p.coords[np.argmax(np.abs(p.coords[:, j])), j] > 0 for j in range(2))
    q = analysis.pca(flat, 3)
    assert q.explained[:2].sum() == pytest.approx(1.0) and q.explained[2] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(pdist(q.coords[:, :2]), pdist(flat), atol=1e-10)
    from sklearn.decomposition import PCA
    ref = PCA(2).fit(flat)
    np.testing.assert_allclose(np.abs(q.components[:2]), np.abs(ref.components_), atol=1e-10)
    with pytest.raises(PdpError, match="patterns or dissimilarities"):
        analysis.mds()


def test_trajectory_is_fitted_jointly():
    rng = np.random.default_rng(6)
    start = np.hstack([rng.normal(size=(5, 2)), np.zeros((5, 2))])     # exactly 2-D, so both are exact
    stack = np.stack([start, start, start * 3.0])
    for method in ("pca", "mds"):
        tr = analysis.trajectory(stack, [0, 10, 20], list("abcde"), method=method, seed=0)
        assert tr.coords.shape == (3, 5, 2)
        np.testing.assert_allclose(tr.coords[0], tr.coords[1], atol=1e-6)
        # one space for all epochs: the spread at epoch 20 is three times that at epoch 0
        np.testing.assert_allclose(pdist(tr.coords[2]), 3 * pdist(tr.coords[0]), rtol=1e-6)
    with pytest.raises(PdpError, match="2 epochs for 3"):
        analysis.trajectory(stack, [0, 1])


def test_levels_and_onsets():
    x = np.array([[0, 0, 0], [0, 0, 1], [0, 2, 0], [0, 2, 1], [4, 0, 0], [4, 0, 1], [4, 2, 0], [4, 2, 1]], float)
    top = [0, 0, 0, 0, 1, 1, 1, 1]
    mid = [0, 0, 1, 1, 2, 2, 3, 3]
    lv = analysis.level_distances(x, [top, mid])
    assert lv[2] == pytest.approx(1.0)                                # within the basic pairs
    assert lv[1] == pytest.approx(np.mean([2, np.sqrt(5), np.sqrt(5), 2]))
    assert lv[0] > lv[1] > lv[2]
    b, w = analysis.between_within(x, top)
    assert b > w
    curves = np.array([[0, 0], [1, 0], [2, 1], [2, 4]], float)
    np.testing.assert_array_equal(analysis.onset_epochs(curves, [0, 10, 20, 30]), [10, 30])
    np.testing.assert_array_equal(analysis.onset_epochs(curves, [0, 10, 20, 30], threshold=1.5), [20, 30])


def test_linear_readouts():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    xor, and_ = np.array([0, 1, 1, 0]), np.array([0, 0, 0, 1])
    assert not analysis.linear_separability(x, xor)["separable"]
    sep = analysis.linear_separability(x, and_)
    assert sep["separable"]
    s = np.where(and_ == 1, 1, -1)
    assert np.all(s * (x @ sep["weights"] + sep["bias"]) > 0)
    assert analysis.best_linear_accuracy(x, xor) == 0.75
    assert analysis.best_linear_accuracy(x, and_) == 1.0
    rng = np.random.default_rng(0)
    lab = np.repeat(["p", "q", "r"], 8)
    codes = rng.normal(size=(24, 4)) * 0.1
    codes[:, 2] += np.repeat([0.0, 1.0, 2.0], 8)
    r = analysis.readout(codes, lab, "thing", ordered=["p", "q", "r"])
    assert r.accuracy == 1.0 and r.best_unit == 2 and r.unit_correlations[2] > 0.95
    assert r.chance == pytest.approx(1 / 3)
    noise = analysis.readout(rng.normal(size=(24, 4)), lab, "noise")
    assert noise.accuracy < 0.7
    with pytest.raises(PdpError, match="3 labels for 4 examples"):
        analysis.readout(x, [1, 2, 3])


# ---------------------------------------------------------------- figures
@pytest.mark.parametrize("suffix,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_figures_by_suffix(tmp_path, suffix, magic):
    x, lab = blobs()
    names = [f"e{i}" for i in range(len(x))]
    d = analysis.dissimilarity(x)
    cl = analysis.cluster(x, names)
    tr = analysis.trajectory(np.stack([x * 0.1, x]), [0, 5], names)
    w = np.random.default_rng(0).normal(size=(3, 2))
    made = [
        plots.hinton(w, tmp_path / f"h.{suffix}", ["a", "b", "c"], ["u", "v"], title="w"),
        plots.hinton_blocks({"in->hid": w, "hid->out": w[:2, :1]}, tmp_path / f"hb.{suffix}",
                            {"in": list("abc"), "hid": ["u", "v"], "out": ["o"]}),
        plots.hinton_panels([("one", w), ("two", -w)], tmp_path / f"hp.{suffix}"),
        plots.activations(1 / (1 + np.exp(-x)), tmp_path / f"a.{suffix}", names, ["x", "y", "z"]),
        plots.dissimilarity_matrix(d, tmp_path / f"d.{suffix}", names, order=cl.order),
        plots.dendrograms([("first", cl), ("again", cl)], tmp_path / f"den.{suffix}"),
        plots.projection(analysis.pca(x).coords, tmp_path / f"p.{suffix}", names, list(lab)),
        plots.trajectory(tr, tmp_path / f"t.{suffix}", categories=list(lab)),
        plots.curves([0, 1, 2], {"a": [0, 1, 2], "b": [0, 0, 2]}, tmp_path / f"c.{suffix}", "d", marks={"a": 1}),
        plots.counts([0, 2, 2, 4], tmp_path / f"n.{suffix}", 4, chance=0.2),
    ]
    for f in made:
        assert f.read_bytes()[:len(magic)] == magic, f
    assert not list(tmp_path.glob(".*.tmp"))


def test_figure_errors(tmp_path):
    with pytest.raises(PdpError, match="expected a .png, .svg or .pdf"):
        plots.hinton(np.eye(2), tmp_path / "h.jpg")
    with pytest.raises(PdpError, match="3 names for 2"):
        plots.activations(np.eye(2), tmp_path / "a.png", ["a", "b", "c"])
    with pytest.raises(PdpError, match="2-D"):
        plots.hinton(np.zeros((2, 2, 2)), tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()


# ---------------------------------------------------------------- commands
@pytest.fixture
def cli():
    from pdpsim.cli.main import _Group
    from pdpsim.cli.analysis import register

    @click.group(cls=_Group)
    def group():
        pass
    register(group)
    runner = CliRunner()
    return lambda *args: runner.invoke(group, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.slow
def test_record_then_analyze(cli, tmp_path):
    r = cli("record", "xor", "--out", tmp_path / "run", "--every", "20", "--csv")
    assert r.exit_code == 0, r.output
    rec = load_recording(tmp_path / "run" / "recording.npz")
    assert rec.groups == ["hidden", "output"] and rec.epochs[0] == 0 and rec.epochs[-1] == json_epochs(tmp_path)
    assert np.array_equal(load_recording(tmp_path / "run" / "recording.csv").array("hidden"), rec.array("hidden"))
    r = cli("analyze", tmp_path / "run" / "recording.npz", "--out", tmp_path / "an", "--permutations", "50")
    assert r.exit_code == 0, r.output
    assert "RSA hidden vs output" in r.output
    for f in ("hidden-dissimilarity.csv", "hidden-dendrogram.png", "hidden-mds.png", "hidden-trajectory.png",
              "hidden-activations.png", "weights.png", "analysis.json"):
        assert (tmp_path / "an" / f).stat().st_size > 0, f
    summary = json.loads((tmp_path / "an" / "analysis.json").read_text())
    import pandas as pd
    table = pd.read_csv(tmp_path / "an" / "hidden-dissimilarity.csv", index_col=0)
    np.testing.assert_allclose(table.to_numpy(), analysis.dissimilarity(rec.patterns("hidden")), atol=1e-9)
    assert summary["epoch"] == int(rec.epochs[-1]) and summary["rsa"][0]["exact"]
    r = cli("analyze", "xor", "--weights", tmp_path / "run" / "weights.npz", "--out", tmp_path / "an2",
            "--projection", "pca", "--group", "hidden")
    assert r.exit_code == 0, r.output
    r = cli("analyze", "xor", "--group", "nope", "--out", tmp_path / "an3")
    assert r.exit_code == 2 and "no group 'nope'" in r.output
    r = cli("analyze", tmp_path / "run" / "recording.npz", "--epoch", "7", "--out", tmp_path / "an3")
    assert r.exit_code == 2 and "no epoch 7" in r.output


def json_epochs(tmp_path):
    import pandas as pd
    return len(pd.read_csv(tmp_path / "run" / "error.csv"))
