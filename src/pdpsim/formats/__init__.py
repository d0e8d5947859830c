"""Readers and writers for other simulators' file formats (Lens example files, ...)."""

import bz2
import gzip
from pathlib import Path

from pdpsim.validation import PdpError, readable_file


def read_maybe_compressed(path, what: str) -> tuple[Path, bytes]:
    """The bytes of a file that may be gzip or bzip2 compressed (by its magic, not its name);
    as Lens does, ``x`` is also looked for as ``x.gz``."""
    p = Path(path)
    if not p.exists() and Path(str(p) + ".gz").exists():
        p = Path(str(p) + ".gz")
    readable_file(p, what)
    data = p.read_bytes()
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif data[:3] == b"BZh":
            data = bz2.decompress(data)
    except (OSError, EOFError, ValueError) as e:
        raise PdpError(f"{what} '{p}': cannot be decompressed ({e})") from None
    return p, data
