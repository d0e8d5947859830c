"""The checks at the boundary (pdpsim.validation): numbers read from files and atomic writes."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest

import pdpsim
from pdpsim.validation import PdpError, atomic_write, positive_int, real


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 2.5, "2.5", "x", None, [1]])
def test_positive_int_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(PdpError, match=r"^units: expected an integer, got "):
        positive_int(value, "units")


@pytest.mark.parametrize("value, allow_zero, expected", [(3, False, 3), (3.0, False, 3), ("7", False, 7),
                                                         (np.int64(5), False, 5), (0, True, 0)])
def test_positive_int_reads_whole_numbers(value, allow_zero, expected):
    assert positive_int(value, "n", allow_zero=allow_zero) == expected


def test_positive_int_bounds():
    with pytest.raises(PdpError, match=r"n: expected an integer > 0, got 0"):
        positive_int(0, "n")
    with pytest.raises(PdpError, match=r"n: expected an integer >= 0, got -1"):
        positive_int(-1, "n", allow_zero=True)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), True, "x"])
def test_real_refuses_non_finite_and_non_numbers(value):
    with pytest.raises(PdpError, match=r"^lr: expected a"):
        real(value, "lr")


@pytest.mark.parametrize("seed", [1.5, float("inf"), -1, "abc", {"a": 1}])
def test_network_seed_must_be_a_whole_number(seed):
    with pytest.raises(PdpError, match=r"network 'n': seed: expected an integer"):
        pdpsim.Network("n", seed=seed)


def test_a_full_disk_is_one_error_and_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "weights.csv"
    target.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(PdpError, match=r"^cannot write '.*weights.csv': No space left on device$"):
        with atomic_write(target) as f:
            f.write("new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.csv"]      # no temporary file left


def test_an_unwritable_folder_is_one_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PdpError, match=r"^cannot write '.*file/out.csv': "):
        with atomic_write(blocker / "out.csv") as f:
            f.write("x")


def test_a_writer_that_fails_leaves_nothing(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with atomic_write(tmp_path / "a.txt") as f:
            f.write("half")
            1 / 0
    assert list(tmp_path.iterdir()) == []
