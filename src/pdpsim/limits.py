"""Limits on what an input file may ask for, each with a clear error and a way to raise it.

A small file must not be able to make pdpsim allocate gigabytes or run for hours: a spec
asking for 10^20 units, a YAML file of nested aliases, an example file of huge repeat
counts, a .gz that inflates a thousandfold. Every reader checks what it is about to build
against these limits before building it, and says which limit and how to raise it:

============================  ================  ==========================================
limit                         default           what it bounds
============================  ================  ==========================================
``units``                     1,000,000         units in one group
``links``                     100,000,000       weights in one network (800 MB in float64)
``examples``                  10,000,000        examples in one set
``events``                    1,000,000         events in one example set (all examples)
``values``                    500,000,000       numbers in one example set (inputs + targets)
``ticks``                     1,000,000         ticks in one example of a network in time
``yaml_nodes``                1,000,000         nodes of a YAML document, aliases expanded
``yaml_depth``                100               nesting depth of a YAML document
``decompressed_bytes``        2 GiB             what one compressed file may inflate to
============================  ================  ==========================================

Raise one for a session with the environment variable ``PDPSIM_LIMIT_<NAME>`` (for example
``PDPSIM_LIMIT_UNITS=5000000``), for a command with ``pdpsim --limit units=5000000 ...``, or in
Python with :func:`override`.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

from pdpsim.validation import PdpError

DEFAULTS: dict[str, int] = {
    "units": 1_000_000,
    "links": 100_000_000,
    "examples": 10_000_000,
    "events": 1_000_000,
    "values": 500_000_000,
    "ticks": 1_000_000,
    "yaml_nodes": 1_000_000,
    "yaml_depth": 100,
    "decompressed_bytes": 2 << 30,
}
_OVERRIDES: dict[str, int] = {}


def _parse(name: str, text: str, where: str) -> int:
    try:
        value = int(str(text).replace("_", ""))
    except ValueError:
        raise PdpError(f"{where}: limit {name} must be a whole number, got {text!r}") from None
    if value < 1:
        raise PdpError(f"{where}: limit {name} must be at least 1, got {value}")
    return value


def get(name: str) -> int:
    """The limit in force: an override, else ``PDPSIM_LIMIT_<NAME>``, else the default."""
    if name not in DEFAULTS:
        raise KeyError(name)
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    env = os.environ.get(f"PDPSIM_LIMIT_{name.upper()}")
    return _parse(name, env, f"PDPSIM_LIMIT_{name.upper()}") if env else DEFAULTS[name]


def set_limit(assignment: str, where: str = "--limit") -> None:
    """``name=value`` (from ``pdpsim --limit``) for the rest of the process."""
    name, sep, value = str(assignment).partition("=")
    name = name.strip().lower()
    if not sep or name not in DEFAULTS:
        raise PdpError(f"{where}: expected NAME=N with NAME one of {', '.join(DEFAULTS)}, got {assignment!r}")
    _OVERRIDES[name] = _parse(name, value.strip(), where)


def reset() -> None:
    """Forget every :func:`set_limit` (each ``pdpsim`` command starts from the defaults)."""
    _OVERRIDES.clear()


@contextlib.contextmanager
def override(**limits: int) -> Iterator[None]:
    """Raise (or lower) limits inside a ``with`` block."""
    old = dict(_OVERRIDES)
    try:
        for k, v in limits.items():
            if k not in DEFAULTS:
                raise KeyError(k)
            _OVERRIDES[k] = int(v)
        yield
    finally:
        _OVERRIDES.clear()
        _OVERRIDES.update(old)


def check(name: str, value: int, where: str, what: str | None = None) -> None:
    """A PdpError when ``value`` is over the limit ``name``, saying how to raise it."""
    limit = get(name)
    if value > limit:
        raise PdpError(f"{where}: {value:,} {what or name} is over the limit of {limit:,} "
                       f"(raise it with pdpsim --limit {name}=N or PDPSIM_LIMIT_{name.upper()}=N)")
