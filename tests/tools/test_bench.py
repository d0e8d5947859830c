"""`pdpsim bench`: the floating-point work counted for each workload, the rows built from the
rounds, and the table (no Lens figure unless a peer ran)."""
from dataclasses import replace

import pytest

from pdpsim.tools import bench
from pdpsim.tools.bench import _build, _row, format_results, workload_flops
from pdpsim.training.params import TrainingParams


def test_flops_of_xor():
    """XOR 2-2-1 + bias: 9 links; forward and dE/dw 4 flops a link, going back 2 more on the two
    hidden -> output links (inputs and the bias need no derivative): 40 an example; steepest
    descent 2 a link an update."""
    net, xs, params, n = _build("xor", False)
    f = workload_flops(net, len(xs), params, n)
    assert (f["per_example"], f["per_update"], f["updates"]) == (40, 18, 10_000)
    assert f["total"] == 40 * 40_000 + 18 * 10_000
    assert workload_flops(net, len(xs), params, n, members=1000)["total"] == 1000 * f["total"]


def test_flops_of_the_encoder_and_online_updates():
    net, xs, params, n = _build("encoder-8-3-8", False)
    f = workload_flops(net, len(xs), params, n)
    # input->hidden 24 and bias 3+8 links: 4 each; hidden->output 24 links: 6 each; momentum 4 a link
    assert (f["per_example"], f["per_update"], f["updates"]) == (4 * 35 + 6 * 24, 4 * 59, 10_000)
    online = workload_flops(net, len(xs), replace(params, batch_size=1), n)
    assert online["updates"] == n and online["total"] == n * (284 + 236)
    decay = workload_flops(net, len(xs), replace(params, algorithm="steepest", weight_decay=0.01), n)
    assert decay["per_update"] == 4 * 59


def test_flops_of_the_attractor_count_every_tick():
    """28 -> 40 -> 68 <-> 60 + bias, 8 ticks an example (2 intervals of 4; tick 0 only sets the
    state): links from the input and the bias 4 flops a tick, the others 6."""
    net, xs, params, n = _build("attractor-batch", False)
    from_in_or_bias = 28 * 40 + 40 + 68 + 60
    others = 40 * 68 + 68 * 60 + 60 * 68
    assert net.n_links == from_in_or_bias + others == 12_168
    f = workload_flops(net, len(xs), params, n)
    assert f["per_example"] == 8 * (4 * from_in_or_bias + 6 * others) == 563_456
    assert f["updates"] == 100 and f["total"] == 563_456 * 4000 + 4 * 12_168 * 100


def test_flops_of_the_100_200_100_network():
    net, xs, params, n = _build("100-200-100-batch", False)
    f = workload_flops(net, len(xs), params, n)
    assert f["per_example"] == 4 * 40_300 + 2 * 20_000
    assert f["updates"] == 50
    psy = _build("100-200-100-online-psyneulink", False)
    g = workload_flops(psy[0], len(psy[1]), psy[2], psy[3])
    assert (g["per_example"], g["per_update"], g["updates"]) == (4 * 40_000 + 2 * 20_000, 2 * 40_000, 50_000)


def _runs():
    pd = [{"train_s": t, "train_s_all": [t], "examples": 1000, "links": 9, "flops": 5e6, "flops_per_example": 5e3,
           "peak_mib": m, "final_error": 0.1, "backend": "compiled"} for t, m in ((0.2, 150), (0.1, 160), (0.4, 155))]
    lens = [{"train_s": t, "examples": 1000, "version": "2.63", "precision": "float64", "process_s": 0.05,
             "peak_mib": 8, "final_error": 0.1} for t in (0.3, 0.35, 0.25)]
    return pd, lens


def test_a_row_keeps_each_sides_best_round_and_every_rounds_ratio():
    pd, lens = _runs()
    mm = {"dtype": "float64", "gflops": 50.0}
    row = _row("xor", bench.WORKLOADS["xor"], pd, [1.0, 1.1, 1.2], lens, [0.5, 2.5], "float64", mm, False, "/x/lens")
    assert row["train_s"] == 0.1 and row["examples_per_s"] == 10_000 and row["process_s"] == 1.1
    assert row["train_s_all"] == [0.2, 0.1, 0.4] and row["peak_mib"] == 160
    assert row["gflops"] == pytest.approx(0.05) and row["matmul_share"] == pytest.approx(0.001)
    assert row["peer"]["train_s"] == 0.25 and row["peer"]["examples_per_s"] == 4000
    assert row["ratio"] == pytest.approx(2.5)                      # best over best
    assert row["ratio_rounds"] == pytest.approx([1.5, 3.5, 0.625])  # each round's own
    assert (row["ratio_min"], row["ratio_max"]) == pytest.approx((0.625, 3.5))
    assert not row["peer"]["per_network"]
    text = format_results([row])
    assert "peer: Lens 2.63 (float64 build) at /x/lens" in text and "3 rounds" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("xor "))
    assert line.split()[:5] == ["xor", "10,000", "4,000", "2.50", "0.62-3.50"]
    assert "matrix-product rate of this machine (float64" in text and "50.0 GFLOP/s" in text
    assert "ensemble" not in text
    assert "load average during the run: 0.5 to 2.5" in text


def test_without_a_peer_no_lens_figure_is_printed():
    pd, _ = _runs()
    row = _row("xor", bench.WORKLOADS["xor"], pd[:1], [1.0], [], [None, None], "float32",
               {"dtype": "float32", "gflops": 80.0}, True, None)
    assert "peer" not in row and "ratio" not in row and row["workload"] == "xor (float32)"
    text = format_results([row])
    assert "Lens" not in text and "peer" not in text and "load average" not in text
    head = text.splitlines()[1].split()
    assert head[:5] == ["workload", "examples/s", "kFLOP/ex", "GFLOP/s", "of"]
    line = next(ln for ln in text.splitlines() if ln.startswith("xor (float32)"))
    assert line.split()[2:6] == ["5,000", "5", "0.025", "0.03%"]
    assert "(--quick" in text


def test_no_stored_peer_figures():
    """The workloads carry no Lens (or PsyNeuLink) rate: a ratio comes only from a peer run."""
    for w in bench.WORKLOADS.values():
        assert set(vars(w)) == {"name", "description", "epochs"}
        assert "examples/s" not in w.description


def test_machine_matmul_is_the_best_shape():
    m = bench.machine_matmul("float32")
    assert m["dtype"] == "float32" and m["gflops"] == max(m["batch_shape_gflops"], m["square_gflops"]) > 0


def test_workload_params_are_a_fixed_run():
    """Every workload runs its whole number of updates (no stopping criterion), the run the
    Lens script copies."""
    for name in bench.WORKLOADS:
        if name in ("pmsp-batch", "xor-ensemble-1000"):
            continue
        _, _, params, _ = _build(name, True)
        assert isinstance(params, TrainingParams)
        assert params.error_criterion is None and params.output_criterion is None


def test_sparse_inputs_are_named_only_where_the_numpy_engine_takes_them():
    import numpy as np

    from pdpsim import ExampleSet
    net, xs, params, _ = _build("100-200-100-batch", True)
    assert not bench._sparse_inputs(net, xs, params)                 # random 0/1 inputs: half non-zero
    x = np.zeros((len(xs), 100))
    x[:, :5] = 1.0                                                     # 5% non-zero
    sparse = ExampleSet({"input": x}, {"output": xs.targets["output"][:, 0]})
    assert bench._sparse_inputs(net, sparse, params)
    assert not bench._sparse_inputs(net, sparse, replace(params, batch_size=10))   # mini-batches: dense
    assert not bench._sparse_inputs(net, sparse, replace(params, order="permuted"))
    pd, _ = _runs()
    row = _row("pmsp-batch", bench.WORKLOADS["pmsp-batch"], [dict(pd[0], backend="numpy, sparse inputs")], [1.0],
               [], [None, None], "float64", {"dtype": "float64", "gflops": 80.0}, False, None)
    assert "sparse inputs: inputs at most 6% non-zero go through sparse products" in format_results([row])
    assert "sparse inputs" not in format_results([_row("xor", bench.WORKLOADS["xor"], pd[:1], [1.0], [], [None, None],
                                                       "float64", {"dtype": "float64", "gflops": 80.0}, False, None)])
