"""How the Lens shell reads a command's options (``Commands._options``).

Every command with ``-option`` arguments reads them the same way: an option is named by the
first letter(s) after its dash, a valued option takes the next argument (read at once, so its
errors come in order), and an unknown option, a missing value or an argument left over is the
command's usage error.
"""
from __future__ import annotations

import io

import pytest

from pdpsim.lens import LensShell
from pdpsim.lens.commands import _option_key
from pdpsim.lens.functions import LensError


@pytest.fixture
def shell():
    sh = LensShell(stdout=io.StringIO(), seed=1)
    sh.eval("addNet n 2 3 2")
    return sh


def fails(sh, line: str) -> str:
    code, msg, _kind = sh._call(*sh.tcl.splitlist(line))
    assert code == 1, line
    return msg


def test_option_key_reads_lens_prefixes():
    assert _option_key("-proportion", ("p", "v")) == "p"
    assert _option_key("-p", ("p", "v")) == "p"
    assert _option_key("-pxyz", ("p",)) == "p"
    assert _option_key("-train", ("tr", "te")) == "tr"
    assert _option_key("-t", ("tr", "te")) is None
    assert _option_key("-", ("p",)) is None


def test_flags_values_and_what_is_left(shell):
    opts, rest = shell._options("cmd", "cmd [-a | -b <b>]", ("x", "-a", "-b", "2", "y"), 1,
                                flags=("a",), valued={"b": int}, rest=True)
    assert opts == {"a": True, "b": 2}
    assert rest == ("y",)


def test_a_converter_returning_none_keeps_the_earlier_value(shell):
    opts, _ = shell._options("cmd", "u", ("-i", "4", "-i", "x"),
                             valued={"i": lambda v: int(v) if v.isdigit() else None})
    assert opts == {"i": 4}


def test_options_keep_the_order_last_given(shell):
    opts, _ = shell._options("cmd", "u", ("-tr", "-te", "-tr"), flags=("tr", "te"))
    assert list(opts) == ["te", "tr"]


@pytest.mark.parametrize("args", [("-z",), ("-b",), ("-a", "junk"), ("-",)])
def test_usage_errors(shell, args):
    with pytest.raises(LensError, match=r"^cmd: usage\n    cmd \[-a \| -b <b>\]$"):
        shell._options("cmd", "cmd [-a | -b <b>]", args, flags=("a",), valued={"b": int})


def test_start_past_the_end_reads_nothing(shell):
    assert shell._options("graphObject", "u", (), 1, valued={"u": str}) == ({}, ())


def test_a_value_error_comes_before_a_later_usage_error(shell):
    assert fails(shell, "connectGroups input output -s 2 -zz") == \
        "connectGroups: strength value (2.000000) must be in the range (0,1]"
    assert fails(shell, "connectGroups input output -zz -s 2").startswith("connectGroups: usage\n")
    assert fails(shell, "lesionLinks hidden -t nope -x") == "lesionLinks: link type nope doesn't exist"
    assert fails(shell, "noiseType hidden -m junk").startswith("noiseType: usage\n")


def test_train_sets_what_it_read_before_a_usage_error(shell):
    assert fails(shell, "train -r 7 junk").startswith("train: usage\n")
    assert shell.net.params["reportInterval"] == 7


@pytest.mark.parametrize("line, dt", [("setTime -t 4", 0.25), ("setTime -d -t 4", 1.0), ("setTime -t 4 -dt", 1.0)])
def test_set_time_dtfixed_before_or_after_ticks(shell, line, dt):
    shell.eval(line)
    assert shell.net.ticks_per_interval == 4
    assert shell.net.params["dt"] == dt


def test_add_net_ignores_an_interval_tcl_does_not_read(shell):
    shell.eval("addNet m -i 3 -i 4.0 2 2")
    assert shell.net.time_intervals == 3


def test_update_weights_leaves_what_follows_its_options(shell):
    shell.eval("updateWeights -n junk")


def test_rand_and_rand_int_bounds(shell):
    assert fails(shell, "rand 1 2 3") == "rand: usage\n    rand [[<min>] <max>]"
    assert fails(shell, "randInt 1 2 3") == "randInt: usage\n    randInt [[<min>] <max>]"
    assert fails(shell, "randInt 3 3") == "randInt: the range is empty"
    assert 2 <= int(shell.eval("randInt 5 2")) < 5
    assert 0.0 <= float(shell.eval("rand 1")) <= 1.0
