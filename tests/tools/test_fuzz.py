"""Every file pdpsim reads, damaged at random, ends in a read or in one clear PdpError.

The full campaign is its own command (``make fuzz``: thousands of mutants a format); here
hypothesis draws a bounded number per format, and every crasher a campaign ever found is
kept under ``fuzz-crashers/<format>/`` and read again, so a fixed crash stays fixed.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdpsim.tools import fuzz
from pdpsim.validation import PdpError

CRASHERS = Path(__file__).parent / "fuzz-crashers"
_SEEDS: dict[str, dict[str, bytes]] = {}


def seeds(name: str, tmp: Path) -> dict[str, bytes]:
    if name not in _SEEDS:
        _SEEDS[name] = fuzz.FORMATS[name].seeds(tmp)
    return _SEEDS[name]


@pytest.mark.parametrize("name", sorted(fuzz.FORMATS))
def test_seed_files_read(name, tmp_path):
    """The campaign starts from files that read: else every mutant would be 'clean' for nothing."""
    for seed_name, data in seeds(name, tmp_path).items():
        assert fuzz.outcome(fuzz.FORMATS[name], data, seed_name, tmp_path) == ("ok", ""), seed_name


@pytest.mark.parametrize("name", sorted(fuzz.FORMATS))
def test_mutants_read_or_fail_cleanly(name, tmp_path_factory):
    fmt = fuzz.FORMATS[name]
    tmp = tmp_path_factory.mktemp(name)
    pool = seeds(name, tmp)

    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(seed_name=st.sampled_from(sorted(pool)), r=st.randoms(use_true_random=False))
    def check(seed_name, r):
        data = fmt.mutant(pool[seed_name], r)
        kind, detail = fuzz.outcome(fmt, data, seed_name, tmp)
        assert kind in ("ok", "clean"), f"{name} mutant of {seed_name}: {kind}: {detail}"

    check()


def _crashers():
    if not CRASHERS.is_dir():
        return []
    return sorted(p for p in CRASHERS.glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", _crashers(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_crashers_found_by_the_campaign_now_read_cleanly(path, tmp_path):
    fmt = fuzz.FORMATS[path.parent.name]
    seeds(fmt.name, tmp_path)                   # formats that read beside their seeds need them there
    seed_name = path.name.split("-", 1)[1]
    kind, detail = fuzz.outcome(fmt, path.read_bytes(), seed_name, tmp_path, timeout=120)   # a slow machine
    assert kind in ("ok", "clean"), f"{path}: {kind}: {detail}"


def test_crasher_folder_names_formats():
    for d in CRASHERS.iterdir() if CRASHERS.is_dir() else []:
        assert d.name in fuzz.FORMATS, d


# The harness itself: each bad ending is told apart from a clean one.

def _fmt(read, write_back=None, same=None):
    return fuzz.Format("t", ".t", lambda tmp: {"a.t": b"x"}, read, write_back, same)


def _raise(exc):
    def read(path):
        raise exc
    return read


def test_outcome_classifies_each_ending(tmp_path):
    assert fuzz.outcome(_fmt(lambda p: None), b"x", "a.t", tmp_path) == ("ok", "")
    assert fuzz.outcome(_fmt(_raise(PdpError("a.t, line 1: bad"))), b"x", "a.t", tmp_path) == \
        ("clean", "a.t, line 1: bad")
    kind, detail = fuzz.outcome(_fmt(_raise(IndexError("list index out of range"))), b"x", "a.t", tmp_path)
    assert kind == "crash" and detail.startswith("IndexError")
    assert fuzz.outcome(_fmt(_raise(RecursionError())), b"x", "a.t", tmp_path) == ("crash", "RecursionError")

    def slow(path):
        while True:
            pass
    assert fuzz.outcome(_fmt(slow), b"x", "a.t", tmp_path, timeout=0.2)[0] == "hang"

    def read_len(path):
        return len(path.read_bytes())

    def write_more(value, path):
        path.write_bytes(b"y" * (value + 1))
    assert fuzz.outcome(_fmt(read_len, write_more, lambda a, b: a == b), b"xx", "a.t", tmp_path)[0] == "wrong"


def test_campaign_counts_and_keeps_crashers(tmp_path, monkeypatch):
    calls = {"n": 0}

    def flaky(path):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise KeyError("k")
        if calls["n"] % 3 == 1:
            return None
        raise PdpError("clean")
    monkeypatch.setitem(fuzz.FORMATS, "t", _fmt(flaky))
    calls["n"] = 0                       # the seed check reads the seed first (call 1: ok)
    out = fuzz.campaign(["t"], 9, save=tmp_path, echo=None)
    assert out["t"].counts == {"ok": 3, "clean": 3, "crash": 3, "hang": 0, "wrong": 0}
    assert len(list((tmp_path / "t").iterdir())) == 3


def test_mutate_is_reproducible_and_changes_the_file():
    data = b"name: xor\ngroups:\n  input: {units: 2}\n"
    a = [fuzz.mutate(data, random.Random(s)) for s in range(50)]
    b = [fuzz.mutate(data, random.Random(s)) for s in range(50)]
    assert a == b
    assert sum(m != data for m in a) >= 45
