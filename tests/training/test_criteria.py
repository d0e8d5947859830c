"""The stopping criteria (pdpsim.training.criteria): the loop's stop_reason and the kernels' reached, case by
case, at their boundaries (a criterion is met when the value is *at most* it), and the two held to each other.

``reached`` is the plain-arithmetic test the compiled kernels compile; here it runs as Python.
"""
import math

import numpy as np
import pytest

from pdpsim.training.criteria import UNSET, as_numbers, reached, stop_reason

INF, NAN = math.inf, math.nan


def test_unset_criteria_are_passed_as_minus_one():
    assert UNSET == -1.0
    assert as_numbers(None, None) == (-1.0, -1.0)
    assert as_numbers(0.25, None) == (0.25, -1.0) and as_numbers(None, 0.0) == (-1.0, 0.0)
    ec, oc = as_numbers(1, 0)                                   # numbers as floats
    assert (ec, oc) == (1.0, 0.0) and type(ec) is float and type(oc) is float


@pytest.mark.parametrize("total,worst,ec,oc,want", [
    (0.5, 0.5, None, None, False),      # nothing set: only divergence stops
    (0.0, 0.0, None, None, False),      # not even a perfect epoch
    (NAN, 0.5, None, None, True),       # diverged
    (INF, 0.5, None, None, True),
    (-INF, 0.5, 0.1, None, True),
    (0.1, 0.9, 0.1, None, True),        # the error criterion: at most
    (0.10000001, 0.9, 0.1, None, False),
    (0.0, 0.9, 0.0, None, True),        # a criterion of 0 is set
    (0.5, 0.2, 0.1, None, False),
    (0.5, 0.2, None, 0.2, True),        # the output criterion: at most
    (0.5, 0.20000001, None, 0.2, False),
    (0.5, 0.0, None, 0.0, True),
    (0.05, 0.3, 0.1, 0.2, True),        # either one
    (0.5, 0.1, 0.1, 0.2, True),
    (0.5, 0.3, 0.1, 0.2, False),
    (0.5, 0.3, 0.7, -1.0, True),
    (0.5, 0.3, -1.0, 0.4, True),
    (0.9, 0.5, 0.5, 0.1, False),
])
def test_reached_and_stop_reason_agree(total, worst, ec, oc, want):
    assert reached(total, worst, *as_numbers(ec, oc)) is want
    assert (stop_reason(total, worst, ec, oc) is not None) is want


def test_stop_reasons_in_order():
    assert stop_reason(NAN, 0.0, 1.0, 1.0) == "diverged"
    assert stop_reason(INF, 0.0, None, None) == "diverged"
    assert stop_reason(0.1, 0.0, 0.1, 0.5) == "error_criterion"     # both met: the error criterion is named
    assert stop_reason(0.2, 0.5, 0.1, 0.5) == "output_criterion"
    assert stop_reason(0.2, 0.5, None, 0.5) == "output_criterion"
    assert stop_reason(0.2, 0.5, 0.2, None) == "error_criterion"
    assert stop_reason(0.2, 0.5, 0.1, 0.4) is None
    assert stop_reason(0.2, 0.5, None, None) is None


def test_callbacks():
    seen = []

    def record(epoch, error, net):
        seen.append((epoch, error, net))
        return False

    assert stop_reason(0.5, 0.5, None, None, callbacks=[record]) is None
    assert seen == [(0, 0.5, None)]                              # the epoch defaults to 0
    net = object()
    assert stop_reason(0.5, 0.5, 0.1, None, epoch=7, net=net, callbacks=[record, lambda e, err, n: e == 7]) \
        == "callback"
    assert seen[-1] == (7, 0.5, net)
    assert stop_reason(0.5, 0.5, None, None, epoch=6, callbacks=[lambda e, err, n: e == 7]) is None
    assert stop_reason(0.05, 0.5, 0.1, None, callbacks=[lambda *a: pytest.fail("not asked")]) == "error_criterion"
    assert stop_reason(0.5, 0.5, None, None, callbacks=()) is None


def test_reached_on_numpy_numbers():
    """The kernels pass float64 scalars; the loop passes the epoch's error as numpy numbers too."""
    assert reached(np.float64(0.1), np.float64(0.3), 0.1, -1.0) and not reached(np.float64(0.2), np.float64(0.3), 0.1, -1.0)
    assert stop_reason(np.float64(NAN), np.float64(0.0), None, None) == "diverged"
    assert stop_reason(np.float64(0.2), np.float64(0.2), None, np.float64(0.2)) == "output_criterion"
