"""Saving and loading a network's weights as ``.npz`` (plain arrays, never pickles).

Each link block is stored under ``"source->dest"`` with shape ([E,] n_from, n_to);
``__network__`` holds a small JSON description (name, groups and their sizes)
so that loading into a different network fails with a clear message.
"""
from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from pdpsim.model.network import Network
from pdpsim.validation import PdpError, atomic_write, readable_file


def save_weights(net: Network, path: str | Path) -> Path:
    """Write every block's weights to ``path`` (.npz), atomically."""
    path = Path(path)
    meta = {"format": "pdpsim-weights", "version": 1, "network": net.name,
            "groups": {g.name: g.size for g in net.groups.values()},
            "blocks": [b.name for b in net.blocks]}
    arrays = {b.name: b.weights for b in net.blocks}
    arrays["__network__"] = np.array(json.dumps(meta))
    with atomic_write(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def read_weights(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the description stored in a weights file."""
    p = readable_file(path, "weights file")
    try:
        with np.load(p, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError, NotImplementedError,
            RuntimeError) as e:
        raise PdpError(f"weights file '{p}': not a pdpsim .npz weights file ({type(e).__name__}: {e})") from None
    meta = {}
    if "__network__" in data:
        try:
            meta = json.loads(str(data.pop("__network__")))
        except json.JSONDecodeError:
            raise PdpError(f"weights file '{p}': its __network__ entry is not valid JSON") from None
    return data, meta


def load_weights(net: Network, path: str | Path) -> None:
    """Load weights saved by :func:`save_weights` into ``net`` (shapes must match)."""
    data, meta = read_weights(path)
    net.set_weights(data, source=f"weights file '{path}'")
