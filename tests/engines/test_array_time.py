"""The array backend on CONTINUOUS networks in time (pdpsim.engines.array_api.time) equals the numpy path."""

import numpy as np
import pytest

import pdpsim

pytest.importorskip("array_api_strict")
from builders import attractor, examples  # noqa: E402


@pytest.mark.parametrize("variant", [{}, {"out_integration": "IN_INTEGR"}, {"soft": True},
                                     {"err": "SUM_SQUARED", "out_fn": "TANH", "hid_fn": "LINEAR"}])
@pytest.mark.parametrize("order,batch,algorithm", [("ordered", 0, "momentum"), ("permuted", 2, "dougs_momentum")])
def test_networks_in_time_on_the_array_backend_equal_numpy(variant, order, batch, algorithm):
    """Integration (OUT_INTEGR, IN_INTEGR), soft and hard clamps, a self-recurrent block, a
    bidirectional clean-up, events of different lengths with grace and a NaN target: error
    curves and weights as the numpy path's (1e-10)."""
    runs = {}
    for backend in ("numpy", "array:array_api_strict"):
        rng = np.random.default_rng(1)
        net = attractor(seed=2, **variant)
        xs = examples(rng)
        if variant.get("out_fn") == "TANH":
            xs.targets["output"] = xs.targets["output"] * 2 - 1
        r = pdpsim.train(net, xs, backend=backend, algorithm=algorithm, learning_rate=0.2, momentum=0.9,
                         batch_size=batch, order=order, max_epochs=25)
        runs[backend] = (r.errors, net.get_weights(), r.stopped)
    ref, got = runs["numpy"], runs["array:array_api_strict"]
    assert got[2] == ref[2]
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-10)
    for k, w in ref[1].items():
        np.testing.assert_allclose(got[1][k], w, rtol=1e-10, atol=1e-12)


def test_a_lesioned_attractor_and_the_output_criterion():
    from pdpsim.model.lesion import lesion_units
    runs = {}
    for backend in ("numpy", "array:numpy"):
        net = attractor(seed=5)
        xs = examples(np.random.default_rng(2))
        lesion_units(net, "hidden", 0.25, seed=0)
        r = pdpsim.train(net, xs, backend=backend, learning_rate=0.5, max_epochs=200, output_criterion=0.3)
        runs[backend] = (r.errors, net.get_weights(), r.stopped, r.n_epochs)
    assert runs["array:numpy"][2:] == runs["numpy"][2:]
    np.testing.assert_allclose(runs["array:numpy"][0], runs["numpy"][0], rtol=1e-10)


def test_refusals_in_time():
    net = attractor(seed=0)
    xs = examples(np.random.default_rng(0))
    net.time.integrator_lag = True
    with pytest.raises(pdpsim.PdpError, match="does not support time.integrator_lag"):
        pdpsim.train(net, xs, backend="array:array_api_strict", max_epochs=1)


def test_no_ensembles_in_time_on_the_array_backend(tmp_path):
    from builders import ATTRACTOR

    from pdpsim.engines.array_api.engine import train_ensemble
    p = tmp_path / "att.yaml"
    p.write_text(ATTRACTOR)
    ens = pdpsim.load_ensemble(str(p), [0, 1])
    with pytest.raises(pdpsim.PdpError, match="ensembles of networks in time"):
        train_ensemble(ens, xp="array_api_strict")
