"""Checks at the boundary, done once; the hot loop trusts what they let through."""
from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np


class PdpError(ValueError):
    """An error in what the user gave pdpsim (a file, a spec, an example, an option).

    The message names the file, line, key or group involved and what was expected.
    The command line prints it on one line and exits with status 2.
    """


class TrainingFailed(Exception):
    """Training ran but did not do what was asked: it diverged, or its criterion was not met
    where it was required. The command line prints it on one line and exits with status 1."""


def check_finite_or_nan(a: np.ndarray, what: str) -> None:
    """Allow NaN (= not given) but not infinities."""
    if np.isinf(a).any():
        i = np.argwhere(np.isinf(a))[0]
        raise PdpError(f"{what}: infinite value at index {tuple(int(x) for x in i)}")


def check_no_nan(a: np.ndarray, what: str, names: list[str] | None = None) -> None:
    bad = np.isnan(a)
    if bad.any():
        i = tuple(int(x) for x in np.argwhere(bad)[0])
        where = f"example '{names[i[0]]}'" if names else f"index {i}"
        raise PdpError(f"{what}: NaN at {where}, unit {i[-1]} (inputs must be numbers)")


def positive_int(value, what: str, allow_zero: bool = False) -> int:
    try:
        v = int(value)
        if v != value and not (isinstance(value, str) and str(v) == value.strip()):
            raise ValueError
    except (TypeError, ValueError, OverflowError):           # OverflowError: int(inf)
        raise PdpError(f"{what}: expected an integer, got {value!r}") from None
    if v < 0 or (v == 0 and not allow_zero):
        raise PdpError(f"{what}: expected an integer {'>= 0' if allow_zero else '> 0'}, got {v}")
    return v


def real(value, what: str, minimum: float | None = None, maximum: float | None = None) -> float:
    if isinstance(value, bool):
        raise PdpError(f"{what}: expected a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PdpError(f"{what}: expected a number, got {value!r}") from None
    if not np.isfinite(v):
        raise PdpError(f"{what}: expected a finite number, got {value!r}")
    if minimum is not None and v < minimum:
        raise PdpError(f"{what}: expected a number >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise PdpError(f"{what}: expected a number <= {maximum}, got {v}")
    return v


def readable_file(path: str | os.PathLike, what: str = "file") -> Path:
    p = Path(path)
    try:
        exists = p.exists()
    except OSError as e:                     # a name the system refuses (too long, a loop of links)
        raise PdpError(f"{what} '{p}': cannot be read ({e.strerror})") from None
    if not exists:
        raise PdpError(f"{what} '{p}': no such file")
    if p.is_dir():
        raise PdpError(f"{what} '{p}': is a directory, expected a file")
    try:
        with open(p, "rb"):
            pass
    except OSError as e:
        raise PdpError(f"{what} '{p}': cannot be read ({e.strerror})") from None
    return p


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator:
    """Write to a temporary file beside ``path``, then rename it into place.

    Nothing half-written is left on disk if the writer fails or is killed.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise PdpError(f"cannot write '{path}': {e.strerror or e}") from None
    os.chmod(tmp, 0o666 & ~_UMASK)      # mkstemp makes 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):      # a full disk, a quota, a folder that vanished: one clear line
            raise PdpError(f"cannot write '{path}': {e.strerror or e}") from None
        raise


# ---------------------------------------------------------------- strict JSON
def jsonable(x):
    """``x`` as plain JSON values: NaN and infinities become None (null), numpy scalars and
    arrays plain numbers and lists, paths and other objects their text, keys text."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else None
    return str(x)


def json_text(data, indent: int | None = 2) -> str:
    """Strict JSON text of ``data`` (see :func:`jsonable`): never NaN or Infinity."""
    return json.dumps(jsonable(data), indent=indent, allow_nan=False)


def write_json(path: str | os.PathLike, data, indent: int | None = 2) -> Path:
    """Write ``data`` to ``path`` as strict JSON (NaN and infinities as null), atomically."""
    with atomic_write(path) as f:
        f.write(json_text(data, indent) + "\n")
    return Path(path)
