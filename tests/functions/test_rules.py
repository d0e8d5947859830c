"""Each rule once: the tables, and every form of every registered rule held to its one definition.

Everything here is drawn from the tables (pdpsim.functions), so a rule added to a table is
checked with no edit to this file.
"""
import math

import numpy as np
import pytest

from pdpsim import PdpError
from pdpsim.functions import (CLAMPS, ERROR_FUNCTIONS, INTEGRATORS, OUTPUT_FUNCTIONS, error_function,
                              output_function)
from pdpsim.functions.targets import effective_target, radius_target

OUTPUTS = list(OUTPUT_FUNCTIONS)
ELEMENTWISE = [n for n, c in OUTPUT_FUNCTIONS.items() if c.elementwise]
ERRORS = list(ERROR_FUNCTIONS)
ELEMENTWISE_ERRORS = [n for n, c in ERROR_FUNCTIONS.items() if c.elementwise]


def net_inputs(name, rng, shape=(4, 5)):
    """Net inputs inside where the function's formula holds (away from saturation and from ReLU's kink)."""
    n = rng.uniform(-2.5, 2.5, shape)
    return np.where(np.abs(n) < 0.05, 0.3, n)


def outputs_for(err, rng, shape=(4, 5)):
    lo, hi = ERROR_FUNCTIONS[err].domain
    lo, hi = max(lo, -2.0), min(hi, 2.0)
    a = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), shape)
    t = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), shape)
    return a, t


# ---------------------------------------------------------------- the tables
def test_unknown_names_list_the_known_ones():
    with pytest.raises(PdpError, match=r"group 'h': unknown unit type 'SIGMOIDAL'; expected one of LOGISTIC, TANH"):
        output_function("SIGMOIDAL", "group 'h'")
    with pytest.raises(PdpError, match=r"unknown error type 'L1'; expected one of SUM_SQUARED, CROSS_ENTROPY"):
        error_function("L1")
    with pytest.raises(PdpError, match="unknown integration type 'EULER'"):
        INTEGRATORS.get("EULER")
    with pytest.raises(PdpError, match="unknown clamp 'FIRM'; expected one of NONE, HARD, SOFT"):
        CLAMPS.get("FIRM")


def test_names_aliases_and_codes():
    assert output_function("sigmoid").name == "LOGISTIC" and output_function("soft-max").name == "SOFT_MAX"
    assert error_function("xent").name == "CROSS_ENTROPY" and error_function("sse").error_scale == 0.5
    for table in (OUTPUT_FUNCTIONS, ERROR_FUNCTIONS, INTEGRATORS, CLAMPS):
        names = table.names()
        assert [table.code(n) for n in names] == list(range(len(names)))       # codes: positions in the table
    assert INTEGRATORS.code("NONE") == 0 and CLAMPS.code("NONE") == 0


def test_options_are_checked_and_plain_means_the_formula():
    f = output_function("LOGISTIC")
    assert f.plain and not output_function("LOGISTIC", lens=True).plain and not output_function("TANH", gain=2.0).plain
    with pytest.raises(PdpError, match="unit type LOGISTIC: unknown option"):
        output_function("LOGISTIC", shift=1.0)
    with pytest.raises(PdpError, match="error type SUM_SQUARED: unknown option"):
        error_function("SUM_SQUARED", None, clip=True)


# ---------------------------------------------------------------- one definition, every form
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_numpy_forms_equal_the_formulas(name):
    """forward/backward (in place, possibly faster bodies) are f and dE/da slope(a, n)."""
    rng = np.random.default_rng(OUTPUTS.index(name))
    fn = output_function(name)
    n = net_inputs(name, rng)
    a = np.empty_like(n)
    fn.forward(n, a)
    np.testing.assert_allclose(a, fn.f(n), rtol=1e-14, atol=1e-300)
    d = rng.normal(size=n.shape)
    dn = np.empty_like(n)
    fn.backward(a, d, dn, n)
    np.testing.assert_allclose(dn, d * fn.slope(a, n), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_slope_is_the_derivative_of_f(name):
    rng = np.random.default_rng(10 + OUTPUTS.index(name))
    fn = output_function(name)
    n = net_inputs(name, rng)
    h = 1e-6
    numeric = (fn.f(n + h) - fn.f(n - h)) / (2 * h)
    np.testing.assert_allclose(fn.slope(fn.f(n), n), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE_ERRORS)
def test_error_derivative_is_the_derivative_of_the_error(name):
    rng = np.random.default_rng(20 + ERRORS.index(name))
    err = error_function(name, 0.7)
    a, t = outputs_for(name, rng)
    h = 1e-6
    numeric = 0.7 * (err.value(a + h, t, 1e-8) - err.value(a - h, t, 1e-8)) / (2 * h)
    d = np.empty_like(a)
    err.output_deriv(a, t, d)
    np.testing.assert_allclose(d, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(err.error(a, t), 0.7 * err.value(a, t, 1e-8).sum(axis=-1), rtol=1e-13)
    np.testing.assert_allclose(err.value(a, a, 1e-8), 0.0, atol=1e-12)     # no error when a = t


@pytest.mark.parametrize("name", ERRORS)
def test_error_scale_multiplies_error_and_derivative(name):
    """s multiplies E and dE/da of every error function (mutants that drop it are caught here)."""
    rng = np.random.default_rng(30 + ERRORS.index(name))
    a, t = outputs_for(name, rng)
    one, three = error_function(name, 1.0), error_function(name, 3.0)
    np.testing.assert_allclose(three.error(a, t), 3.0 * one.error(a, t), rtol=1e-13)
    d1, d3 = np.empty_like(a), np.empty_like(a)
    one.output_deriv(a, t, d1)
    three.output_deriv(a, t, d3)
    np.testing.assert_allclose(d3, 3.0 * d1, rtol=1e-13)
    for fname in ERROR_FUNCTIONS[name].fused:                     # the pairs that cancel, too
        f1, f3 = np.empty_like(a), np.empty_like(a)
        one.fused_input_deriv(fname, a, t, f1)
        three.fused_input_deriv(fname, a, t, f3)
        np.testing.assert_allclose(f3, 3.0 * f1, rtol=1e-13)


@pytest.mark.parametrize("name", ERRORS)
def test_fused_pairs_equal_the_chain_rule(name):
    """dE/dn of a pair that cancels equals dE/da times the output function's slope."""
    err = error_function(name, 0.4)
    rng = np.random.default_rng(40)
    for fname in err.fused:
        fn = output_function(fname)
        n = net_inputs(fname, rng)
        a = np.empty_like(n)
        fn.forward(n, a)
        t = rng.uniform(0.05, 0.95, n.shape)
        da, chain, fused = np.empty_like(a), np.empty_like(a), np.empty_like(a)
        err.output_deriv(a, t, da)
        fn.backward(a, da, chain, n)
        err.fused_input_deriv(fname, a, t, fused)
        np.testing.assert_allclose(fused, chain, rtol=1e-9)


@pytest.mark.parametrize("lanes", [False, True], ids=["one-number", "lanes"])
def test_compiled_scalar_forms_equal_numpy(lanes):
    """The kernels' forms (numba, one number at a time, with the C library's e^x and ln x or the
    vectorisable ones of loops over many numbers) of every elementwise rule equal numpy's."""
    pytest.importorskip("numba")
    from pdpsim.functions import codes
    d = codes.dispatchers(lanes)
    rng = np.random.default_rng(5)
    for name in ELEMENTWISE:
        cls, k = OUTPUT_FUNCTIONS[name], OUTPUT_FUNCTIONS.code(name)
        for n in net_inputs(name, rng, (12,)):
            a = cls.f(n)
            assert d["unit_f"](k, n) == pytest.approx(float(a), rel=1e-14, abs=1e-300)
            assert d["unit_slope"](k, float(a), n) == pytest.approx(float(cls.slope(a, n)), rel=1e-13, abs=1e-300)
    for name in ELEMENTWISE_ERRORS:
        cls, k = ERROR_FUNCTIONS[name], ERROR_FUNCTIONS.code(name)
        a, t = outputs_for(name, rng, (12,))
        for x, y in zip(a, t):
            assert d["error_value"](k, x, y, 1e-8) == pytest.approx(float(cls.value(x, y, 1e-8)), rel=1e-13, abs=1e-15)
            assert d["error_deriv"](k, x, y, 1e-8) == pytest.approx(float(cls.deriv(x, y, 1e-8)), rel=1e-13)
        b = np.round(t)                                          # the binary form, where the rule has one
        for x, y in zip(a, b):
            want = float((cls.binary_value or cls.value)(x, y, 1e-8))
            assert d["error_binary"](k, x, y, 1e-8) == pytest.approx(want, rel=2e-15, abs=1e-300)
    for name, cls in INTEGRATORS.items():
        k = INTEGRATORS.code(name)
        assert d["integrate"](k, 0.2, 0.9, 0.25) == pytest.approx(cls.step(0.2, 0.9, 0.25), rel=1e-15)
        assert d["integrate_into"](k, 0.6, 0.25) == pytest.approx(cls.into(0.6, 0.25), rel=1e-15)
        assert d["integrate_carry"](k, 0.6, 0.25) == pytest.approx(cls.carry(0.6, 0.25), rel=1e-15, abs=0)
    for name, cls in CLAMPS.items():
        k = CLAMPS.code(name)
        for x in (0.9, math.nan):
            assert d["clamp"](k, 0.2, x, 0.3) == pytest.approx(float(cls.forward(0.2, np.float64(x), 0.3)))
            assert d["clamp_back"](k, 0.6, x, 0.3) == pytest.approx(float(cls.backward(0.6, np.float64(x), 0.3)))


def test_array_api_forms_equal_numpy():
    xp = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(6)
    for name in OUTPUTS:
        fn = output_function(name)
        n = net_inputs(name, rng)
        a = np.empty_like(n)
        fn.forward(n, a)
        da = rng.normal(size=n.shape)
        dn = np.empty_like(n)
        fn.backward(a, da, dn, n)
        np.testing.assert_allclose(np.asarray(fn.array_forward(xp, xp.asarray(n))), a, rtol=1e-14, atol=1e-300)
        got = fn.array_backward(xp, xp.asarray(a), xp.asarray(da), xp.asarray(n))
        np.testing.assert_allclose(np.asarray(got), dn, rtol=1e-13, atol=1e-300)
    for name in ELEMENTWISE_ERRORS:
        err = error_function(name, 0.6)
        a, t = outputs_for(name, rng)
        d = np.empty_like(a)
        err.output_deriv(a, t, d)
        np.testing.assert_allclose(np.asarray(err.array_error(xp, xp.asarray(a), xp.asarray(t), 1e-8)),
                                   err.error(a, t), rtol=1e-13)
        np.testing.assert_allclose(np.asarray(err.array_output_deriv(xp, xp.asarray(a), xp.asarray(t), 1e-8)),
                                   d, rtol=1e-13)


# ---------------------------------------------------------------- exact values
def test_the_lectures_numbers():
    """The worked example: a = 1/(1 + e^-0.0039) = .500975, E = 1/2 (1 - .539992)^2 = .105804."""
    lg = output_function("LOGISTIC")
    assert float(lg.f(np.float64(0.0039))) == pytest.approx(0.500975, abs=5e-7)
    a = np.array([[0.539992]])
    assert error_function("SUM_SQUARED").error(a, np.array([[1.0]]))[0] == pytest.approx(0.105804, abs=5e-7)
    d = np.empty_like(a)
    error_function("SUM_SQUARED").output_deriv(a, np.array([[1.0]]), d)
    assert d[0, 0] == pytest.approx(-(1 - 0.539992), rel=1e-12)                  # dE/da = -(t - a)
    assert float(lg.slope(np.float64(0.539992), None)) == pytest.approx(0.539992 * 0.460008, rel=1e-12)


def test_logistic_never_overflows():
    """At n = -1000 exp(-n) is inf: the output is 0 (or the least float), with no warning."""
    out = np.empty(3)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        output_function("LOGISTIC").forward(np.array([-1000.0, 0.0, 1000.0]), out)
    assert out[0] < 1e-300 and out[1] == 0.5 and out[2] == 1.0


def test_cross_entropy_bounds_keep_logs_finite():
    """Outputs are kept inside [eps, 1 - eps]: the error of a saturated wrong output is -ln(eps)."""
    ce = error_function("CROSS_ENTROPY")
    a, t = np.array([[1.0, 0.0, 0.3]]), np.array([[0.0, 1.0, 0.6]])
    e = ce.error(a, t)[0]                                       # t in {0,1} but 0.6: the general form
    want = -math.log(1e-8) * 2 + 0.6 * math.log(0.6 / 0.3) + 0.4 * math.log(0.4 / 0.7)
    assert e == pytest.approx(want, rel=1e-9)
    assert ce.error(a[:, :2], t[:, :2], binary=True)[0] == pytest.approx(-2 * math.log(1e-8), rel=1e-9)
    d = np.empty_like(a)
    ce.output_deriv(a, t, d)
    top = 1.0 - 1e-8
    assert d[0, 0] == pytest.approx(top / (top * (1.0 - top)), rel=1e-12)   # at a = 1 - eps: bounded, not infinite
    f32 = np.array([[1.0]], dtype=np.float32)
    top32 = float(np.float32(1.0 - 1e-6))                              # float32: eps 1e-6 (1 - 1e-8 is 1 there)
    assert ce.error(f32, np.zeros_like(f32))[0] == pytest.approx(-math.log(1.0 - top32), rel=1e-6)


def test_cross_entropys_binary_form_is_the_formulas_live_term():
    """For t in {0, 1}, binary_value (one logarithm) is value (two), to rounding; beyond the bound
    1 - eps it keeps 1 - a where value keeps eps. error(binary=True) is binary_value in place,
    missing targets adding nothing."""
    from pdpsim.functions.errors.cross_entropy import CrossEntropy
    rng = np.random.default_rng(7)
    a = rng.uniform(1e-8, 1 - 1e-8, 2000)
    t = (rng.random(2000) < 0.5).astype(float)
    np.testing.assert_allclose(CrossEntropy.binary_value(a, t, 1e-8), CrossEntropy.value(a, t, 1e-8), rtol=1e-13)
    assert CrossEntropy.binary_value(1.0 - 1e-13, 1.0, 1e-8) == pytest.approx(1e-13, rel=1e-3)
    assert CrossEntropy.value(1.0 - 1e-13, 1.0, 1e-8) == pytest.approx(1e-8, rel=1e-6)
    # a saturated wrong output: both give -ln(1 - (1 - eps)), as 1 - eps rounds (about -ln 1e-8)
    assert CrossEntropy.binary_value(1.0, 0.0, 1e-8) == pytest.approx(CrossEntropy.value(1.0, 0.0, 1e-8), rel=1e-14)
    assert CrossEntropy.binary_value(1.0, 0.0, 1e-8) == pytest.approx(-math.log(1e-8), rel=1e-9)
    ce = error_function("CROSS_ENTROPY", error_scale=0.5)
    t2 = t.reshape(40, 50).copy()
    t2[3, 4] = np.nan
    want = 0.5 * np.nansum(np.where(np.isnan(t2), np.nan, CrossEntropy.binary_value(a.reshape(40, 50), t2, 1e-8)),
                           axis=-1)
    np.testing.assert_allclose(ce.error(a.reshape(40, 50), t2, binary=True), want, rtol=1e-14)


def test_divergence_bounds_the_output_from_below():
    dv = error_function("DIVERGENCE", 2.0)
    a, t = np.array([[0.0, 0.5]]), np.array([[0.5, 0.5]])
    assert dv.error(a, t)[0] == pytest.approx(2 * 0.5 * math.log(0.5 / 1e-8), rel=1e-12)
    d = np.empty_like(a)
    dv.output_deriv(a, t, d)
    np.testing.assert_allclose(d, [[-2 * 0.5 / 1e-8, -2 * 0.5 / 0.5]], rtol=1e-12)


def test_radii_move_the_target_exactly():
    a = np.array([0.90, 0.30, 0.52, 0.05, 0.70])
    t = np.array([1.00, 0.00, 0.50, 0.00, np.nan])
    got = effective_target(a, t, target_radius=0.05, zero_error_radius=0.0)
    np.testing.assert_allclose(got, [0.95, 0.05, 0.52, 0.05, np.nan])     # beyond: moved r; within: = a; NaN stays
    got = effective_target(a, t, target_radius=0.0, zero_error_radius=0.06)
    np.testing.assert_allclose(got, [1.00, 0.00, 0.52, 0.05, np.nan])      # within the zero-error radius only
    both = radius_target(a[:4], t[:4], 0.05, 0.06)
    np.testing.assert_allclose(both, [0.95, 0.05, 0.52, 0.05])


def test_zero_error_radius_inclusive_and_lens_strict():
    """At exactly the zero-error radius the lecture's rule counts the output right; Lens's only
    strictly inside it (the option lens)."""
    a, t = np.array([0.75, 0.7]), np.array([0.5, 0.5])          # distances 0.25 (exact) and 0.2
    np.testing.assert_array_equal(effective_target(a, t, 0.0, 0.25), [0.75, 0.7])
    np.testing.assert_array_equal(effective_target(a, t, 0.0, 0.25, lens=True), [0.5, 0.7])
