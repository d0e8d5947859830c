"""Exact cases for the rule modules (pdpsim.functions): each test pins a formula, a bound, a default or a
branch that dev/mutate.py showed no other test would notice if it changed.

Values are hand-computed or written out independently of the rule (the same operations where the rule
promises bit-exact agreement, e.g. Lens's order of multiplication); boundaries use numbers that are exact
in binary. Nothing here compiles numba kernels (the scalar forms are checked as Python, which is the code
numba compiles).
"""
import math
from typing import ClassVar

import numpy as np
import pytest

from pdpsim import PdpError
from pdpsim.functions import (CLAMPS, ERROR_FUNCTIONS, INTEGRATORS, OUTPUT_FUNCTIONS, OutputFunction, clamp,
                              clamp_name, effective_target, error_function, integration_name, integrator,
                              lens_effective_target, log_eps, output_function, radius_target)
from pdpsim.functions import forms
from pdpsim.functions.targets import array_effective_target


def run_forward(fn, n):
    out = np.full_like(n, 7.0)                  # not empty: a step that writes nothing leaves 7s behind
    fn.forward(n, out)
    return out


def run_backward(fn, a, d, n=None):
    out = np.full_like(a, 7.0)
    fn.backward(a, d, out, n)
    return out


def run_deriv(err, a, t):
    out = np.full_like(a, 7.0)
    err.output_deriv(a, t, out)
    return out


@pytest.fixture
def xp():
    return pytest.importorskip("array_api_strict")


# ================================================================ clamps
def test_hard_clamp_sets_the_output_and_stops_the_derivative():
    hard = CLAMPS["HARD"]
    a, x = np.array([0.2, 0.2, 0.2]), np.array([0.9, np.nan, -0.4])
    np.testing.assert_array_equal(hard.forward(a, x, 0.3), [0.9, 0.2, -0.4])
    d = np.array([0.0, 0.0, 0.6])                                  # a zero derivative too: 0 * d, not 0 / d
    np.testing.assert_array_equal(hard.backward(d, x, 0.3), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(hard.backward(np.array([0.5, 0.5, -2.0]), x, 0.3), [0.0, 0.5, 0.0])


def test_soft_clamp_pulls_the_output_by_the_strength():
    soft = CLAMPS["SOFT"]
    a, x = np.array([0.25, 0.25, 0.75]), np.array([0.75, np.nan, 0.25])
    np.testing.assert_array_equal(soft.forward(a, x, 0.25), [0.375, 0.25, 0.625])     # a + s (x - a)
    d = np.array([0.5, 0.5, -1.0])
    np.testing.assert_array_equal(soft.backward(d, x, 0.25), [0.375, 0.5, -0.75])     # (1 - s) d
    np.testing.assert_array_equal(soft.backward(np.array([0.0, 2.0, 4.0]), x, 0.75), [0.0, 2.0, 1.0])


def test_no_clamp_changes_nothing():
    none = CLAMPS["NONE"]
    assert none.forward(0.2, 0.9, 0.3) == 0.2 and none.backward(0.6, 0.9, 0.3) == 0.6


def test_clamp_names():
    assert clamp_name(None) is None and clamp_name("none") is None
    assert clamp_name("hard") == "HARD" and clamp_name("Soft") == "SOFT"
    assert clamp(None) is CLAMPS["NONE"] and clamp("soft") is CLAMPS["SOFT"] and clamp("HARD") is CLAMPS["HARD"]
    with pytest.raises(PdpError, match="group 'x': unknown clamp 'firm'"):
        clamp_name("firm", "group 'x'")


# ================================================================ integrators
def test_integrators_step_into_and_carry():
    none, out_i, in_i = INTEGRATORS["NONE"], INTEGRATORS["OUT_INTEGR"], INTEGRATORS["IN_INTEGR"]
    prev, x, d = np.array([0.25, -1.0]), np.array([0.75, 1.0]), np.array([0.5, -2.0])
    np.testing.assert_array_equal(none.step(prev, x, 0.25), x)
    np.testing.assert_array_equal(none.into(d, 0.25), d)
    np.testing.assert_array_equal(none.carry(np.array([0.0, 0.5, -2.0]), 0.25), [0.0, 0.0, 0.0])   # 0 d, not 0/d
    for it in (out_i, in_i):
        np.testing.assert_array_equal(it.step(prev, x, 0.25), [0.375, -0.5])       # s + dt (x - s)
        np.testing.assert_array_equal(it.into(d, 0.25), [0.125, -0.5])             # dt d
        np.testing.assert_array_equal(it.carry(d, 0.25), [0.375, -1.5])            # (1 - dt) d
        np.testing.assert_array_equal(it.carry(np.array([0.0]), 0.25), [0.0])
    assert out_i.state == "output" and in_i.state == "input" and none.state is None


def test_integration_names():
    assert integration_name(None) is None and integration_name("NONE") is None
    assert integration_name("out_integr") == "OUT_INTEGR" and integration_name("IN_INTEGR") == "IN_INTEGR"
    assert integrator(None) is INTEGRATORS["NONE"] and integrator("IN_INTEGR") is INTEGRATORS["IN_INTEGR"]
    with pytest.raises(PdpError, match="unknown integration type 'euler'"):
        integration_name("euler")


# ================================================================ targets (radii)
def test_target_radius_boundary_is_inside():
    """|a - t| equal to the target radius counts as inside (t' = a), and beyond it the target moves by
    exactly r: with a = 0.1, t = 1, r = |a - t| the moved target t - r = 0.0999...97 is not a."""
    a, t = np.array([0.1]), np.array([1.0])
    r = float(abs(a[0] - t[0]))
    assert t[0] - r != a[0]                                         # so the two readings differ
    np.testing.assert_array_equal(radius_target(a, t, r, 0.0), a)
    np.testing.assert_array_equal(effective_target(a, t, target_radius=r), a)
    np.testing.assert_array_equal(radius_target(np.array([0.75, 0.125]), np.array([1.0, 0.0]), 0.125, 0.0),
                                  [0.875, 0.125])


def test_zero_error_radius_boundary_plain_and_strict():
    a, t = np.array([0.75, 0.5, 0.25]), np.array([1.0, 1.0, 0.0])
    # plain: |a - t| <= r counts as right; Lens (strict): only < r
    np.testing.assert_array_equal(radius_target(a, t, 0.0, 0.25), [0.75, 1.0, 0.25])
    np.testing.assert_array_equal(effective_target(a, t, zero_error_radius=0.25), [0.75, 1.0, 0.25])
    np.testing.assert_array_equal(radius_target(a, t, 0.0, 0.25, strict=True), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(lens_effective_target(a, t, 0.0, 0.25), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(lens_effective_target(a, t, 0.0, 0.3), [0.75, 1.0, 0.25])
    np.testing.assert_array_equal(effective_target(a, t, zero_error_radius=0.25, lens=True), [1.0, 1.0, 0.0])


def test_radii_of_zero_leave_the_targets_alone():
    a = np.array([0.9, 0.3, np.nan, np.inf])                        # a NaN or infinite output too
    t = np.array([1.0, 0.0, 1.0, 1.0])
    assert effective_target(a, t) is t
    for tr, zr, want in [(0.0, 0.0, [1.0, 1.0]), (0.0, 0.2, [1.0, 1.0]), (0.2, 0.0, [np.nan, 1.2])]:
        np.testing.assert_array_equal(radius_target(a, t, tr, zr)[2:], want)
    np.testing.assert_array_equal(radius_target(a[:2], t[:2], 0.0, 0.0), t[:2])
    np.testing.assert_array_equal(radius_target(a, t, 0.0, 0.2), [0.9, 0.0, 1.0, 1.0])     # NaN output: t kept
    np.testing.assert_array_equal(effective_target(a[:2], t[:2], 0.0, 0.2), [0.9, 0.0])
    np.testing.assert_array_equal(effective_target(a[:2], t[:2], 0.2, 0.0), [0.9, 0.2])
    # the defaults are no radii: the targets come back untouched (outputs within 1 of them)
    np.testing.assert_array_equal(effective_target(np.array([0.5]), np.array([1.0])), [1.0])


def test_radii_move_and_keep_each_side():
    a = np.array([0.9, 0.3, 0.52, 0.05, 0.70])
    t = np.array([1.0, 0.0, 0.50, 0.00, np.nan])
    np.testing.assert_allclose(effective_target(a, t, 0.05, 0.0), [0.95, 0.05, 0.52, 0.05, np.nan], rtol=1e-15)
    np.testing.assert_allclose(effective_target(a, t, 0.0, 0.06), [1.0, 0.0, 0.52, 0.05, np.nan], rtol=1e-15)
    np.testing.assert_allclose(effective_target(a, t, 0.05, 0.06), [0.95, 0.05, 0.52, 0.05, np.nan], rtol=1e-15)


def test_array_effective_target_equals_numpy(xp):
    a = np.array([0.9, 0.3, 0.52, 0.05, 0.75])
    t = np.array([1.0, 0.0, 0.50, 0.00, np.nan])
    for tr, zr in [(0.05, 0.0), (0.0, 0.06), (0.05, 0.06), (0.0, 0.0)]:
        got = np.asarray(array_effective_target(xp, xp.asarray(a), xp.asarray(t), tr, zr))
        np.testing.assert_array_equal(got, effective_target(a, t, tr, zr))
    tt = xp.asarray(t)
    assert array_effective_target(xp, xp.asarray(a), tt, 0.0, 0.0) is tt


# ================================================================ forms: the scalar vocabulary (what numba compiles)
def test_scalar_vocabulary_as_python():
    assert forms._s_maximum(1.0, 2.0) == 2.0 and forms._s_maximum(3.0, 2.0) == 3.0
    assert forms._s_minimum(1.0, 2.0) == 1.0 and forms._s_minimum(3.0, 2.0) == 2.0
    assert forms._s_clip(-1.0, 0.0, 1.0) == 0.0 and forms._s_clip(2.0, 0.0, 1.0) == 1.0
    assert forms._s_clip(0.25, 0.0, 1.0) == 0.25
    assert forms._s_where(True, 1.0, 2.0) == 1.0 and forms._s_where(False, 1.0, 2.0) == 2.0
    signs = [forms._s_sign(x) for x in (3.0, 0.5, 0.0, -0.5, -3.0)]
    assert signs == [1.0, 1.0, 0.0, -1.0, -1.0]
    assert [float(forms.sign(x)) for x in (3.0, 0.5, 0.0, -0.5, -3.0)] == signs       # numpy's sign agrees


def test_scalar_names_are_built_once():
    pytest.importorskip("numba")
    names = forms._scalar_names()
    assert forms._scalar_names() is names
    assert names["exp"] is math.exp and names["log"] is math.log and names["fabs"] is abs
    from pdpsim.functions import scalar_math                       # loops over many numbers: vectorisable forms
    lanes = forms._lane_names()
    assert forms._lane_names() is lanes and set(lanes) == set(names)
    assert lanes["exp"] is scalar_math.exp and lanes["log"] is scalar_math.log and lanes["log1p"] is scalar_math.log1p
    assert all(lanes[k] is names[k] for k in names if k not in ("exp", "log", "log1p"))
    assert names["maximum"].py_func is forms._s_maximum and names["sign"].py_func is forms._s_sign
    assert set(names) == set(forms.VOCABULARY)


def test_rules_called_are_the_pdpsim_formulas_only():
    from pdpsim.functions.errors.cross_entropy import CrossEntropy
    from pdpsim.learning import rules
    called = forms._rules_called(rules.weight_change)
    assert called == {"momentum_term": rules.momentum_term, "descent": rules.descent, "decay_term": rules.decay_term}
    assert forms._rules_called(CrossEntropy.value) == {}            # clip, log, where: the vocabulary
    assert forms._rules_called(rules.dougs_scale) == {}


def _fake_rules():
    """Two formulas in a pdpsim module's namespace: ``outer`` calls ``inner``, which uses ``exp``."""
    ns = {"__name__": "pdpsim._rules_mutants_fake", "exp": forms.exp}
    exec("def inner(x):\n    return exp(x)\n\ndef outer(x):\n    return inner(x) + 1.0\n", ns)
    return ns["inner"], ns["outer"]


def test_rebind_binds_the_vocabulary_and_the_rules_called():
    inner, outer = _fake_rules()
    assert outer(0.0) == 2.0
    names = {"exp": lambda x: x + 10.0}
    assert forms.rebind(inner, names)(1.0) == 11.0
    assert forms.rebind(outer, names, lambda f: forms.rebind(f, names))(1.0) == 12.0     # inner in the same form
    assert forms.rebind(outer, names)(0.0) == 2.0                   # no form: the rules called stay as they are
    r = forms.rebind(outer, names)
    assert r.__name__ == "outer" and r.__code__ is outer.__code__


def test_scalar_and_array_forms_are_cached(xp):
    pytest.importorskip("numba")
    from pdpsim.learning.rules import descent
    s = forms.scalar_form(descent)
    assert s is not None and forms.scalar_form(descent) is s and s.py_func.__code__ is descent.__code__
    f = forms.array_form(descent, xp)
    assert forms.array_form(descent, xp) is f
    np.testing.assert_array_equal(np.asarray(f(xp.asarray([2.0, -1.0]), 0.5)), [-1.0, 0.5])


def test_array_vocabulary_keeps_the_arrays_dtype(xp):
    names = forms.array_names(xp)
    f32 = xp.asarray(np.array([0.25, 2.0], dtype=np.float32))
    f64 = xp.asarray(np.array([1.0, -1.0]))
    c = xp.asarray(np.array([True, False]))
    for got, want, dtype in [
            (names["where"](c, f32, 0.5), [0.25, 0.5], xp.float32),
            (names["where"](c, 0.5, f32), [0.5, 2.0], xp.float32),
            (names["where"](c, f32, f64), [0.25, -1.0], xp.float64),     # arrays are left as they are
            (names["where"](c, f64, f32), [1.0, 2.0], xp.float64),
            (names["where"](c, 1.0, 0.0), [1.0, 0.0], xp.float64),       # two numbers
            (names["maximum"](f32, 1.0), [1.0, 2.0], xp.float32),
            (names["minimum"](f32, 1.0), [0.25, 1.0], xp.float32),
            (names["maximum"](f32, f64), [1.0, 2.0], xp.float64),
            (names["clip"](f64, 0.0, 0.5), [0.5, 0.0], xp.float64)]:
        assert got.dtype == dtype
        np.testing.assert_array_equal(np.asarray(got), want)


# ================================================================ output functions
class _Cube(OutputFunction):
    """A rule with the base class's forward and backward (not registered)."""

    name = "CUBE_FOR_TESTS"

    @staticmethod
    def f(n):
        return n * n * n

    @staticmethod
    def slope(a, n):
        return 3.0 * n * n if n is not None else 1.0 + 0.0 * a


def test_base_forward_and_backward_apply_the_gain():
    n = np.array([-1.5, 0.5, 2.0])
    d = np.array([0.5, -1.0, 2.0])
    for gain in (1.0, 2.0, 0.0, 0.5):
        fn = _Cube(gain=gain)
        x = n * gain
        np.testing.assert_array_equal(run_forward(fn, n), x * x * x)
        a = x * x * x
        np.testing.assert_array_equal(run_backward(fn, a, d, n), d * (3.0 * x * x) * gain)
        np.testing.assert_array_equal(run_backward(fn, a, d), d * (1.0 + 0.0 * a) * gain)     # no net input
    assert _Cube().gain == 1.0 and _Cube().lens is False and _Cube().plain and not _Cube(gain=2.0).plain
    with pytest.raises(PdpError, match="unit type CUBE_FOR_TESTS: unknown option"):
        _Cube(shift=1.0)


class _Spy(OutputFunction):
    """A rule that records where its formulas are evaluated (not registered)."""

    name = "SPY_FOR_TESTS"
    seen: ClassVar[list] = []

    @staticmethod
    def f(n):
        _Spy.seen.append(("f", np.array(n)))
        return 2.0 * n

    @staticmethod
    def slope(a, n):
        _Spy.seen.append(("slope", None if n is None else np.array(n)))
        return 2.0 + 0.0 * a


def test_the_slope_is_taken_at_gain_times_the_net_input():
    n = np.array([-1.5, 0.5, 2.0])
    for gain in (1.0, 2.0, 0.0):
        fn = _Spy(gain=gain)
        _Spy.seen.clear()
        a = np.empty_like(n)
        fn.forward(n, a)
        out = np.empty_like(n)
        fn.backward(a, np.ones_like(n), out, n)
        fn.backward(a, np.ones_like(n), out)
        assert [k for k, _ in _Spy.seen] == ["f", "slope", "slope"]
        np.testing.assert_array_equal(_Spy.seen[0][1], n * gain)
        np.testing.assert_array_equal(_Spy.seen[1][1], n * gain)
        assert _Spy.seen[2][1] is None
        np.testing.assert_array_equal(out, 2.0 * gain)


def test_gaussian_with_a_gain():
    n = np.array([-1.0, 0.25, 0.5])
    d = np.array([1.0, -2.0, 0.5])
    for gain in (1.0, 2.0, 0.0):
        g = output_function("GAUSSIAN", gain=gain)
        x = n * gain
        a = np.exp(-(x * x))
        np.testing.assert_array_equal(run_forward(g, n), a)
        np.testing.assert_array_equal(run_backward(g, a, d, n), d * (-2.0 * x * a) * gain)
    assert float(OUTPUT_FUNCTIONS["GAUSSIAN"].f(np.float64(0.5))) == math.exp(-0.25)
    assert float(OUTPUT_FUNCTIONS["GAUSSIAN"].slope(np.float64(0.5), np.float64(0.25))) == -0.25


def test_describe_and_lookup():
    assert output_function("TANH").describe() == "TANH" and repr(output_function("TANH")) == "TANH"
    assert output_function("TANH", gain=2.0).describe() == "TANH(gain=2.0)"
    assert output_function("LOGISTIC", lens=True, gain=0.5).describe() == "LOGISTIC(gain=0.5, lens=True)"
    fn = output_function("TANH")
    assert output_function(fn) is fn and output_function("sigmoid").name == "LOGISTIC"


def test_resting_outputs():
    """Where a network in time starts a group's outputs (Lens's initOutput)."""
    want = {"LOGISTIC": 0.5, "SOFT_MAX": 0.5, "TANH": 0.0, "LINEAR": 0.0, "EXPONENTIAL": 0.0, "GAUSSIAN": 0.0,
            "TERNARY": 0.0}
    for name, value in want.items():
        assert OUTPUT_FUNCTIONS[name].resting_output == value, name


def test_output_ranges_hold_the_outputs_tightly():
    """Each rule's output_range holds every output it gives, and (for these) is no wider than they reach."""
    n = np.linspace(-40.0, 40.0, 8001)
    for name, cls in OUTPUT_FUNCTIONS.items():
        lo, hi = cls.output_range
        assert lo < hi, name
        fn = output_function(name)
        x = n if name != "EXPONENTIAL" else np.minimum(n, 10.0)    # (exp(40) would be far from inf)
        a = run_forward(fn, x[None, :] if fn.elementwise else np.stack([x, np.zeros_like(x)], axis=-1))
        assert (a >= lo).all() and (a <= hi).all(), name
        if name not in ("LOGISTIC", "TANH", "LINEAR", "SOFT_MAX", "EXPONENTIAL", "GAUSSIAN", "TERNARY"):
            continue
        for bound, reached in ((lo, a.min()), (hi, a.max())):
            if math.isfinite(bound):
                assert abs(reached - bound) < 1e-6, name
            else:
                assert abs(reached) > 10.0 and np.sign(reached) == np.sign(bound), name


def test_exponential_and_linear():
    ex, lin = output_function("EXPONENTIAL"), output_function("LINEAR")
    n = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(run_forward(ex, n), np.exp(n))
    np.testing.assert_array_equal(run_forward(lin, n), n)
    d = np.array([0.5, 2.0, -1.0])
    np.testing.assert_array_equal(run_backward(ex, np.exp(n), d), np.exp(n) * d)
    np.testing.assert_array_equal(run_backward(lin, n, d), d)
    a = np.array([0.0, -3.0, 5.0])
    np.testing.assert_array_equal(OUTPUT_FUNCTIONS["LINEAR"].slope(a, None), [1.0, 1.0, 1.0])  # at a = 0 too
    np.testing.assert_array_equal(OUTPUT_FUNCTIONS["EXPONENTIAL"].slope(a, None), a)
    for name in ("EXPONENTIAL", "LINEAR"):                          # Lens gives them no gain: gain keeps them plain
        assert output_function(name, gain=3.0).plain and not output_function(name, lens=True).plain
        np.testing.assert_array_equal(run_forward(output_function(name, gain=3.0), n), run_forward(
            output_function(name), n))


# ---------------------------------------------------------------- LOGISTIC
def _lens_table_by_hand(k):
    x = np.asarray(k, dtype=np.float64) / 1024 - 16
    return 1.0 / (np.exp(-x) + 1.0)


def _lens_sigmoid_by_hand(n):
    v = (np.clip(n, -16.0, 16.0) + 16.0) * 1024.0
    i = np.floor(v).astype(np.intp)
    frac = v - i
    return (1.0 - frac) * _lens_table_by_hand(i) + frac * _lens_table_by_hand(i + 1)


def test_lens_sigmoid_table():
    from pdpsim.functions.outputs.logistic import lens_table
    table = lens_table()
    assert lens_table() is table
    assert table.shape == (2 * 16 * 1024 + 2,)                      # 1024 a unit on [-16, 16], and one beyond
    k = np.array([0, 1, 1000, 16384, 20000, 32768, 32769])
    np.testing.assert_array_equal(table[k], _lens_table_by_hand(k))
    assert table[16384] == 0.5


def test_lens_sigmoid_interpolates_the_table():
    lg = output_function("LOGISTIC", lens=True)
    n = np.array([-20.0, -16.0, -15.9990234375, -3.3, -0.0001, 0.0, 0.7, 2.00048828125, 15.9999, 16.0, 25.0])
    got = run_forward(lg, n)
    np.testing.assert_array_equal(got, _lens_sigmoid_by_hand(n))
    assert got[5] == 0.5 and got[0] == got[1] == _lens_table_by_hand(0) and got[-1] == got[-2]
    assert np.abs(got - 1.0 / (1.0 + np.exp(-n))).max() < 1e-6 and (got != 1.0 / (1.0 + np.exp(-n))).any()
    with_nan = run_forward(lg, np.array([np.nan, 0.7]))
    assert np.isnan(with_nan[0]) and with_nan[1] == got[6]


def test_lens_sigmoid_with_a_gain():
    n = np.array([-9.0, -0.3, 0.45, 7.0])
    for gain in (2.0, 0.5):
        np.testing.assert_array_equal(run_forward(output_function("LOGISTIC", lens=True, gain=gain), n),
                                      _lens_sigmoid_by_hand(n * gain))
    np.testing.assert_array_equal(run_forward(output_function("LOGISTIC", lens=True, gain=0.0), n), 0.5)


def test_logistic_forward_with_a_gain():
    n = np.array([-2.0, -0.5, 0.0, 1.25])
    for gain in (1.0, 2.0, 0.0):
        np.testing.assert_array_equal(run_forward(output_function("LOGISTIC", gain=gain), n),
                                      1.0 / (1.0 + np.exp(n * -gain)))
    assert float(OUTPUT_FUNCTIONS["LOGISTIC"].f(np.float64(0.0))) == 0.5
    assert float(OUTPUT_FUNCTIONS["LOGISTIC"].f(np.float64(-2.0))) == 1.0 / (1.0 + math.exp(2.0))


def test_logistic_backward_order_plain_and_lens():
    """Plain: dE/da a (1 - a), the formula exactly; Lens: ((dE/da a) (1 - a)) gain, in that order (the two
    differ in the last bit for some units, which Lens's reproductions depend on)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(0.01, 0.99, 200)
    d = rng.normal(size=200)
    lens_order = (d * a) * (1.0 - a)
    plain = d * (a * (1.0 - a))
    assert (lens_order != plain).any()
    for gain in (1.0, 2.0, 0.0, 0.75):
        p = run_backward(output_function("LOGISTIC", gain=gain), a, d)
        le = run_backward(output_function("LOGISTIC", gain=gain, lens=True), a, d)
        np.testing.assert_array_equal(p, plain * gain if gain != 1.0 else plain)
        np.testing.assert_array_equal(le, lens_order * gain if gain != 1.0 else lens_order)


# ---------------------------------------------------------------- TANH
def test_tanh_forward_plain_and_lens_bounds():
    n = np.array([-20.0, -17.0, -16.5, 0.3, 16.5, 17.0, 17.5, 40.0])
    plain = run_forward(output_function("TANH"), n)
    np.testing.assert_array_equal(plain, np.tanh(n))
    assert plain[6] != 1.0 and plain[5] != 1.0                      # tanh(17) and tanh(17.5) are not 1 in float64
    lens = run_forward(output_function("TANH", lens=True), n)
    np.testing.assert_array_equal(lens, [-1.0, -1.0, np.tanh(-16.5), np.tanh(0.3), np.tanh(16.5), 1.0, 1.0, 1.0])
    for gain in (2.0, 0.0, 0.5):
        np.testing.assert_array_equal(run_forward(output_function("TANH", gain=gain), n), np.tanh(n * gain))
    np.testing.assert_array_equal(run_forward(output_function("TANH", lens=True, gain=2.0), np.array([8.5, -8.5])),
                                  [1.0, -1.0])                      # the bound is on gain n


def test_tanh_backward_plain_and_lens():
    n = np.array([-20.0, -17.0, -16.99, 0.3, 1.1, 16.99, 17.0, 30.0])
    a = np.tanh(n)
    d = np.array([1.0, -2.0, 0.5, 3.0, -0.25, 1.5, 2.0, -1.0])
    for gain in (1.0, 2.0, 0.0):
        got = run_backward(output_function("TANH", gain=gain), a, d, n)
        want = (1.0 - a * a) * d
        np.testing.assert_array_equal(got, want * gain if gain != 1.0 else want)
        lens = run_backward(output_function("TANH", gain=gain, lens=True), a, d, n)
        slope = 1.0 / np.square(np.cosh(n))
        slope[[0, 1, 6, 7]] = 1e-8                                  # beyond +-17: Lens's small slope
        np.testing.assert_array_equal(lens, d * gain * slope)
    with pytest.raises(ValueError, match="needs the net input"):
        run_backward(output_function("TANH", lens=True), a, d)
    with pytest.raises(ValueError, match="needs the net input"):
        run_backward(output_function("TANH", lens=True), a, d, n[:1])
    assert output_function("TANH", lens=True).slope_uses_input and not output_function("TANH").slope_uses_input


# ---------------------------------------------------------------- SOFT_MAX
def _softmax_by_hand(n, lens=False):
    m = n.max(axis=-1, keepdims=True)
    if lens:
        m = np.maximum(m, 0.0)
    e = np.exp(n - m)
    return e * (1.0 / e.sum(axis=-1, keepdims=True)) if lens else e / e.sum(axis=-1, keepdims=True)


def test_soft_max_over_the_last_axis_plain_and_lens():
    rng = np.random.default_rng(3)
    n = rng.uniform(-3.0, -0.2, (2, 3, 4))                          # an ensemble: (members, examples, units)
    plain = run_forward(output_function("SOFT_MAX"), n)
    lens = run_forward(output_function("SOFT_MAX", lens=True), n)
    np.testing.assert_array_equal(plain, _softmax_by_hand(n))
    np.testing.assert_array_equal(lens, _softmax_by_hand(n, lens=True))
    assert (plain != lens).any()                                     # Lens's shift by max(0, max n) shows
    np.testing.assert_allclose(plain.sum(axis=-1), 1.0, rtol=1e-15)
    big = np.array([[1.5, 0.5, 2.5]])
    np.testing.assert_array_equal(run_forward(output_function("SOFT_MAX", lens=True), big),
                                  _softmax_by_hand(big, lens=True))
    d = rng.normal(size=n.shape)
    got = run_backward(output_function("SOFT_MAX"), plain, d)
    np.testing.assert_array_equal(got, (d - (plain * d).sum(axis=-1, keepdims=True)) * plain)
    assert not output_function("SOFT_MAX", lens=True).plain and output_function("SOFT_MAX").plain


def test_soft_max_array_forms_over_the_last_axis(xp):
    rng = np.random.default_rng(4)
    n = rng.uniform(-2.0, 2.0, (2, 3, 4))
    fn = output_function("SOFT_MAX")
    a = np.asarray(fn.array_forward(xp, xp.asarray(n)))
    np.testing.assert_allclose(a, _softmax_by_hand(n), rtol=1e-15)
    d = rng.normal(size=n.shape)
    got = np.asarray(fn.array_backward(xp, xp.asarray(a), xp.asarray(d)))
    np.testing.assert_allclose(got, (d - (a * d).sum(axis=-1, keepdims=True)) * a, rtol=1e-13, atol=1e-16)


def test_soft_max_array_form_of_large_net_inputs(xp):
    n = np.array([[400.0, 399.0, -5.0], [-800.0, -801.0, -799.5]])     # exp(n) alone over- or underflows
    fn = output_function("SOFT_MAX")
    a = np.empty_like(n)
    fn.forward(n, a)
    got = np.asarray(fn.array_forward(xp, xp.asarray(n)))
    np.testing.assert_allclose(got, a, rtol=1e-15, atol=1e-300)
    e = np.exp(n - n.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(axis=-1, keepdims=True), rtol=1e-15, atol=1e-300)


def test_array_backward_of_an_elementwise_rule(xp):
    a = np.array([0.25, 0.5, 0.75])
    d = np.array([2.0, -1.0, 0.5])
    got = output_function("LOGISTIC").array_backward(xp, xp.asarray(a), xp.asarray(d))
    np.testing.assert_array_equal(np.asarray(got), d * (a * (1.0 - a)))


# ---------------------------------------------------------------- TERNARY
def _ternary_by_hand(n, shift=5.0):
    y = math.exp(shift)
    x = np.exp(n)
    return (x * x * y - y) / ((x + y) * (x * y + 1.0))


def test_ternary_values_gain_and_shift():
    n = np.array([-7.0, -5.0, -1.0, 0.0, 0.5, 5.0, 9.0])
    tern = OUTPUT_FUNCTIONS["TERNARY"]
    np.testing.assert_allclose(tern.f(n), _ternary_by_hand(n), rtol=1e-14, atol=1e-15)
    assert tern.f(np.float64(0.0)) == 0.0
    assert float(tern.f(np.float64(-5.0))) == pytest.approx(-math.tanh(5.0) / 2, rel=1e-14)
    assert float(tern.f(np.float64(5.0))) == pytest.approx(math.tanh(5.0) / 2, rel=1e-14)
    assert output_function("TERNARY").gain == 1.0 and output_function("TERNARY").shift == 5.0
    np.testing.assert_allclose(run_forward(output_function("TERNARY"), n), _ternary_by_hand(n), rtol=1e-14,
                               atol=1e-15)
    for gain, shift in [(2.0, 5.0), (0.5, 3.0), (1.0, 2.0)]:
        fn = output_function("TERNARY", gain=gain, shift=shift)
        a = run_forward(fn, n)
        np.testing.assert_allclose(a, _ternary_by_hand(gain * n, gain * shift), rtol=1e-13, atol=1e-15)
        d = np.linspace(-1.0, 1.0, n.size)
        h = 1e-6
        numeric = (_ternary_by_hand(gain * (n + h), gain * shift) - _ternary_by_hand(gain * (n - h), gain * shift)) \
            / (2 * h)
        np.testing.assert_allclose(run_backward(fn, a, d, n), d * numeric, rtol=1e-6, atol=1e-9)


def test_ternary_slope_by_hand():
    n = np.array([-6.0, -5.0, -1.0, 0.0, 2.0, 5.0])
    y = math.exp(5.0)
    x = np.exp(n)
    z = x * y
    v, w = (x + y) ** 2, (z + 1.0) ** 2
    np.testing.assert_allclose(OUTPUT_FUNCTIONS["TERNARY"].slope(None, n), z * (v + w) / (v * w), rtol=1e-14)
    h = 1e-6
    numeric = (_ternary_by_hand(n + h) - _ternary_by_hand(n - h)) / (2 * h)
    np.testing.assert_allclose(OUTPUT_FUNCTIONS["TERNARY"].slope(None, n), numeric, rtol=1e-6)


def test_relu_if_registered():
    if "RELU" not in OUTPUT_FUNCTIONS:
        pytest.skip("no RELU output function")
    relu = OUTPUT_FUNCTIONS["RELU"]
    np.testing.assert_array_equal(relu.f(np.array([-2.0, -0.5, 0.0, 0.25, 3.0])), [0.0, 0.0, 0.0, 0.25, 3.0])


# ================================================================ error functions
A2 = np.array([[0.25, 0.5, 0.875], [0.75, 0.125, 0.5]])
T2 = np.array([[0.0, 1.0, 0.5], [1.0, 0.25, 0.5]])


def test_error_defaults_and_lookup():
    assert error_function("SUM_SQUARED").error_scale == 0.5
    for name in ("CROSS_ENTROPY", "DIVERGENCE", "COSINE"):
        assert error_function(name).error_scale == 1.0, name
    assert error_function("CROSS_ENTROPY", 3.0).error_scale == 3.0
    e = error_function("SUM_SQUARED", 2.0)
    assert error_function(e) is e and e.lens is False and e.ticks == 1 and e.plain
    assert not error_function("SUM_SQUARED", lens=True).plain and not error_function("SUM_SQUARED", ticks=2).plain
    with pytest.raises(PdpError, match="error type COSINE: unknown option"):
        error_function("COSINE", clip=1)
    assert repr(error_function("SUM_SQUARED")) == "SUM_SQUARED(error_scale=0.5)"
    assert repr(error_function("CROSS_ENTROPY", 2.0, lens=True, ticks=3)) == \
        "CROSS_ENTROPY(error_scale=2, lens=True, ticks=3)"
    assert log_eps(np.float64) == 1e-8 and log_eps(np.float32) == 1e-6


def test_error_describe():
    assert error_function("SUM_SQUARED").describe() == ("E = 1/2 sum (t - a)^2", "-(t - a)")
    assert error_function("SUM_SQUARED", 1.0).describe() == ("E = sum (t - a)^2", "-2 (t - a)")
    assert error_function("SUM_SQUARED", 3.0).describe() == ("E = 3 sum (t - a)^2", "-6 (t - a)")
    ce = "sum t ln(t/a) + (1-t) ln((1-t)/(1-a))"
    assert error_function("CROSS_ENTROPY").describe() == (f"E = {ce}", "(a - t) / (a (1 - a))")
    assert error_function("CROSS_ENTROPY", 0.5).describe() == (f"E = 1/2 {ce}", "0.5 ((a - t) / (a (1 - a)))")
    assert error_function("DIVERGENCE", 2.0).describe() == ("E = 2 sum t ln(t/a)", "2 (-t / a)")


def test_error_domains_are_where_the_formula_is_finite():
    """Inside ``domain`` the formula (no bound, eps = 0) is finite; at a finite end of it, it is infinite."""
    t = np.array([0.5])
    for name, cls in ERROR_FUNCTIONS.items():
        if not cls.elementwise:
            continue
        lo, hi = cls.domain
        assert lo < hi, name
        inside = [0.0 if not math.isfinite(lo) and not math.isfinite(hi) else
                  (lo + hi) / 2 if math.isfinite(hi) else lo + 1.0]
        with np.errstate(all="ignore"):
            assert np.isfinite(cls.value(np.array(inside), t, 0.0)).all(), name
            for edge in (lo, hi):
                if math.isfinite(edge):
                    assert cls.value(np.array([edge]), t, 0.0)[0] == np.inf, (name, edge)
    assert ERROR_FUNCTIONS["CROSS_ENTROPY"].domain == (0.0, 1.0)
    assert ERROR_FUNCTIONS["DIVERGENCE"].domain == (0.0, np.inf)
    assert ERROR_FUNCTIONS["SUM_SQUARED"].domain == (-np.inf, np.inf)


def test_errors_sum_over_the_last_axis_of_an_ensemble():
    """(members, examples, units): E per member and example; NaN targets add nothing."""
    rng = np.random.default_rng(8)
    a = rng.uniform(0.05, 0.95, (2, 3, 4))
    t = rng.uniform(0.05, 0.95, (2, 3, 4))
    t[0, 1, 2] = t[1, 2, 0] = np.nan
    for name in ERROR_FUNCTIONS:
        for opts in ({}, {"lens": True}):
            err = error_function(name, 0.75, **opts)
            got = err.error(a, t)
            assert got.shape == (2, 3), name
            for m in range(2):
                np.testing.assert_allclose(got[m], err.error(a[m], t[m]), rtol=1e-14, err_msg=f"{name} {opts}")
    tb = np.round(t)
    ce = error_function("CROSS_ENTROPY", 0.75)
    np.testing.assert_allclose(ce.error(a, tb, binary=True), ce.error(a, tb), rtol=1e-12)


def test_array_errors_over_the_last_axis_with_missing_targets(xp):
    rng = np.random.default_rng(9)
    a = rng.uniform(0.05, 0.95, (2, 3, 4))
    t = rng.uniform(0.05, 0.95, (2, 3, 4))
    t[0, 1, 2] = np.nan
    for name, cls in ERROR_FUNCTIONS.items():
        if not cls.elementwise:
            continue
        err = error_function(name, 0.75)
        got = np.asarray(err.array_error(xp, xp.asarray(a), xp.asarray(t), 1e-8))
        np.testing.assert_allclose(got, err.error(a, t), rtol=1e-13, err_msg=name)
        d = np.asarray(err.array_output_deriv(xp, xp.asarray(a), xp.asarray(t), 1e-8))
        np.testing.assert_allclose(d, run_deriv(err, a, t), rtol=1e-13, err_msg=name)
        assert d[0, 1, 2] == 0.0
        fused = err.array_fused(xp, "LOGISTIC", xp.asarray(a), xp.asarray(t))
        if "LOGISTIC" in cls.fused:
            out = np.empty_like(a)
            np.testing.assert_allclose(np.asarray(fused), err.fused_input_deriv("LOGISTIC", a, t, out), rtol=1e-14)
            assert np.asarray(fused)[0, 1, 2] == 0.0
        else:
            assert fused is None
        assert err.array_fused(xp, "TANH", xp.asarray(a), xp.asarray(t)) is None


def test_missing_targets_add_no_error_whatever_the_formula_gives_at_t_equal_a():
    """Outputs at 0 and 1 (where the bounded formulas are not 0 at t = a) with missing targets."""
    a = np.array([[1.0, 0.0, 1e-9, 0.5]])
    t = np.array([[np.nan, np.nan, np.nan, 0.25]])
    for name in ERROR_FUNCTIONS:
        for opts in ({}, {"lens": True}):
            err = error_function(name, 2.0, **opts)
            keep = error_function(name, 2.0, **opts)
            np.testing.assert_allclose(err.error(a, t), keep.error(a[:, 3:], t[:, 3:]), rtol=1e-14,
                                       err_msg=f"{name} {opts}")
            d = run_deriv(err, a, t)
            if ERROR_FUNCTIONS[name].elementwise:
                np.testing.assert_array_equal(d[0, :3], 0.0, err_msg=f"{name} {opts}")
                np.testing.assert_allclose(d[0, 3:], run_deriv(keep, a[:, 3:], t[:, 3:])[0], rtol=1e-14)
            out = np.full_like(a, 7.0)
            fused = err.fused_input_deriv("LOGISTIC", a, t, out)
            if fused is not None:
                np.testing.assert_array_equal(fused, [[0.0, 0.0, 0.0, 2.0 * (0.5 - 0.25)]])
            assert err.fused_input_deriv("TANH", a, t, np.empty_like(a)) is None
    ce = error_function("CROSS_ENTROPY", 2.0)
    tb = np.array([[np.nan, 0.0, 1.0, np.nan]])
    np.testing.assert_array_equal(ce.error(a, tb, binary=True), [-2.0 * math.log1p(-(1.0 - 1e-8))])


def test_missing_targets_of_nan_outputs():
    """A unit with no target adds no error and no derivative even when its output is NaN (a diverged unit)."""
    a = np.array([[np.nan, 0.5]])
    t = np.array([[np.nan, 1.0]])
    for name in ERROR_FUNCTIONS:
        lens = error_function(name, 2.0, lens=True)
        np.testing.assert_array_equal(lens.error(a, t), lens.error(a[:, 1:], t[:, 1:]), err_msg=name)
        np.testing.assert_array_equal(run_deriv(lens, a, t)[0, 0], 0.0, err_msg=name)
    for name in ("CROSS_ENTROPY", "DIVERGENCE", "COSINE"):
        plain = error_function(name, 2.0)
        np.testing.assert_array_equal(plain.error(a, t), plain.error(a[:, 1:], t[:, 1:]), err_msg=name)
        np.testing.assert_array_equal(run_deriv(plain, a, t)[0, 0], 0.0, err_msg=name)
    ce = error_function("CROSS_ENTROPY", 2.0)
    np.testing.assert_array_equal(ce.fused_input_deriv("LOGISTIC", a, t, np.full_like(a, 7.0)), [[0.0, -1.0]])


# bugs found and fixed: the fast plain forms of SUM_SQUARED and of CROSS_ENTROPY's binary error put the
# output in place of a missing target, which was no longer 'no error' when the output is NaN
def test_sum_squared_error_of_a_nan_output_without_target():
    a, t = np.array([[np.nan, 0.5]]), np.array([[np.nan, 1.0]])
    np.testing.assert_array_equal(error_function("SUM_SQUARED", 2.0).error(a, t), [0.5])


def test_sum_squared_derivative_of_a_nan_output_without_target():
    a, t = np.array([[np.nan, 0.5]]), np.array([[np.nan, 1.0]])
    np.testing.assert_array_equal(run_deriv(error_function("SUM_SQUARED", 2.0), a, t), [[0.0, -2.0]])


def test_cross_entropy_binary_error_of_a_nan_output_without_target():
    a, t = np.array([[np.nan, 0.5]]), np.array([[np.nan, 1.0]])
    np.testing.assert_allclose(error_function("CROSS_ENTROPY").error(a, t, binary=True), [math.log(2.0)],
                               rtol=1e-15)


# ---------------------------------------------------------------- SUM_SQUARED
def test_sum_squared_plain_and_lens():
    for s in (0.5, 1.0, 3.0):
        err = error_function("SUM_SQUARED", s)
        np.testing.assert_array_equal(err.error(A2, T2), s * ((T2 - A2) ** 2).sum(axis=-1))
        np.testing.assert_array_equal(run_deriv(err, A2, T2), (A2 - T2) * (2.0 * s))
        for ticks in (1, 4):
            lens = error_function("SUM_SQUARED", s, lens=True, ticks=ticks)
            np.testing.assert_allclose(lens.error(A2, T2), ((A2 - T2) ** 2).sum(axis=-1) * (s / ticks), rtol=1e-15)
            np.testing.assert_allclose(run_deriv(lens, A2, T2), 2.0 * (A2 - T2) * s, rtol=1e-15)
    cls = ERROR_FUNCTIONS["SUM_SQUARED"]
    np.testing.assert_array_equal(cls.value(A2, T2, 1e-8), (T2 - A2) * (T2 - A2))
    np.testing.assert_array_equal(cls.deriv(A2, T2, 1e-8), 2.0 * (A2 - T2))
    np.testing.assert_array_equal(cls.lens_value(A2, T2), (A2 - T2) ** 2)
    np.testing.assert_array_equal(cls.lens_deriv(A2, T2), 2.0 * (A2 - T2))


# ---------------------------------------------------------------- CROSS_ENTROPY
def _ce_by_hand(a, t, eps=1e-8):
    a = min(max(a, eps), 1.0 - eps)
    on = t * math.log(t / a) if t > 0 else 0.0
    off = (1.0 - t) * math.log((1.0 - t) / (1.0 - a)) if t < 1 else 0.0
    return on + off


def test_cross_entropy_value_and_derivative_by_hand():
    cls = ERROR_FUNCTIONS["CROSS_ENTROPY"]
    for a in (0.0, 1e-9, 0.2, 0.5, 0.9, 1.0):
        for t in (0.0, 0.3, 1.0):
            got = float(cls.value(np.float64(a), np.float64(t), 1e-8))    # no warning at t = 0 or 1
            assert got == pytest.approx(_ce_by_hand(a, t), rel=1e-12, abs=1e-300), (a, t)
            ac = min(max(a, 1e-8), 1.0 - 1e-8)
            assert float(cls.deriv(np.float64(a), np.float64(t), 1e-8)) == pytest.approx(
                (ac - t) / (ac * (1.0 - ac)), rel=1e-12), (a, t)
    assert float(cls.value(np.float64(1.0), np.float64(1.0), 1e-8)) == pytest.approx(1e-8, rel=1e-6)   # a kept at 1 - eps
    with np.errstate(all="raise"):
        v = cls.value(np.array([0.3, 0.6]), np.array([0.0, 1.0]), 1e-8)
    np.testing.assert_allclose(v, [-math.log(0.7), -math.log(0.6)], rtol=1e-14)


def test_cross_entropy_binary_form():
    """t in {0, 1}: E = -s sum ln(1 - |t - a|), |t - a| at most 1 - eps (a missing target adds 0)."""
    a = np.array([[0.25, 0.875, 1.0, 0.0, 0.5], [1.0, 1.0, 0.0, 0.0, 0.25]])
    t = np.array([[0.0, 1.0, 1.0, 1.0, np.nan], [1.0, 0.0, 0.0, 1.0, 0.0]])
    d = np.minimum(np.abs(np.where(np.isnan(t), a, t) - a), 1.0 - 1e-8)
    want = -2.0 * np.log1p(-d).sum(axis=-1)
    ce = error_function("CROSS_ENTROPY", 2.0)
    np.testing.assert_array_equal(ce.error(a, t, binary=True), want)
    assert ce.error(a[:1, 2:3], t[:1, 2:3], binary=True)[0] == 0.0        # a = t = 1: no error (the bounded
    assert ce.error(a[:1, 2:3], t[:1, 2:3])[0] > 0.0                       # general form gives 2e-8)
    np.testing.assert_allclose(ce.error(a, t, binary=True), ce.error(a, t), rtol=1e-7)
    # binary with Lens's numerics: Lens's forms, not the binary shortcut
    lens = error_function("CROSS_ENTROPY", 2.0, lens=True)
    np.testing.assert_array_equal(lens.error(a, t, binary=True), lens.error(a, t))
    assert lens.error(a[:, :4], t[:, :4], binary=True)[0] == pytest.approx(
        2.0 * (-math.log(0.75) - math.log(0.875) + 0.0 + 1e8), rel=1e-14)


def test_cross_entropy_lens_values():
    cls = ERROR_FUNCTIONS["CROSS_ENTROPY"]
    a = np.array([0.0, 1.0, 0.25, 0.75, 0.0, 1.0, 0.25, 0.0, 1.0, 0.25, 1e-9])
    t = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.3, 0.3, 0.3, 0.25, 0.3])
    with np.errstate(all="ignore"):
        got = cls.lens_value(a, t)
    want = [0.0, 1e8, -math.log(0.75), -math.log(0.75), 1e8, 0.0,
            math.log(0.3 / 0.25) * 0.3 + math.log(0.7 / 0.75) * 0.7, 1e8, 1e8, 0.0,
            math.log(0.3 / 1e-9) * 0.3 + math.log(0.7 / (1 - 1e-9)) * 0.7]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)
    err = error_function("CROSS_ENTROPY", 1.5, lens=True, ticks=2)
    np.testing.assert_allclose(err.error(a[None, :], t[None, :]), [sum(want) * 1.5 / 2], rtol=1e-14)


def test_cross_entropy_lens_derivatives():
    cls = ERROR_FUNCTIONS["CROSS_ENTROPY"]
    a = np.array([0.25, 1.0, 1.0 - 1e-9, 0.25, 0.0, 1e-9, 1e-8, 0.25, 0.0, 1.0, 1e-9, 0.5])
    t = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.3, 0.3, 0.3, 0.5])
    with np.errstate(all="ignore"):
        got = cls.lens_deriv(a, t)
    want = [1.0 / 0.75, 1e8, 1e8, -4.0, -1e8, -1e8, -1e8, (0.25 - 0.3) / (0.25 * 0.75), -0.3e8, 0.7e8,
            (1e-9 - 0.3) * 1e8, 0.0]
    np.testing.assert_allclose(got, want, rtol=1e-14)
    err = error_function("CROSS_ENTROPY", 1.5, lens=True)
    np.testing.assert_allclose(run_deriv(err, a[None, :], t[None, :])[0], np.array(want) * 1.5, rtol=1e-14)


def test_cross_entropy_lens_bounds_at_and_beyond_small_val():
    """Lens's bounds take effect at 1e-8 (SMALL_VAL) exactly: a (1 - a) == 1e-8 for this a, where
    (a - t) 1e8 and (a - t) / 1e-8 differ in the last bit; between 1e-8 and 2e-8 the quotients hold."""
    cls = ERROR_FUNCTIONS["CROSS_ENTROPY"]
    edge = 1.0000000100000002e-08
    assert edge * (1.0 - edge) == 1e-8 and (edge - 0.5) * 1e8 != (edge - 0.5) / 1e-8
    a = np.array([edge, 1.5e-8, 1.0 - 1.5e-8, 1.5e-8])
    t = np.array([0.5, 1.0, 0.0, 0.3])
    with np.errstate(all="ignore"):
        got = cls.lens_deriv(a, t)
    aa = 1.5e-8 * (1.0 - 1.5e-8)
    np.testing.assert_array_equal(got, [(edge - 0.5) * 1e8, -1.0 / 1.5e-8, 1.0 / (1.0 - (1.0 - 1.5e-8)),
                                        (1.5e-8 - 0.3) / aa])


def test_cross_entropy_targets_at_or_above_one_have_no_off_term():
    cls = ERROR_FUNCTIONS["CROSS_ENTROPY"]
    v = cls.value(np.array([0.25, 0.5]), np.array([1.5, 1.0]), 1e-8)
    np.testing.assert_array_equal(v, [1.5 * np.log(1.5 / 0.25), 1.0 * np.log(1.0 / 0.5)])


def test_cross_entropy_fused_with_logistic():
    ce = error_function("CROSS_ENTROPY", 2.0)
    out = np.full_like(A2, 7.0)
    np.testing.assert_array_equal(ce.fused_input_deriv("LOGISTIC", A2, T2, out), (A2 - T2) * 2.0)


# ---------------------------------------------------------------- DIVERGENCE
def test_divergence_value_and_derivative_by_hand():
    cls = ERROR_FUNCTIONS["DIVERGENCE"]
    a = np.array([0.25, 0.5, 0.0, 2.0, 0.125])
    t = np.array([0.5, 0.0, 0.25, 0.5, 0.0])
    with np.errstate(all="raise"):
        v = cls.value(a, t, 1e-8)
    np.testing.assert_allclose(v, [0.5 * math.log(2.0), 0.0, 0.25 * math.log(0.25 / 1e-8), 0.5 * math.log(0.25),
                                   0.0], rtol=1e-14)
    np.testing.assert_allclose(cls.deriv(a, t, 1e-8), [-2.0, -0.0, -0.25 / 1e-8, -0.25, 0.0], rtol=1e-14)
    dv = error_function("DIVERGENCE", 2.0)
    e = dv.error(np.array([[np.inf, 0.5]]), np.array([[0.0, 1.0]]))   # an overflowed output with no target mass
    assert e[0] == pytest.approx(2.0 * math.log(2.0), rel=1e-14)


def test_divergence_lens_values_and_derivatives():
    cls = ERROR_FUNCTIONS["DIVERGENCE"]
    a = np.array([0.25, 0.0, -0.5, 0.5, 1e-8, 1e-9, 0.0])
    t = np.array([0.5, 0.5, 0.25, 0.0, 0.3, 0.3, 0.0])
    with np.errstate(all="ignore"):
        v, d = cls.lens_value(a, t), cls.lens_deriv(a, t)
    np.testing.assert_allclose(v, [0.5 * math.log(2.0), 0.5 * math.log(0.5e8), 0.25 * math.log(0.25e8), 0.0,
                                   0.3 * math.log(0.3 / 1e-8), 0.3 * math.log(0.3 / 1e-9), 0.0], rtol=1e-14)
    np.testing.assert_allclose(d, [-2.0, -0.5e8, -0.25e8, 0.0, -0.3e8, -0.3e8, 0.0], rtol=1e-14)
    err = error_function("DIVERGENCE", 3.0, lens=True, ticks=3)
    np.testing.assert_allclose(err.error(a[None, :], t[None, :]), [v.sum()], rtol=1e-14)


def test_divergence_lens_bound_at_small_val():
    cls = ERROR_FUNCTIONS["DIVERGENCE"]
    assert -0.55 * 1e8 != -0.55 / 1e-8
    with np.errstate(all="ignore"):
        got = cls.lens_deriv(np.array([1e-8, 1.5e-8]), np.array([0.55, 0.55]))
    np.testing.assert_array_equal(got, [-0.55 * 1e8, -0.55 / 1.5e-8])


# ---------------------------------------------------------------- COSINE
def _cos_by_hand(a, t):
    keep = ~np.isnan(t)
    a, t = a[keep], t[keep]
    na, nt = math.sqrt((a * a).sum()), math.sqrt((t * t).sum())
    return 0.0 if na == 0 or nt == 0 else float((a * t).sum() / (na * nt))


def test_cosine_error_by_hand():
    a = np.array([[0.5, 0.25, 0.75], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.5, 2.0, -1.0], [1.0, 0.0, 0.5]])
    t = np.array([[1.0, 0.0, 0.5], [1.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.5, np.nan, 1.0], [0.0, 1.0, np.nan]])
    cos = np.array([_cos_by_hand(x, y) for x, y in zip(a, t)])
    assert cos[1] == 1.0 and cos[2] == 0.0 and cos[4] == 0.0
    for s in (1.0, 2.5):
        np.testing.assert_allclose(error_function("COSINE", s).error(a, t), s * (1.0 - cos), rtol=1e-14)
        for ticks in (1, 4):
            lens = error_function("COSINE", s, lens=True, ticks=ticks)
            np.testing.assert_allclose(lens.error(a, t), (1.0 - cos * s) * (s / ticks), rtol=1e-14)
    e3 = error_function("COSINE", 2.0).error(np.stack([a[:2], a[3:]]), np.stack([t[:2], t[3:]]))
    np.testing.assert_allclose(e3, 2.0 * (1.0 - np.array([cos[:2], cos[3:]])), rtol=1e-14)


def test_cosine_derivative_by_finite_differences():
    rng = np.random.default_rng(12)
    a = rng.uniform(-1.0, 1.0, (3, 2, 5))
    t = rng.uniform(-1.0, 1.0, (3, 2, 5))
    t[0, 1, 3] = np.nan
    err = error_function("COSINE", 1.5)
    d = run_deriv(err, a, t)
    h = 1e-6
    numeric = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (err.error(up, t)[idx[:-1]] - err.error(down, t)[idx[:-1]]) / (2 * h)
    np.testing.assert_allclose(d, numeric, rtol=1e-6, atol=1e-9)
    assert d[0, 1, 3] == 0.0
    # orthogonal (c = 0: no derivative, not 0 * inf) and zero outputs
    z = run_deriv(err, np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(z, 0.0)
