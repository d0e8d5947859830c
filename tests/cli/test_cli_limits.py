"""Hostile input at the command line: limits with their names and a way to raise them,
a full disk and a refusal of the machine as one `pdpsim: error:` line, nothing half-written."""
from __future__ import annotations

import errno
import gzip
import os

import pytest
from click.testing import CliRunner

from pdpsim import limits
from pdpsim.cli.main import main

BIG = """name: big
groups:
  input: {units: %d, type: INPUT}
  output: {units: 1, type: OUTPUT}
links: [input -> output]
examples: {generate: xor}
"""


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error(r) -> str:
    lines = [l for l in r.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("pdpsim: error: "), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return lines[0]


@pytest.mark.parametrize("units", [2_000_000, 10 ** 20])
def test_units_over_the_limit_name_the_limit(tmp_path, units):
    spec = tmp_path / "big.yaml"
    spec.write_text(BIG % units)
    r = invoke("test", spec)
    assert r.exit_code == 2
    assert one_error(r) == (f"pdpsim: error: {spec}, line 3: groups.input.units: {units:,} units is over the "
                            f"limit of 1,000,000 (raise it with pdpsim --limit units=N or PDPSIM_LIMIT_UNITS=N)")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400"])
def test_infinite_numbers_are_input_errors(tmp_path, value):
    spec = tmp_path / "inf.yaml"
    spec.write_text((BIG % 2).replace("examples:", f"seed: {value}\nexamples:"))
    r = invoke("test", spec)
    assert r.exit_code == 2
    assert "seed: expected an integer" in one_error(r)


def test_limit_option_raises_a_limit_for_one_command(tmp_path):
    spec = tmp_path / "big.yaml"
    spec.write_text(BIG % 2_000_000)
    r = invoke("--limit", "units=3000000", "test", spec)
    # past the units limit: the next check is the examples' width (xor has 2 inputs)
    assert r.exit_code == 2 and "units is over the limit" not in r.output
    assert "2000000" in one_error(r)
    assert limits.get("units") == 3_000_000              # in force for the command just run ...
    r = invoke("test", spec)                              # ... and not the next one
    assert r.exit_code == 2 and "over the limit of 1,000,000" in one_error(r)
    assert limits.get("units") == 1_000_000


@pytest.mark.parametrize("arg, message", [
    ("unit=3", "expected NAME=N with NAME one of units, links"),
    ("units=x", "limit units must be a whole number, got 'x'"),
    ("units=0", "limit units must be at least 1, got 0"),
])
def test_bad_limit_option_is_one_line(arg, message):
    r = invoke("--limit", arg, "list")
    assert r.exit_code == 2
    line = one_error(r)
    assert "Invalid value for '--limit'" in line and message in line


def test_limit_from_the_environment(tmp_path, monkeypatch):
    spec = tmp_path / "big.yaml"
    spec.write_text(BIG % 20)
    monkeypatch.setenv("PDPSIM_LIMIT_UNITS", "10")
    r = invoke("test", spec)
    assert r.exit_code == 2 and "20 units is over the limit of 10" in one_error(r)
    monkeypatch.setenv("PDPSIM_LIMIT_UNITS", "ten")
    r = invoke("test", spec)
    assert r.exit_code == 2 and "PDPSIM_LIMIT_UNITS: limit units must be a whole number" in one_error(r)


def test_a_gzip_bomb_is_refused(tmp_path):
    """A small .gz that inflates past the limit stops at the limit, not in the machine's memory."""
    bomb = tmp_path / "bomb.ex.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(64):
            f.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 100_000
    r = invoke("--limit", "decompressed_bytes=1000000", "test", "xor", "--examples", bomb)
    assert r.exit_code == 2
    assert "over the limit of 1,000,000" in one_error(r) and "bomb.ex.gz" in r.output


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "run"
    r = invoke("train", "xor", "--out", out, "--epochs", "5", "--no-progress")
    assert r.exit_code == 2
    assert one_error(r).endswith(": No space left on device")
    left = [p.name for p in out.rglob("*")] if out.exists() else []
    assert not [n for n in left if n.endswith(".tmp")], left


def test_an_os_refusal_outside_atomic_writes_is_one_line(monkeypatch):
    import pdpsim.formats.spec as spec

    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/some/where.yaml")
    monkeypatch.setattr(spec, "load_spec", refuse)
    r = invoke("test", "xor")
    assert r.exit_code == 2
    assert one_error(r) == "pdpsim: error: '/some/where.yaml': Permission denied"
