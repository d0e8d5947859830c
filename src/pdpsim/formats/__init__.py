"""Readers and writers for other simulators' file formats (Lens example files, ...)."""

import bz2
import zlib
from pathlib import Path

from pdpsim import limits
from pdpsim.validation import PdpError, readable_file


def read_maybe_compressed(path, what: str) -> tuple[Path, bytes]:
    """The bytes of a file that may be gzip or bzip2 compressed (by its magic, not its name);
    as Lens does, ``x`` is also looked for as ``x.gz``. What a compressed file inflates to is
    bounded by the limit ``decompressed_bytes`` (:mod:`pdpsim.limits`)."""
    p = Path(path)
    if not p.exists() and Path(str(p) + ".gz").exists():
        p = Path(str(p) + ".gz")
    readable_file(p, what)
    data = p.read_bytes()
    try:
        if data[:2] == b"\x1f\x8b":
            data = _inflate(data, lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), p, what)
        elif data[:3] == b"BZh":
            data = _inflate(data, bz2.BZ2Decompressor, p, what)
    except (OSError, EOFError, ValueError, zlib.error) as e:
        if isinstance(e, PdpError):
            raise
        raise PdpError(f"{what} '{p}': cannot be decompressed ({e})") from None
    return p, data


def _inflate(data: bytes, new, p: Path, what: str) -> bytes:
    """Every stream of ``data`` decompressed, stopping as soon as the output passes the limit."""
    limit = limits.get("decompressed_bytes")
    out = bytearray()
    rest = data
    while rest:
        d = new()
        chunk = d.decompress(rest, limit + 1 - len(out))
        while True:
            out += chunk
            if len(out) > limit:
                limits.check("decompressed_bytes", len(out), f"{what} '{p}'", "bytes (or more) decompressed")
            tail = getattr(d, "unconsumed_tail", b"")
            if tail:
                chunk = d.decompress(tail, limit + 1 - len(out))
            elif not getattr(d, "eof", True) and not getattr(d, "needs_input", True):
                chunk = d.decompress(b"", limit + 1 - len(out))
            else:
                break
        if not d.eof:
            raise PdpError(f"{what} '{p}': the compressed data ends too soon")
        rest = d.unused_data.lstrip(b"\0")
    return bytes(out)
