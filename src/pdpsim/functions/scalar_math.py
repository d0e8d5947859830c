"""e^x and ln x for the compiled kernels, written so that LLVM can put them on the vector lanes.

numba compiles ``math.exp`` and ``math.log`` to calls of the C library's scalar functions: a
loop of logistic units that calls one (1 / (1 + exp(-n)) over a row of units, or over the
members of an ensemble) runs one unit at a time, and the calls were a quarter of a small
network's training. Here both are plain arithmetic, which LLVM inlines into the loop and
vectorises (the classic reductions, as in Cody and Waite 1980, and fdlibm). They are the
*lane* forms of the vocabulary (:func:`pdpsim.functions.forms.scalar_form` with ``lanes``),
used by every loop over a row of units or over ensemble members; a unit computed alone keeps
the C library's, whose result comes sooner (a chain of logistic units, one after the other:
14 ns each with the C library's e^x, 30 with this one, which is 4 to 8 at once on the lanes).

    e^x:  x = k ln 2 + r,   k = round(x / ln 2),   |r| <= ln 2 / 2
          e^x = 2^k e^r,    e^r = sum_{j<=13} r^j / j!   (the remainder is below 4e-18 e^r)
    ln x: x = 2^e m,  m in [sqrt(2)/2, sqrt(2)),  ln m = 2 atanh((m - 1) / (m + 1))  (see :func:`log`)
    ln(1 + x) from ln u, u = 1 + x, and a correction for the rounding of u (:func:`log1p`)

ln 2 is split into a part with trailing zeros and a correction, so that k ln2_hi is
exact and r keeps its precision; 2^k is made from its bits, in two halves so that k
may run from -1075 to 1024 (subnormal results, and the last finite ones). Each result is
within 1 unit in the last place of the correctly rounded value (the C library is within
about half a unit): the compiled engines round about one e^x or ln x in fifteen otherwise
than numpy does, by that one unit. The special values are the C library's: e^x is ``inf``
above 709.78 and 0 below -745.13, ln 0 is -inf, ln of a negative number NaN, NaN gives NaN.

Fast-math flags: a kernel compiled with ``reassoc`` could regroup (k ln2_hi) + (k ln2_lo)
inside e^x and lose the split, so :func:`exp` is an ordinary numba function with its own
flags (``contract`` only), which its instructions keep when LLVM inlines it into the loop.
:func:`log` is too long for LLVM's inliner (a call in the loop would stop the
vectorisation), so it is inlined at numba's level and takes the flags of its caller; its
error stays within 1 ulp under the kernels' ``reassoc`` (the tests run both forms under the
kernels' flags and under none).
"""
from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def _float_to_bits(typingctx, x):
    """The IEEE bits of the float64 ``x`` as an int64 (an LLVM bitcast: no instruction)."""
    if x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _bits_to_float(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits`` (an LLVM bitcast: no instruction)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


#: 1 / ln 2; ln 2 as a head with 32 trailing zero bits (k ln2_hi is exact for |k| < 2^21) and the rest
INV_LN2 = 1.4426950408889634
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
#: beyond these e^x is inf, or rounds to 0 (the arithmetic below gives 0 there by itself)
EXP_MAX = 709.782712893384
EXP_MIN = -745.1332191019412


@njit(fastmath={"contract"}, error_model="numpy")
def exp(x):
    """e^x, vectorisable: within 1 ulp of the correctly rounded value (see the module)."""
    xc = min(max(x, -746.0), 710.0)              # (NaN passes the clamps; it is put back at the end)
    kd = math.floor(xc * INV_LN2 + 0.5)          # k, nearest to x / ln 2
    r = (xc - kd * LN2_HI) - kd * LN2_LO         # x - k ln 2, |r| <= ln 2 / 2
    p = 1.0 / 6227020800.0                       # e^r: Taylor to r^13 / 13!, by Horner
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.int64(kd)
    k1 = k >> 1                                  # 2^k = 2^k1 2^(k - k1), each a normal number
    y = p * _bits_to_float((k1 + 1023) << 52) * _bits_to_float((k - k1 + 1023) << 52)
    y = math.inf if x > EXP_MAX else y
    return x if x != x else y


#: sqrt(2): the mantissa m of x = 2^e m is taken in [sqrt(2)/2, sqrt(2))
_SQRT2 = 1.4142135623730951


@njit(inline="always")
def log(x):
    """ln x, vectorisable: within 1 ulp of the correctly rounded value. -inf at 0, NaN below it.

    x = 2^e (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)) (so f = m - 1 is exact), and with
    s = f / (2 + f), z = s^2:  ln(1 + f) = 2 atanh s = f - s (f - R),  R = sum_{j=1..9} 2 z^j / (2j + 1)
    (z <= 0.0295: the remainder is below 3e-17 of the result); ln x = e ln 2 + ln(1 + f), ln 2
    split as for exp. Subnormal x are scaled by 2^54 first.
    """
    x = float(x)                                         # (single precision too: in double)
    tiny = x < 2.2250738585072014e-308
    bits = _float_to_bits(x * 18014398509481984.0 if tiny else x)
    m = _bits_to_float((bits & 4503599627370495) | 4607182418800017408)   # the mantissa, in [1, 2)
    big = m > _SQRT2
    e = float(((bits >> 52) & 2047) - (1022 if big else 1023)) - (54.0 if tiny else 0.0)
    f = (m * 0.5 if big else m) - 1.0
    s = f / (2.0 + f)
    z = s * s
    R = 2.0 / 19.0
    R = R * z + 2.0 / 17.0
    R = R * z + 2.0 / 15.0
    R = R * z + 2.0 / 13.0
    R = R * z + 2.0 / 11.0
    R = R * z + 2.0 / 9.0
    R = R * z + 2.0 / 7.0
    R = R * z + 2.0 / 5.0
    R = R * z + 2.0 / 3.0
    R = R * z
    y = e * LN2_HI + ((f - s * (f - R)) + e * LN2_LO)
    # 0: -inf; below 0 and NaN: NaN; inf: inf
    return y if (x > 0.0) & (x < math.inf) else (-math.inf if x == 0.0 else (x if x > 0.0 else math.nan))


@njit(inline="always")
def log1p(x):
    """ln(1 + x), vectorisable: within 2 ulp of the correctly rounded value.

    u = 1 + x rounds; ln(1 + x) = ln u + (x - (u - 1)) / u puts back, to first order, what the
    rounding lost (u - 1 is exact). -1 gives -inf, below -1 NaN, as ``math.log1p``."""
    x = float(x)
    u = 1.0 + x
    edge = (u == 0.0) | (u == math.inf)                 # ln 0, ln inf: no correction (it would be 0/0, inf/inf)
    y = log(u) + (0.0 if edge else (x - (u - 1.0)) / u)
    return x if u == 1.0 else y                         # |x| below half an ulp of 1: ln(1 + x) = x to rounding
