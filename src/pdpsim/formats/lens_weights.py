"""Lens weight files (``saveWeights`` / ``loadWeights``), binary and text.

Layouts, as Lens 2.63 writes and reads them (``Src/connect.c``:
``standardSaveWeights``, ``standardLoadWeights``; ``Src/util.c``: the binary
and text readers and writers; ``Src/defaults.h``: the magic numbers):

**Binary** (big-endian, "network order", whatever the machine)::

    int32   0x55555556          the magic number
    int32   number of links
    int32   values per link     1, 2 or 3
    int32   total updates       the network's update counter
    then, for every link in the order below, ``values`` float32 numbers:
    float32 weight
    float32 last weight change  (values >= 2; Lens's lastWeightDelta)
    float32 third value         (values == 3; advanced Lens's lastValue, which
                                 delta-bar-delta uses as the link's rate factor)

Reals are always 32-bit, even in a double-precision build. An older binary
layout (magic 0x55555555, then the link count and the *bytes* per link, with
no update count) is read too.

**Text**: the same four header numbers in decimal, one a line (the magic
number as ``1431655766``), then one line per link holding its values
separated by blanks. Reading is by whitespace-separated tokens, lines
beginning with ``#`` are skipped and ``-`` is NaN (not accepted here). Older
text files with no magic number start with the link count, or with
``-values`` and then the link count; they are read too.

The standard (non-advanced) Lens saves at most 2 values a link; it reads a
third and throws it away. Files ending in ``.gz`` / ``.bz2`` are compressed
(as Lens does through gzip and bzip2); when reading, compression is detected
from the content, and a missing ``path`` is also looked for as ``path.gz``.

Link order: groups -> units -> incoming links
---------------------------------------------
Lens walks its groups in the network's group order, every unit of each group,
and each unit's incoming links in order. For a pdpsim :class:`Network` that
order is, by default:

1. **Groups**: ``bias`` first (Lens creates the bias group with the network,
   as group 0), then the other groups in the order they were added
   (``net.groups``). Only receiving groups contribute links, so the position
   of the bias and input groups changes nothing. Lens's ``orderGroups`` can
   change the order; pass ``group_order`` to match such a network.
2. **Units**: 0, 1, ... of each group.
3. **Incoming links of a unit**: Lens connects the bias to a hidden or output
   unit when it creates the unit, before any ``connectGroups``, so the bias
   link comes **first** (``bias_first=True``), then the unit's other incoming
   link blocks in the order they were connected (``group.incoming``), and
   within a block the sending units in order. pdpsim's spec builder calls
   ``connect_bias`` last, so ``group.incoming`` alone would put the bias last:
   a file from Lens would then load every bias into the wrong link.

In pdpsim's arrays, a receiving group's links therefore come out as
``concatenate([b.weights for b in blocks], axis=0).T.ravel()``: unit-major,
sender-minor. Only the link count is stored in the file, so a network with
the same number of links in another arrangement loads without complaint, as
in Lens; the order above is what makes the numbers land on the right links.

Reading sets ``weights``; ``last_change`` from the second value (or zero when
the file has only weights, as :meth:`Network.set_weights` does); the
delta-bar-delta rate factor (``rule_state["rate_factor"]``) from a third
value. Writing a third value writes that rate factor, or Lens's default of 1.
"""
from __future__ import annotations

import bz2
import gzip
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.formats import read_maybe_compressed
from pdpsim.validation import PdpError, atomic_write

WEIGHT_COOKIE = 0x55555556
OLD_WEIGHT_COOKIE = 0x55555555
_HEADER = 16


# ------------------------------------------------------------------ link order
def _lens_group_order(net: Network, group_order: Sequence[str] | None) -> list[Group]:
    if group_order is None:
        names = [n for n, g in net.groups.items() if g.kind == "BIAS"]
        names += [n for n, g in net.groups.items() if g.kind != "BIAS"]
        return [net.groups[n] for n in names]
    names = [str(n) for n in group_order]
    unknown = [n for n in names if n not in net.groups]
    if unknown:
        raise PdpError(f"group_order: no group(s) {', '.join(map(repr, unknown))} in network '{net.name}' "
                       f"(groups: {', '.join(net.groups)})")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PdpError(f"group_order: group(s) {', '.join(map(repr, twice))} listed more than once")
    missing = [n for n, g in net.groups.items() if g.incoming and n not in names]
    if missing:
        raise PdpError(f"group_order: the receiving group(s) {', '.join(map(repr, missing))} are missing "
                       f"(every group with incoming links must be listed)")
    return [net.groups[n] for n in names]


def _unit_blocks(g: Group, bias_first: bool) -> list[LinkBlock]:
    if not bias_first:
        return list(g.incoming)
    return [b for b in g.incoming if b.source.kind == "BIAS"] + [b for b in g.incoming if b.source.kind != "BIAS"]


def link_order(net: Network, group_order: Sequence[str] | None = None,
               bias_first: bool = True) -> list[tuple[Group, list[LinkBlock]]]:
    """The receiving groups and, for each, its incoming blocks in Lens's order."""
    if net.ensemble:
        raise PdpError(f"network '{net.name}' is an ensemble of {net.ensemble}; a Lens weight file holds "
                       "one network (save each member separately)")
    return [(g, _unit_blocks(g, bias_first)) for g in _lens_group_order(net, group_order) if g.incoming]


def _gather(order, attr: str, fill: float | None = None) -> np.ndarray:
    """Every link's ``attr`` (weights, last_change, ...) as one vector in Lens's order."""
    parts = []
    for _g, blocks in order:
        mats = []
        for b in blocks:
            if fill is not None:
                m = b.rule_state.get(attr)
                mats.append(m if m is not None and m.shape == b.weights.shape else np.full(b.weights.shape, fill))
            else:
                mats.append(getattr(b, attr))
        parts.append(np.concatenate(mats, axis=0).T.ravel())
    return np.concatenate(parts) if parts else np.zeros(0)


def _scatter(order, vec: np.ndarray) -> list[tuple[LinkBlock, np.ndarray]]:
    """Split a vector in Lens's order into (block, matrix of shape (n_from, n_to))."""
    out, pos = [], 0
    for g, blocks in order:
        rows = sum(b.weights.shape[0] for b in blocks)
        m = vec[pos:pos + rows * g.size].reshape(g.size, rows).T
        pos += rows * g.size
        r = 0
        for b in blocks:
            n = b.weights.shape[0]
            out.append((b, m[r:r + n]))
            r += n
    return out


# ------------------------------------------------------------------ saving
def save_lens_weights(net: Network, path, binary: bool = True, values: int = 1, total_updates: int = 0,
                      group_order: list[str] | None = None, *, bias_first: bool = True) -> None:
    """Write ``net``'s weights as a Lens weight file, atomically.

    Parameters
    ----------
    net : Network
        One network (not an ensemble).
    path : str or path-like
        Compressed with gzip (bzip2) if it ends in ``.gz`` (``.bz2``).
    binary : bool
        Binary (Lens's default) or text (``saveWeights -text``).
    values : {1, 2, 3}
        Per link: the weight; and its last change; and its delta-bar-delta rate factor.
    total_updates : int
        The update counter stored in the header (Lens's ``totalUpdates``).
    group_order : list of str, optional
        Lens's group order if it is not the default (see the module docstring).
    bias_first : bool
        Put each unit's bias link before its other incoming links, as Lens does.

    Raises
    ------
    PdpError
        Bad ``values`` or ``total_updates``, a weight too large for a 32-bit
        real (binary), an ensemble network or a bad ``group_order``.
    """
    values = _check_values(values, "save_lens_weights: values")
    try:
        total_updates = int(total_updates)
    except (TypeError, ValueError):
        raise PdpError(f"save_lens_weights: total_updates must be an integer, got {total_updates!r}") from None
    if not -2 ** 31 <= total_updates < 2 ** 31:
        raise PdpError(f"save_lens_weights: total_updates {total_updates} does not fit a 32-bit integer")
    order = link_order(net, group_order, bias_first)
    cols = [_gather(order, "weights")]
    if values >= 2:
        cols.append(_gather(order, "last_change"))
    if values >= 3:
        cols.append(_gather(order, "rate_factor", fill=1.0))
    table = np.stack(cols, axis=1)                       # (links, values)
    n_links = table.shape[0]
    if binary:
        with np.errstate(over="ignore"):
            f32 = table.astype(">f4")
        if np.isinf(f32).any() and not np.isinf(table).any():
            raise PdpError(f"{path}: a weight is too large for Lens's 32-bit binary reals; save as text")
        data = np.array([WEIGHT_COOKIE, n_links, values, total_updates], dtype=">i4").tobytes() \
            + f32.tobytes()
    else:
        lines = [str(WEIGHT_COOKIE), str(n_links), str(values), str(total_updates)]
        lines += [" ".join(_fmt(x) for x in row) for row in table.tolist()]
        data = ("\n".join(lines) + "\n").encode("ascii")
    name = str(path)
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif name.endswith((".bz2", ".bz")):
        data = bz2.compress(data)
    with atomic_write(path, "wb") as f:
        f.write(data)


def _fmt(x: float) -> str:
    if x != x:
        return "-"
    return repr(float(x))        # shortest text that reads back to the same double


def _check_values(values, what: str) -> int:
    if isinstance(values, bool) or not isinstance(values, (int, np.integer)) or not 1 <= values <= 3:
        raise PdpError(f"{what}: expected 1, 2 or 3 values per link, got {values!r}")
    return int(values)


# ------------------------------------------------------------------ loading
def _read(path) -> tuple[Path, bytes]:
    return read_maybe_compressed(path, "Lens weight file")


def read_lens_weights(path) -> dict:
    """Read a Lens weight file without a network.

    Returns
    -------
    dict
        ``values`` (per link), ``total_updates`` (None where the file's layout
        has none), ``format`` (``"binary"``, ``"old-binary"``, ``"text"``) and
        ``table``, an array (links, values) in the file's order.
    """
    p, data = _read(path)
    head = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if head in (WEIGHT_COOKIE, OLD_WEIGHT_COOKIE):
        return _read_binary(data, p.name, old=head == OLD_WEIGHT_COOKIE)
    return _read_text(data, p.name)


def _read_binary(data: bytes, fname: str, old: bool) -> dict:
    nhead = 12 if old else _HEADER
    if len(data) < nhead:
        raise PdpError(f"{fname}: truncated at byte {len(data)}: a Lens binary weight file starts with a "
                       f"{nhead}-byte header (magic number, link count, "
                       f"{'bytes per link' if old else 'values per link, total updates'})")
    ints = np.frombuffer(data[:nhead], ">i4").tolist()
    n_links = ints[1]
    if n_links < 0:
        raise PdpError(f"{fname}, byte 4: bad link count {n_links}; expected a count >= 0")
    if old:
        if ints[2] % 4:
            raise PdpError(f"{fname}, byte 8: {ints[2]} bytes per link; expected a multiple of 4 "
                           "(32-bit reals)")
        values, total = ints[2] // 4, None
    else:
        values, total = ints[2], ints[3]
    if not 1 <= values <= 3:
        raise PdpError(f"{fname}, byte 8: bad number of values per link ({values}); expected 1, 2 or 3")
    need = nhead + 4 * n_links * values
    if len(data) < need:
        done = (len(data) - nhead) // (4 * values)
        raise PdpError(f"{fname}: truncated at byte {len(data)}: expected {need} bytes ({nhead}-byte header + "
                       f"{n_links} links x {values} value(s) x 4 bytes); the file ends in link {done}")
    if len(data) > need:
        raise PdpError(f"{fname}, byte {need}: {len(data) - need} bytes left over after the "
                       f"{n_links} links the header announces")
    with np.errstate(invalid="ignore"):
        table = np.frombuffer(data[nhead:need], ">f4").astype(np.float64).reshape(n_links, values)
    return {"values": values, "total_updates": total, "format": "old-binary" if old else "binary",
            "table": table}


_TOKEN = re.compile(r"\S+")


def _read_text(data: bytes, fname: str) -> dict:
    text = data.decode("latin-1")
    tokens: list[tuple[str, int]] = []
    for ln, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            continue
        tokens.extend((m.group(), ln) for m in _TOKEN.finditer(line))
    if not tokens:
        raise PdpError(f"{fname}: empty; expected a Lens weight file (binary magic number 0x55555556, "
                       "or text starting with 1431655766)")
    pos = 0

    def integer(what: str) -> int:
        nonlocal pos
        if pos >= len(tokens):
            raise PdpError(f"{fname}, line {tokens[-1][1]}: the file ends before {what}")
        tok, ln = tokens[pos]
        pos += 1
        if not re.fullmatch(r"[-+]?\d+", tok):
            raise PdpError(f"{fname}, line {ln}: expected {what} (an integer), got {tok!r}")
        return int(tok)

    if not re.fullmatch(r"[-+]?\d+", tokens[0][0]):
        raise PdpError(f"{fname}: not a Lens weight file: expected the binary magic number 0x55555556 "
                       f"(bytes 55 55 55 56) or a text header starting with {WEIGHT_COOKIE}; "
                       f"the file starts with bytes {data[:4].hex(' ')}")
    first = integer("the magic number or link count")
    total = None
    if first == WEIGHT_COOKIE:
        n_links = integer("the link count")
        values = integer("the number of values per link")
        vline = tokens[pos - 1][1]
        total = integer("the total number of updates")
    else:
        values, vline = 1, tokens[0][1]
        if first < 0:
            values = -first
            n_links = integer("the link count")
        else:
            n_links = first
    if n_links < 0:
        raise PdpError(f"{fname}: bad link count {n_links}; expected a count >= 0")
    if not 1 <= values <= 3:
        raise PdpError(f"{fname}, line {vline}: bad number of values per link ({values}); expected 1, 2 or 3")
    body = tokens[pos:]
    need = n_links * values
    if len(body) < need:
        last = body[-1][1] if body else tokens[-1][1]
        raise PdpError(f"{fname}, line {last}: the file ends after {len(body)} of {need} values "
                       f"({n_links} links x {values} value(s)); truncated?")
    if len(body) > need:
        tok, ln = body[need]
        raise PdpError(f"{fname}, line {ln}: unexpected {tok!r} after the {n_links} links x {values} value(s) "
                       "the header announces")
    out = np.empty(need)
    for k, (tok, ln) in enumerate(body):
        try:
            out[k] = float(tok)
        except ValueError:
            raise PdpError(f"{fname}, line {ln}: expected a number (link {k // values}), got {tok!r}") from None
        if not np.isfinite(out[k]):
            raise PdpError(f"{fname}, line {ln}: expected a finite number (link {k // values}), got {tok!r}")
    return {"values": values, "total_updates": total, "format": "text", "table": out.reshape(n_links, values)}


def load_lens_weights(net: Network, path, group_order: list[str] | None = None, *,
                      bias_first: bool = True) -> dict:
    """Load a Lens weight file (binary or text, any Lens layout) into ``net``.

    Parameters
    ----------
    net : Network
    path : str or path-like
    group_order : list of str, optional
        Lens's group order if it is not the default (see the module docstring).
    bias_first : bool
        Each unit's bias link comes before its other incoming links, as in Lens.

    Returns
    -------
    dict
        ``{"total_updates": int or None, "values": int}``.

    Raises
    ------
    PdpError
        If the file is missing, truncated, not a Lens weight file, or holds a
        different number of links than the network; the message names the
        file and the byte offset (binary) or line (text).
    """
    info = read_lens_weights(path)
    table = info["table"]
    order = link_order(net, group_order, bias_first)
    n_net = sum(g.size * sum(b.weights.shape[0] for b in blocks) for g, blocks in order)
    if table.shape[0] != n_net:
        raise PdpError(f"{Path(path).name}: the file holds {table.shape[0]} links but network '{net.name}' has "
                       f"{n_net}; expected a weight file saved from the same architecture")
    bad = ~np.isfinite(table)
    if bad.any():
        k, v = (int(x) for x in np.argwhere(bad)[0])
        what = ("weight", "last weight change", "third value")[v]
        raise PdpError(f"{Path(path).name}: link {k} has a non-finite {what} ({table[k, v]}); "
                       "expected finite numbers")
    weights = _scatter(order, table[:, 0])
    changes = _scatter(order, table[:, 1]) if info["values"] >= 2 else None
    rates = _scatter(order, table[:, 2]) if info["values"] >= 3 else None
    for k, (b, w) in enumerate(weights):
        b.weights[...] = w
        b.weight_deriv[...] = 0.0
        b.last_change[...] = changes[k][1] if changes else 0.0
        if rates:
            b.rule_state["rate_factor"] = np.array(rates[k][1], dtype=b.weights.dtype)
        else:
            b.rule_state.pop("rate_factor", None)
    return {"total_updates": info["total_updates"], "values": info["values"]}
