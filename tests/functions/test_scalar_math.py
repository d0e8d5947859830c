"""The compiled kernels' e^x and ln x (pdpsim.functions.scalar_math): within one unit in the last
place of numpy's (the C library's, itself within about half a unit of the true value), exact at
the special values, whatever fast-math flags the kernel that calls them is compiled with, and
written so that a loop of them is put on the vector lanes."""
import math

import numpy as np
import pytest

numba = pytest.importorskip("numba")
from numba import njit  # noqa: E402

from pdpsim.functions import scalar_math  # noqa: E402
from pdpsim.functions.scalar_math import EXP_MAX, EXP_MIN  # noqa: E402

#: the flags of the compiled engine's vectorised kernels, and none
KERNEL_FLAGS = [{"reassoc", "contract"}, set()]


def _loop(fn, flags):
    @njit(fastmath=flags or False, error_model="numpy")
    def run(x, out):
        for i in range(x.shape[0]):
            out[i] = fn(x[i])
    return run


def _neighbours(x, n=30):
    """n floats on each side of x, and x."""
    lo, hi, out = x, x, [x]
    for _ in range(n):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        out += [lo, hi]
    return out


def _ulps(got, want):
    """|got - want| in units of the last place of want (finite wants only)."""
    return np.abs(got - want) / np.spacing(np.abs(want))


EXP_POINTS = np.concatenate([
    np.random.default_rng(0).uniform(-800.0, 800.0, 200_000),
    np.random.default_rng(1).uniform(-40.0, 40.0, 200_000),          # a logistic unit's net inputs
    np.random.default_rng(2).uniform(-1e-3, 1e-3, 20_000),
    _neighbours(EXP_MAX), _neighbours(EXP_MIN), _neighbours(-708.3964185322641),   # overflow, 0, subnormal
    _neighbours(0.5 * math.log(2.0)), _neighbours(-0.5 * math.log(2.0)), _neighbours(0.0, 5),
])


@pytest.mark.parametrize("flags", KERNEL_FLAGS, ids=["reassoc+contract", "no-flags"])
def test_exp_is_within_one_ulp_of_numpy(flags):
    out = np.empty_like(EXP_POINTS)
    _loop(scalar_math.exp, flags)(EXP_POINTS, out)
    with np.errstate(over="ignore"):
        want = np.exp(EXP_POINTS)
    normal = np.isfinite(want) & (want >= np.finfo(float).tiny)
    assert _ulps(out[normal], want[normal]).max() <= 1.0
    # subnormal results: within one step of the smallest subnormal; overflow and underflow where numpy has them
    sub = ~normal & np.isfinite(want)
    assert sub.sum() > 20 and np.abs(out[sub] - want[sub]).max() <= 5e-324
    assert np.array_equal(np.isinf(out), np.isinf(want)) and np.array_equal(out == 0.0, want == 0.0)
    # most agree bit for bit
    assert np.mean(out[normal] == want[normal]) > 0.85


def test_exp_special_values():
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 710.0, -746.0, 1e308, -1e308, 1.0])
    out = np.empty_like(x)
    _loop(scalar_math.exp, set())(x, out)
    assert out[0] == np.inf and out[1] == 0.0 and np.isnan(out[2])
    assert out[3] == 1.0 and out[4] == 1.0 and out[5] == np.inf and out[6] == 0.0
    assert out[7] == np.inf and out[8] == 0.0 and out[9] == np.exp(1.0)


LOG_POINTS = np.concatenate([
    np.random.default_rng(3).uniform(0.0, 1.0, 200_000),              # outputs of logistic units
    np.exp(np.random.default_rng(4).uniform(-744.0, 709.0, 200_000)),
    1.0 + np.random.default_rng(5).uniform(-1e-6, 1e-6, 20_000),
    np.random.default_rng(6).uniform(0.0, 1.0, 2_000) * 1e-310,       # subnormal
    _neighbours(1.0), _neighbours(math.sqrt(2.0)), _neighbours(math.sqrt(0.5)), _neighbours(2.0),
    [5e-324, np.finfo(float).tiny, np.finfo(float).max],
])


@pytest.mark.parametrize("flags", KERNEL_FLAGS, ids=["reassoc+contract", "no-flags"])
def test_log_is_within_one_ulp_of_numpy(flags):
    out = np.empty_like(LOG_POINTS)
    _loop(scalar_math.log, flags)(LOG_POINTS, out)
    want = np.log(LOG_POINTS)
    nonzero = want != 0.0
    assert _ulps(out[nonzero], want[nonzero]).max() <= 1.0
    assert np.all(out[~nonzero] == 0.0)                               # ln 1 = 0 exactly
    assert np.mean(out == want) > 0.85


def test_log_special_values():
    x = np.array([0.0, -0.0, -1.0, -np.inf, np.inf, np.nan, 1.0, 2.0, 0.5])
    out = np.empty_like(x)
    _loop(scalar_math.log, set())(x, out)
    assert out[0] == -np.inf and out[1] == -np.inf
    assert np.isnan(out[2]) and np.isnan(out[3]) and out[4] == np.inf and np.isnan(out[5])
    assert out[6] == 0.0 and out[7] == math.log(2.0) and out[8] == -math.log(2.0)


@pytest.mark.parametrize("fn, x", [(scalar_math.exp, np.float32(-3.5)), (scalar_math.log, np.float32(0.3))])
def test_single_precision_arguments(fn, x):
    f = njit(lambda v: fn(v))
    assert f(x) == pytest.approx(float(np.exp(np.float64(x)) if fn is scalar_math.exp else np.log(np.float64(x))),
                                 rel=1e-15)


def test_a_row_of_logistic_units_is_vectorised():
    """The point of these forms: the compiled row dispatcher's loop over a group's units (the
    kernels' a = f(n)) has no call to the C library's exp and runs on vector registers."""
    from pdpsim.engines.compiled.kernels import _VEC
    from pdpsim.functions.codes import dispatchers
    from pdpsim.functions.outputs import OUTPUT_FUNCTIONS
    f_row = dispatchers()["f_row"]
    code = OUTPUT_FUNCTIONS.code("LOGISTIC")

    @njit(fastmath=_VEC, error_model="numpy")
    def row(n, out):
        f_row(code, n, out)

    n = np.linspace(-30.0, 30.0, 61)
    out = np.empty_like(n)
    row(n, out)
    np.testing.assert_allclose(out, 1.0 / (1.0 + np.exp(-n)), rtol=3e-16, atol=0)
    ir = row.inspect_llvm(row.signatures[0])
    assert "@exp(" not in ir and "llvm.exp" not in ir
    assert "x double>" in ir


def test_the_kernels_divide_as_numpy_does():
    """A division by zero in a kernel gives inf or NaN, as in the numpy engine, not an exception;
    (it is also what lets LLVM vectorise a loop with a division: the logistic's 1 / (1 + e^-n))."""
    from pdpsim.engines.compiled import kernels, kernels_lanes, kernels_time_batch
    from pdpsim.functions import rows
    found = 0
    for mod in (kernels, kernels_lanes, kernels_time_batch, rows):
        for obj in vars(mod).values():
            if isinstance(obj, numba.core.registry.CPUDispatcher) and obj.__module__ == mod.__name__ \
                    and not obj.targetoptions.get("inline") == "always":
                assert obj.targetoptions.get("error_model") == "numpy", f"{mod.__name__}.{obj.__name__}"
                found += 1
    assert found >= 15


LOG1P_POINTS = np.concatenate([
    np.random.default_rng(7).uniform(-1.0, 1.0, 200_000),            # -|t - a| of the binary cross-entropy
    -np.random.default_rng(8).uniform(0.0, 1e-6, 20_000),
    np.random.default_rng(9).uniform(-1e-17, 1e-17, 2_000),           # 1 + x rounds to 1
    np.exp(np.random.default_rng(10).uniform(-700.0, 700.0, 20_000)),
    _neighbours(-1.0 + 1e-8), _neighbours(0.5), [1e-300, -1e-300, 5e-324],
])


@pytest.mark.parametrize("flags", KERNEL_FLAGS, ids=["reassoc+contract", "no-flags"])
def test_log1p_is_within_two_ulps_of_numpy(flags):
    x = LOG1P_POINTS[LOG1P_POINTS > -1.0]
    out = np.empty_like(x)
    _loop(scalar_math.log1p, flags)(x, out)
    want = np.log1p(x)
    nonzero = want != 0.0
    assert _ulps(out[nonzero], want[nonzero]).max() <= 2.0
    assert np.all(out[~nonzero] == want[~nonzero])


def test_log1p_special_values():
    x = np.array([-1.0, -2.0, -np.inf, np.inf, np.nan, 0.0, -0.0])
    out = np.empty_like(x)
    _loop(scalar_math.log1p, set())(x, out)
    assert out[0] == -np.inf and np.isnan(out[1]) and np.isnan(out[2]) and out[3] == np.inf and np.isnan(out[4])
    assert out[5] == 0.0 and out[6] == 0.0 and math.copysign(1.0, out[6]) == -1.0
