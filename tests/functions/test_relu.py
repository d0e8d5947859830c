"""RELU, the rectified linear unit: added as one module (src/pdpsim/functions/outputs/relu.py).

Everything else -- the numpy, compiled and Array API engines, the finite-difference sweep
(tests/functions/test_gradients.py), the forms tests, spec files, pdpsim explain -- takes it
from the table. This file checks its numbers and that it reaches every place a rule goes.
"""
import numpy as np
import pytest
import yaml
from conftest import skip_unless_supported

import pdpsim
from pdpsim.functions import OUTPUT_FUNCTIONS, output_function


def test_relu_values_and_slope():
    relu = output_function("RELU")
    n = np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.5]])
    a = np.empty_like(n)
    relu.forward(n, a)
    np.testing.assert_array_equal(a, [[0.0, 0.0, 0.0, 1e-9, 3.5]])
    d = np.empty_like(n)
    relu.backward(a, np.full_like(n, 2.0), d, n)
    np.testing.assert_array_equal(d, [[0.0, 0.0, 0.0, 2.0, 2.0]])          # 1 where n > 0, else 0
    assert output_function("rectified-linear").name == "RELU"
    assert "RELU" in OUTPUT_FUNCTIONS and OUTPUT_FUNCTIONS["RELU"].elementwise


def _spec(tmp_path):
    spec = {"name": "relu-xor", "seed": 3, "bias": True, "init": {"range": 0.5},
            "groups": {"input": {"units": 2, "type": "INPUT"}, "hidden": {"units": 4, "activation": "RELU"},
                       "output": {"units": 1, "type": "OUTPUT", "activation": "LOGISTIC", "error": "CROSS_ENTROPY"}},
            "links": ["input -> hidden", "hidden -> output"],
            "examples": {"generate": "xor"},
            "training": {"algorithm": "momentum", "learning_rate": 0.3, "momentum": 0.9, "max_epochs": 2000,
                         "output_criterion": 0.2, "order": "permuted"}}
    p = tmp_path / "relu-xor.yaml"
    p.write_text(yaml.safe_dump(spec))
    return p


def test_relu_from_a_spec_file_learns_xor(tmp_path):
    m = pdpsim.load(str(_spec(tmp_path)))
    assert m.network.group("hidden").function.name == "RELU"
    r = pdpsim.train(m.network, m.examples, m.training, backend="numpy")
    assert r.stopped == "output_criterion"
    out = pdpsim.test(m.network, m.examples).outputs["output"][:, 0]
    assert np.all(np.abs(out - [0, 1, 1, 0]) < 0.2)


def test_relu_trains_on_every_engine_as_on_numpy(engine, tmp_path):
    m = pdpsim.load(str(_spec(tmp_path)))
    params = m.training.__class__(**{**m.training.to_dict(), "max_epochs": 60, "output_criterion": None})
    skip_unless_supported(engine, m.network, m.examples, params.__class__(**{**params.to_dict(), "backend": engine}))
    ref = pdpsim.load(str(_spec(tmp_path)))
    want = pdpsim.train(ref.network, ref.examples, params, backend="numpy")
    got = pdpsim.train(m.network, m.examples, params, backend=engine)
    # (near 0 the error of a network that has learned XOR is ~1e-4: rounding shows relatively there)
    np.testing.assert_allclose(got.errors, want.errors, rtol=1e-9, atol=1e-8)
    assert got.final_error < 0.01 * got.errors[0]                        # it learns


def test_relu_in_explain(tmp_path):
    from click.testing import CliRunner

    from pdpsim.cli import main
    r = CliRunner().invoke(main, ["explain", str(_spec(tmp_path)), "--example", "01"])
    assert r.exit_code == 0, r.output
    assert "= max(n, 0) =" in r.output and "da/dn[hidden:0] = 1 if a > 0 else 0 = " in r.output


def test_relu_in_the_finite_difference_sweep():
    """The sweep in test_gradients.py draws its combinations from the table: RELU is in it."""
    from test_gradients import HIDDEN, OUTPUT_COMBOS, TIME_COMBOS
    assert "RELU" in HIDDEN
    assert ("RELU", "SUM_SQUARED") in OUTPUT_COMBOS
    assert {("RELU", "SUM_SQUARED", i, c) for i in ("NONE", "OUT_INTEGR", "IN_INTEGR") for c in ("HARD", "SOFT")} \
        <= set(TIME_COMBOS)


def test_relu_compiled_dispatch_has_a_code():
    pytest.importorskip("numba")
    from pdpsim.functions import codes
    k = codes.function_code(output_function("RELU"))
    d = codes.dispatchers()
    assert d["unit_f"](k, -1.5) == 0.0 and d["unit_f"](k, 2.5) == 2.5
    assert d["unit_slope"](k, 0.0, -1.5) == 0.0 and d["unit_slope"](k, 2.5, 2.5) == 1.0
