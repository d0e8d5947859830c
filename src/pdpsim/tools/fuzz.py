"""A fuzzing campaign over every kind of file pdpsim reads.

Each format starts from real files (shipped specs and handbook files, example sets and
weights written by pdpsim itself, a checkpoint), mutates them (bytes flipped, cut, repeated,
runs of text that parsers choke on: huge numbers, infinities, NaN, deep nesting, YAML
aliases, NUL bytes) and reads each mutant the way pdpsim reads such a file. Every read ends
one of five ways:

``ok``         the file was read (a mutant may well be a valid file)
``clean``      a :class:`~pdpsim.PdpError`: one message naming the file
``crash``      any other exception (a traceback a user would see): a bug
``hang``       still reading after ``--timeout`` seconds: a bug
``wrong``      read, but writing it back and reading that gives something else: a bug

Run it by its own command (``python -m pdpsim.tools.fuzz --per-format 3000``); the test
suite runs a few hundred mutants a format through the same code (tests/fuzz/) and keeps the
crashers it found as regression files. Memory is capped (``--memory-mib``) so that a file
that would make pdpsim allocate gigabytes is a crash, not a frozen machine.
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import random
import resource
import signal
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim.validation import PdpError

#: runs of bytes parsers tend to trip over
TOKENS = [b"100000000000000000000", b"-1", b"0", b"1e308", b"-1e308", b".inf", b"-.inf", b".nan", b"nan", b"inf",
          b"NaN", b"\0", b"\xff\xfe", b"[[[[[[[[[[[[[[[[", b"{{{{{{{{{{{{", b"&a [*a, *a, *a, *a]", b"*a",
          b"? [x]: y", b"!!python/name:os.system", b"2001-13-45", b"\n", b";", b":", b"-", b"*", b"#", b"\"",
          b"99999", b"2147483647", b"-2147483648", b"\xaa\xaa\xaa\xaa"]


def mutate(data: bytes, rng: random.Random, times: int | None = None) -> bytes:
    """``data`` changed in 1 to 4 places."""
    b = bytearray(data)
    for _ in range(times or rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(b) + 1)
        if op == 0 and b:                                   # flip bits of a byte
            b[min(at, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and b:                                 # cut a run out
            del b[at:at + rng.randint(1, 16)]
        elif op == 2:                                       # insert a token
            b[at:at] = rng.choice(TOKENS)
        elif op == 3 and b:                                 # repeat a run
            run = bytes(b[at:at + rng.randint(1, 64)])
            b[at:at] = run * rng.randint(2, 50)
        elif op == 4 and b:                                 # set a byte
            b[min(at, len(b) - 1)] = rng.randrange(256)
        else:                                               # truncate
            del b[at:]
    return bytes(b)


#: values a JSON field is swapped for
_JSON_VALUES = [10 ** 20, -1, 0, 2.5, float("inf"), float("nan"), -1e308, "", "x", "../../etc", None, True,
                [], {}, [1, 2], {"a": 1}]


def mutate_json(data: bytes, rng: random.Random) -> bytes:
    """``data`` (JSON) with one to three fields changed, removed or retyped; not JSON: :func:`mutate`."""
    try:
        doc = json.loads(data)
    except ValueError:
        return mutate(data, rng)
    for _ in range(rng.randint(1, 3)):
        parent, key, node, path = None, None, doc, 0
        while isinstance(node, (dict, list)) and node and (parent is None or rng.random() < 0.7) and path < 50:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, rng.choice(keys)
            node, path = node[key], path + 1
        if parent is None:
            doc = copy.deepcopy(rng.choice(_JSON_VALUES))
            break
        if isinstance(parent, dict) and rng.random() < 0.25:
            del parent[key]
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and rng.random() < 0.5:
            parent[key] = node * rng.choice([-1, 10 ** 6, 0.5]) + rng.choice([0, 1])
        else:
            parent[key] = copy.deepcopy(rng.choice(_JSON_VALUES))     # fresh: never shared
    return json.dumps(doc).encode()


@dataclass
class Format:
    """A file format: its seed files (name -> bytes) and how pdpsim reads a file of it.

    ``read(path)`` reads the file as pdpsim does and returns something comparable (or None);
    ``write_back(value, path)``, when given, writes it in the same format, so that reading that
    back must give the same value (else the first read was silently wrong)."""

    name: str
    suffix: str
    seeds: Callable[[Path], dict[str, bytes]]
    read: Callable[[Path], object]
    write_back: Callable[[object, Path], None] | None = None
    same: Callable[[object, object], bool] | None = None
    #: how many times the campaign's timeout a read may take (a script may ask for real work)
    slack: float = 1.0
    #: JSON: half the mutants change fields (so that they reach the checks behind the parser)
    json: bool = False

    def mutant(self, data: bytes, rng: random.Random) -> bytes:
        return mutate_json(data, rng) if self.json and rng.random() < 0.5 else mutate(data, rng)


def _zoo(pattern: str) -> dict[str, bytes]:
    root = resources.files("pdpsim.zoo")
    out = {}
    for p in sorted(Path(str(root)).glob(pattern)):
        out[p.name] = p.read_bytes()
    return out


def _spec_read(fmt: str):
    def read(path: Path):
        from pdpsim.formats.spec import build_spec, parse_spec
        spec = parse_spec(path.read_bytes().decode("utf-8", "replace"), source=str(path), fmt=fmt)
        build_spec(spec)
        return None
    return read


def _example_sets():
    from pdpsim.datasets import classic
    return {"xor": classic.xor(), "enc": classic.encoder(4)}


def _ex_seeds(binary: bool):
    def seeds(tmp: Path) -> dict[str, bytes]:
        from pdpsim.formats.lens_examples import write_binary_examples, write_examples
        out = {}
        for name, xs in _example_sets().items():
            p = tmp / f"{name}.{'bex' if binary else 'ex'}"
            (write_binary_examples if binary else write_examples)(xs, p)
            out[p.name] = p.read_bytes()
        return out
    return seeds


_GROUPS = {"in": ({"input": 2}, {"output": 1}), "enc": ({"input": 4}, {"output": 4})}


def _ex_read(path: Path):
    from pdpsim.formats.lens_examples import read_examples
    ins, outs = _GROUPS["enc"] if path.name.removeprefix("again-").startswith("enc") else _GROUPS["in"]
    xs = read_examples(path, ins, outs)
    return xs


def _ex_write(binary: bool):
    def write(xs, path: Path) -> None:
        from pdpsim.formats.lens_examples import write_binary_examples, write_examples
        (write_binary_examples if binary else write_examples)(xs, path)
    return write


def _same_sets(a, b) -> bool:
    if a.names != b.names or not np.array_equal(a.frequencies, b.frequencies, equal_nan=True):
        return False
    return all(np.array_equal(a.inputs[g], b.inputs[g], equal_nan=True) for g in a.inputs) and \
        all(np.array_equal(a.targets[g], b.targets[g], equal_nan=True) for g in a.targets)


def _net(name="xor"):
    from pdpsim.formats.spec import load
    return load(name, seed=1)


def _lens_weight_seeds(tmp: Path) -> dict[str, bytes]:
    from pdpsim.formats.lens_weights import save_lens_weights
    m = _net()
    out = {}
    for binary in (True, False):
        p = tmp / f"xor-{'bin' if binary else 'text'}.wt"
        save_lens_weights(m.network, p, binary=binary)
        out[p.name] = p.read_bytes()
    return out


def _lens_weight_read(path: Path):
    from pdpsim.formats.lens_weights import load_lens_weights
    m = _net()
    load_lens_weights(m.network, path)
    return None


def _npz_seeds(tmp: Path) -> dict[str, bytes]:
    from pdpsim.records.weights import save_weights
    p = tmp / "xor.npz"
    save_weights(_net().network, p)
    return {p.name: p.read_bytes()}


def _npz_read(path: Path):
    from pdpsim.records.weights import load_weights
    load_weights(_net().network, path)
    return None


def _pdp_read(kind: str):
    def read(path: Path):
        from pdpsim.formats import pdp_handbook as h
        if kind == "net":
            nf = h.read_net(path)
            nf.build()
        elif kind == "pat":
            h.read_patterns(path, 2, 1)
        else:
            nf = h.read_net(Path(str(resources.files("pdpsim.zoo"))) / "pdp" / "xor.net")
            h.load_weights(nf, nf.build(), path)
        return None
    return read


def _str_read(path: Path):
    from pdpsim.pdp.script import run_script
    zoo = Path(str(resources.files("pdpsim.zoo"))) / "pdp"
    script = zoo / path.name.replace(".fuzz", "")
    work = path.parent / "work"
    work.mkdir(exist_ok=True)
    for f in zoo.iterdir():                                # the script reads its files beside it
        (work / f.name).write_bytes(f.read_bytes())
    (work / script.name).write_bytes(path.read_bytes())
    out = path.parent / "out"
    out.mkdir(exist_ok=True)
    run_script(work / script.name, echo=None, out_dir=out, seed=1)
    return None


def _checkpoint_seeds(tmp: Path) -> dict[str, bytes]:
    from pdpsim.records.checkpoint import META_NAME, save_checkpoint
    m = _net()
    d = tmp / "ckpt"
    save_checkpoint(d, m.network, epoch=3, epochs=[1, 2, 3], errors=[1.0, 0.9, 0.8], spec_hash="x",
                    training=m.training.to_dict(), seed=1)
    return {META_NAME: (d / META_NAME).read_bytes()}


def _checkpoint_read(path: Path, restamp: bool = False):
    from pdpsim.records.checkpoint import META_NAME, _checksum, load_checkpoint, restore
    d = path.parent / "ckpt"
    if not d.exists():
        _checkpoint_seeds(path.parent)
    data = path.read_bytes()
    if restamp:                      # a mutant with a fresh checksum: reaches the checks behind it
        try:
            meta = json.loads(data)
            meta["checksum"] = _checksum(meta)
            data = json.dumps(meta).encode()
        except Exception:  # noqa: BLE001  (not JSON, or not an object: read as it is)
            pass
    (d / META_NAME).write_bytes(data)
    ck = load_checkpoint(d)
    if ck is not None:
        restore(_net().network, ck)
    return None


def _run_seeds(tmp: Path) -> dict[str, bytes]:
    from pdpsim.tools.runs import train_run
    d = tmp / "run"
    train_run("xor", d, seed=1, max_epochs=5)
    return {"run.json": (d / "run.json").read_bytes()}


def _run_read(path: Path):
    """A run folder as ``pdpsim test RUN`` and ``pdpsim view RUN`` read it."""
    from pdpsim.tools.runs import test_report
    from pdpsim.viewer.session import load_source
    d = path.parent / "run"
    if not d.exists():
        _run_seeds(path.parent)
    (d / "run.json").write_bytes(path.read_bytes())
    test_report(d, d / "weights.npz")
    load_source(d)
    return None


_XOR_TOML = b"""name = "xor"
seed = 0
bias = true
links = ["input -> hidden", "hidden -> output"]
[init]
range = 1.0
[groups.input]
units = 2
type = "INPUT"
[groups.hidden]
units = 2
activation = "LOGISTIC"
[groups.output]
units = 1
type = "OUTPUT"
activation = "LOGISTIC"
error = "SUM_SQUARED"
[examples]
generate = "xor"
[training]
algorithm = "momentum"
learning_rate = 0.5
momentum = 0.9
max_epochs = 5000
output_criterion = 0.1
"""


FORMATS: dict[str, Format] = {
    "spec-yaml": Format("spec-yaml", ".yaml", lambda tmp: _zoo("*.yaml"), _spec_read("yaml")),
    "spec-toml": Format("spec-toml", ".toml", lambda tmp: _zoo("*.toml") or {"xor.toml": _XOR_TOML},
                        _spec_read("toml")),
    "lens-ex": Format("lens-ex", ".ex", _ex_seeds(False), _ex_read, _ex_write(False), _same_sets),
    "lens-bex": Format("lens-bex", ".bex", _ex_seeds(True), _ex_read, _ex_write(True), _same_sets),
    "lens-weights": Format("lens-weights", ".wt", _lens_weight_seeds, _lens_weight_read),
    "weights-npz": Format("weights-npz", ".npz", _npz_seeds, _npz_read),
    "pdp-net": Format("pdp-net", ".net", lambda tmp: _zoo("pdp/*.net"), _pdp_read("net")),
    "pdp-pat": Format("pdp-pat", ".pat", lambda tmp: {k: v for k, v in _zoo("pdp/xor.pat").items()}, _pdp_read("pat")),
    "pdp-wts": Format("pdp-wts", ".wts", lambda tmp: _zoo("pdp/xor.wts"), _pdp_read("wts")),
    "pdp-str": Format("pdp-str", ".fuzz", lambda tmp: {"xor.str.fuzz": _zoo("pdp/xor.str")["xor.str"]}, _str_read,
                      slack=12.0),     # a mutant that repeats 'strain' trains for as long as it asks
    "checkpoint": Format("checkpoint", ".json", _checkpoint_seeds, _checkpoint_read, json=True),
    "checkpoint-restamped": Format("checkpoint-restamped", ".json", _checkpoint_seeds,
                                   lambda path: _checkpoint_read(path, restamp=True), json=True),
    "run-folder": Format("run-folder", ".json", _run_seeds, _run_read, json=True),
}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def outcome(fmt: Format, data: bytes, name: str, tmp: Path, timeout: float = 10.0) -> tuple[str, str]:
    """How reading ``data`` as ``fmt`` ends: (ok | clean | crash | hang | wrong, detail)."""
    path = tmp / name
    path.write_bytes(data)
    timeout *= fmt.slack
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        value = fmt.read(path)
        if fmt.write_back is not None and value is not None:
            again = tmp / ("again-" + name)
            fmt.write_back(value, again)
            if not fmt.same(value, fmt.read(again)):
                return "wrong", "written back and read again, the file gives another value"
        return "ok", ""
    except _Timeout:
        return "hang", f"still reading after {timeout} s"
    except PdpError as e:
        return "clean", str(e).splitlines()[0][:200]
    except MemoryError:
        return "crash", "MemoryError"
    except RecursionError:
        return "crash", "RecursionError"
    except Exception as e:  # noqa: BLE001  (the point: any other exception is a bug)
        tb = traceback.extract_tb(e.__traceback__)[-1]
        return "crash", f"{type(e).__name__}: {str(e)[:120]} ({Path(tb.filename).name}:{tb.lineno})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Tally:
    counts: dict = field(default_factory=lambda: {"ok": 0, "clean": 0, "crash": 0, "hang": 0, "wrong": 0})
    bugs: list = field(default_factory=list)


def campaign(formats: list[str], per_format: int, seed: int = 0, timeout: float = 10.0,
             save: Path | None = None, echo=print) -> dict[str, Tally]:
    rng = random.Random(seed)
    out = {}
    with tempfile.TemporaryDirectory(prefix="pdpsim-fuzz-") as d:
        tmp = Path(d)
        for name in formats:
            fmt = FORMATS[name]
            seeds = fmt.seeds(tmp)
            for seed_name, seed_data in seeds.items():         # the campaign means nothing unless
                kind, detail = outcome(fmt, seed_data, seed_name, tmp, timeout)   # its seeds read
                if kind != "ok":
                    raise RuntimeError(f"fuzz seed {seed_name} of {name} does not read: {kind}: {detail}")
            tally = out[name] = Tally()
            for i in range(per_format):
                seed_name, seed_data = rng.choice(sorted(seeds.items()))
                data = fmt.mutant(seed_data, rng)
                kind, detail = outcome(fmt, data, seed_name, tmp, timeout)
                tally.counts[kind] += 1
                if kind in ("crash", "hang", "wrong"):
                    tally.bugs.append((seed_name, detail))
                    if save is not None:
                        (save / name).mkdir(parents=True, exist_ok=True)
                        (save / name / f"{i:05d}-{seed_name}").write_bytes(data)
            if echo:
                c = tally.counts
                echo(f"{name:20} {sum(c.values()):>6} {c['ok']:>6} {c['clean']:>6} {c['crash']:>6} {c['hang']:>6} "
                     f"{c['wrong']:>6}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pdpsim.tools.fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-format", type=int, default=3000)
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds a read may take before it is a hang")
    ap.add_argument("--memory-mib", type=int, default=4096, help="address-space cap for this process")
    ap.add_argument("--save-crashers", type=Path, default=None, help="folder to keep every crash, hang or wrong read")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    cap = a.memory_mib << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    names = [f.strip() for f in a.formats.split(",") if f.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        ap.error(f"unknown format(s) {', '.join(unknown)}; expected {', '.join(FORMATS)}")
    if not a.json:
        print(f"{'format':20} {'files':>6} {'ok':>6} {'clean':>6} {'crash':>6} {'hang':>6} {'wrong':>6}")
    res = campaign(names, a.per_format, a.seed, a.timeout, a.save_crashers, echo=None if a.json else print)
    bugs = {n: t.bugs[:20] for n, t in res.items() if t.bugs}
    if a.json:
        print(json.dumps({n: t.counts for n, t in res.items()} | {"bugs": bugs}, indent=2))
    else:
        for n, bs in bugs.items():
            print(f"\n{n}:")
            for seed_name, detail in bs:
                print(f"  {seed_name}: {detail}")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
