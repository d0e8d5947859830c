"""``pdpsim bench``: training speed on the reference workloads, with Lens beside it on request.

Each workload runs in a fresh Python process (so the whole-process time and
peak memory are its own); the training time is the best of ``repeat`` timed
runs of :func:`pdpsim.train` after one untimed warm-up run.

With ``peer`` (``pdpsim bench --peer lens=PATH``) each workload also runs in that Lens
binary (:mod:`pdpsim.tools.lens_peer`: the same network, examples, starting weights,
algorithm, batch size and number of updates), interleaved with pdpsim in ``repeat``
rounds: a fresh pdpsim process (warm-up, one timed run), then a fresh Lens process
(warm-up, one timed run), and again. Each side keeps its best round; the ratio is
pdpsim's best rate over Lens's best, and the spread is that of the rounds' own ratios.
No Lens figure is stored: without a peer only pdpsim's figures are printed.

    examples/s      = examples presented / training seconds
    link-updates/s  = examples/s * links (each link's weight derivative per example)
    flops           = per example and tick, 2 a link forward, 2 a link for dE/dw and 2 a link
                      going back when its sender needs a derivative (not an input or bias
                      group); per update 2 a link for steepest, 4 for momentum (6, 8 for
                      dougs_momentum, delta_bar_delta; +2 with weight decay). Unit functions
                      (logistic, error) are not counted.
    of matmul       = GFLOP/s / the machine's matrix-product rate, measured in the same run
                      (:func:`machine_matmul`): the physical limit for the batched workloads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pdpsim.validation import PdpError


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    epochs: int


WORKLOADS = {
    "xor": Workload("xor", "XOR 2-2-1 + bias, SSE, lr 0.5, batch 4, 10,000 updates", 10_000),
    "encoder-8-3-8": Workload("encoder-8-3-8", "8-3-8 encoder + bias, SSE, momentum 0.9, batch 8, 10,000 updates",
                              10_000),
    "100-200-100-batch": Workload(
        "100-200-100-batch", "100-200-100 + bias, 1000 random binary examples, cross-entropy, momentum, "
        "full batch, 50 epochs", 50),
    "100-200-100-online": Workload(
        "100-200-100-online", "100-200-100 + bias, 1000 random binary examples, cross-entropy, momentum, "
        "online (batch 1), 50 epochs", 50),
    "100-200-100-online-psyneulink": Workload(
        "100-200-100-online-psyneulink", "100-200-100 as PsyNeuLink's LLVM mode was measured: no biases, squared "
        "error, no momentum, online, 50 epochs", 50),
    "attractor-batch": Workload(
        "attractor-batch", "CONTINUOUS 28 -> 40 -> 68 <-> 60 clean-up + bias, 2 intervals x 4 ticks, 40 examples, "
        "cross-entropy, momentum, full batch, 100 epochs", 100),
    "attractor-online": Workload(
        "attractor-online", "CONTINUOUS 28 -> 40 -> 68 <-> 60 clean-up + bias, 2 intervals x 4 ticks, 40 examples, "
        "cross-entropy, momentum, online, 100 epochs", 100),
    "pmsp-batch": Workload(
        "pmsp-batch", "PMSP 1996 reading model: 2998 words, 105 -> 100 -> 61 + bias, cross-entropy, momentum, "
        "lr 0.001, full batch, 20 updates", 20),
    "xor-ensemble-1000": Workload(
        "xor-ensemble-1000", "1000 XOR 2-2-1 networks trained at once, batch 4, 1,000 updates each "
        "(with a peer: against its rate for one XOR network)", 1_000),
}

#: flops a link per weight update, by algorithm (see the module docstring)
UPDATE_FLOPS = {"steepest": 2, "momentum": 4, "dougs_momentum": 6, "delta_bar_delta": 8}


def workload_flops(net, n_set: int, params, n_examples: int, members: int = 1) -> dict:
    """Floating-point operations of a training run presenting ``n_examples`` examples from a
    set of ``n_set`` (counted as in the module docstring), for each of ``members`` networks.

    Returns ``per_example`` (per network), ``per_update`` (per network), ``updates`` (per
    network) and ``total`` (all networks)."""
    ticks = 1
    if net.time is not None:
        tv = net.time.validated()
        ticks = round(tv.intervals * tv.ticks_per_interval)
    per_tick = links = 0
    for b in net.blocks:
        n = int(b.weights.shape[-2] * b.weights.shape[-1])
        links += n
        per_tick += 4 * n + (2 * n if b.source.kind not in ("INPUT", "BIAS") else 0)
    p = params.validated()
    batch = p.batch_size or n_set
    updates = -(-n_examples // batch)
    per_update = (UPDATE_FLOPS[p.algorithm] + (2 if p.weight_decay else 0)) * links
    per_example = per_tick * ticks
    return {"per_example": per_example, "per_update": per_update, "updates": updates,
            "total": members * (per_example * n_examples + per_update * updates)}


def data_dir() -> Path | None:
    """Where the shared data sets are: $PDPSIM_DATA, else ../shared/data or shared/data from here."""
    env = os.environ.get("PDPSIM_DATA")
    cands = [Path(env)] if env else [Path.cwd() / ".." / "shared" / "data", Path.cwd() / "shared" / "data"]
    for c in cands:
        if (c / "pmsp96_reading").exists():
            return c.resolve()
    return None


def _small(name: str, quick: bool):
    from pdpsim.formats.spec import load
    from pdpsim.training.params import TrainingParams
    m = load("xor" if name == "xor" else "encoder-8-3-8", seed=1)
    for g in m.network.output_groups:
        g.error.error_scale = 1.0                    # Lens's sum (a - t)^2
    updates = 200 if quick else 10_000
    if name == "xor":
        params = TrainingParams(algorithm="steepest", learning_rate=0.5, batch_size=0, max_epochs=updates)
        n = 4
    else:
        params = TrainingParams(algorithm="momentum", learning_rate=0.1, momentum=0.9, batch_size=0,
                                max_epochs=updates)
        n = 8
    return m.network, m.examples, params, n * updates


def _pmsp(quick: bool):
    from pdpsim.datasets.pmsp import load_pmsp
    from pdpsim.model.network import Network
    from pdpsim.training.params import TrainingParams
    d = data_dir()
    if d is None:
        raise PdpError("the PMSP workload needs the corpus: set PDPSIM_DATA to the folder holding pmsp96_reading/")
    xs = load_pmsp(d / "pmsp96_reading")
    net = Network("pmsp", seed=1, init_range=0.1)
    net.add_group("orthography", 105, kind="INPUT")
    net.add_group("hidden", 100)
    net.add_group("phonology", 61, kind="OUTPUT", error="CROSS_ENTROPY")
    net.connect("orthography", "hidden")
    net.connect("hidden", "phonology")
    net.connect_bias()
    updates = 2 if quick else 20
    params = TrainingParams(algorithm="momentum", learning_rate=0.001, momentum=0.9, batch_size=0,
                            max_epochs=updates)
    return net, xs, params, len(xs) * updates


def _attractor(batch: bool, quick: bool):
    from pdpsim.model.examples import ExampleSet
    from pdpsim.model.network import Network
    from pdpsim.training.params import TrainingParams
    from pdpsim.dynamics.unfolding import make_continuous
    rng = np.random.default_rng(0)
    n = 40
    net = Network("attractor", seed=1)
    net.add_group("orthography", 28, kind="INPUT")
    net.add_group("hidden", 40)
    net.add_group("semantics", 68, kind="OUTPUT", error="CROSS_ENTROPY")
    net.add_group("cleanup", 60)
    net.connect("orthography", "hidden")
    net.connect("hidden", "semantics")
    net.connect_bidirectional("semantics", "cleanup")
    net.connect_bias()
    make_continuous(net, ticks_per_interval=4, intervals=2.0)
    xs = ExampleSet({"orthography": rng.integers(0, 2, (n, 28)).astype(float)},
                    {"semantics": (rng.random((n, 68)) < 0.2).astype(float)}, name="random-words")
    epochs = 2 if quick else 100
    params = TrainingParams(algorithm="momentum", learning_rate=0.01 if batch else 0.05, momentum=0.9,
                            batch_size=0 if batch else 1, max_epochs=epochs)
    return net, xs, params, n * epochs


def _build(name: str, quick: bool):
    if name in ("xor", "encoder-8-3-8"):
        return _small(name, quick)
    if name == "pmsp-batch":
        return _pmsp(quick)
    if name.startswith("attractor"):
        return _attractor(name.endswith("batch"), quick)
    from pdpsim.model.examples import ExampleSet
    from pdpsim.model.network import Network
    from pdpsim.training.params import TrainingParams
    w = WORKLOADS[name]
    if name.startswith("100-200-100"):
        # 1000 random binary examples; Lens's variant: cross-entropy, bias, momentum; PsyNeuLink's:
        # squared error, no bias, no momentum
        psy = name.endswith("psyneulink")
        rng = np.random.default_rng(0)
        n = 1000
        xs = ExampleSet({"input": rng.integers(0, 2, (n, 100)).astype(float)},
                        {"output": rng.integers(0, 2, (n, 100)).astype(float)}, name="random-binary")
        net = Network("bench", seed=1)
        net.add_group("input", 100, kind="INPUT")
        net.add_group("hidden", 200)
        net.add_group("output", 100, kind="OUTPUT", error="SUM_SQUARED" if psy else "CROSS_ENTROPY")
        net.connect("input", "hidden")
        net.connect("hidden", "output")
        epochs = 2 if quick else w.epochs
        if psy:
            return net, xs, TrainingParams(algorithm="steepest", learning_rate=0.05, batch_size=1,
                                           max_epochs=epochs), n * epochs
        net.connect_bias()
        batch = name.endswith("batch")
        # derivatives sum over the batch, so the full-batch rate is smaller
        params = TrainingParams(algorithm="momentum", learning_rate=0.0005 if batch else 0.05, momentum=0.9,
                                batch_size=0 if batch else 1, max_epochs=epochs)
        return net, xs, params, n * epochs
    raise PdpError(f"unknown workload {name!r}")  # pragma: no cover


def peak_mib() -> float:
    """This process's own peak resident memory (MiB): /proc/self/status's VmHWM where there is one.
    (``ru_maxrss`` of a process started from a larger one counts the larger one's memory too.)"""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux


def compiled_available() -> bool:
    from pdpsim.engines.compiled import flat as compiled
    return compiled.available()


def _ensemble_worker(repeat: int, quick: bool, backend: str | None = None) -> dict:
    from pdpsim.formats.spec import load_ensemble
    from pdpsim.training import ensemble
    from pdpsim.training.params import TrainingParams
    E = 1000
    updates = 50 if quick else WORKLOADS["xor-ensemble-1000"].epochs
    times = []
    for _ in range(repeat + 1):
        ens = load_ensemble("xor", range(E))
        for g in ens.network.output_groups:
            g.error.error_scale = 1.0
        t0 = time.perf_counter()
        r = ensemble.train(ens, algorithm="steepest", learning_rate=0.5, batch_size=0, max_epochs=updates,
                           output_criterion=None, **({"backend": backend} if backend else {}))
        times.append(time.perf_counter() - t0)
    best = min(times[1:])
    peak = peak_mib()
    n = len(ens.examples)
    flops = workload_flops(ens.network, n, TrainingParams(algorithm="steepest", batch_size=0), n * updates, E)
    return {"train_s": best, "train_s_all": times[1:], "examples": E * n * updates,
            "links": ens.network.n_links, "final_error": float(np.nanmean(r.final_errors)), "peak_mib": peak,
            "flops": flops["total"], "flops_per_example": flops["total"] / (E * n * updates),
            "backend": f"{backend} ensemble" if backend else
            ("compiled ensemble" if compiled_available() else "numpy ensemble")}


def _as_float32(net):
    """The same network in float32 (weights rounded)."""
    return net.astype(np.float32)


def _worker(name: str, repeat: int, quick: bool, float32: bool = False, backend: str | None = None) -> dict:
    """Run one workload in this process and return its figures."""
    from pdpsim.training.loop import train
    if name == "xor-ensemble-1000":
        if float32:
            raise PdpError("the ensemble workload runs in float64 only")
        return _ensemble_worker(repeat, quick, backend)
    net, xs, params, n_examples = _build(name, quick)
    if float32:
        net = _as_float32(net)
    start = {b.name: b.weights.copy() for b in net.blocks}
    from dataclasses import replace

    from pdpsim.training.loop import resolve_backend
    # the loop ``auto`` takes for a run of this workload long enough to repay loading numba
    # (~0.3-0.5 s; a short run under auto stays on numpy): the rate a training run gets
    params = replace(params, backend=backend or resolve_backend(net, xs, replace(params, max_epochs=10**9)))
    if params.backend.startswith("array:"):
        from pdpsim.engines.array_api import engine as array_backend
        why = array_backend.unsupported(net, params.validated())
        if why:
            raise PdpError(f"training.backend {params.backend} does not support {why}")
    # warm up on that loop (loading the compiled one is not training time)
    warm = replace(params, max_epochs=1)
    train(net, xs, warm)
    times = []
    for _ in range(repeat):
        for b in net.blocks:
            b.weights[...] = start[b.name]
            b.last_change[...] = 0.0
        t0 = time.perf_counter()
        r = train(net, xs, params)
        times.append(time.perf_counter() - t0)
    best = min(times)
    peak = peak_mib()
    backend = params.backend
    if backend == "numpy" and net.time is not None and compiled_available():
        backend = "numpy+fused"                 # elementwise tick steps compiled (pdpsim.dynamics.unfolding)
    if backend == "numpy" and _sparse_inputs(net, xs, params):
        backend = "numpy, sparse inputs"
    flops = workload_flops(net, len(xs), params, n_examples)
    return {"train_s": best, "train_s_all": times, "examples": n_examples, "links": net.n_links,
            "final_error": r.final_error, "peak_mib": peak, "backend": backend,
            "flops": flops["total"], "flops_per_example": flops["total"] / n_examples}


def _sparse_inputs(net, xs, params) -> bool:
    """Whether the numpy engine takes this run's inputs through sparse products: a full batch in
    order, and an input group at most :data:`pdpsim.model.network.SPARSE_INPUTS` non-zero."""
    from pdpsim.model.network import SPARSE_INPUTS
    from pdpsim.training.loop import batch_size
    if net.time is not None or net.ensemble or params.order != "ordered" or batch_size(params, len(xs)) < len(xs):
        return False
    return any(np.count_nonzero(x) <= SPARSE_INPUTS * x.size for x in xs.inputs.values())


def _run_worker(name: str, repeat: int, quick: bool, float32: bool, backend: str | None) -> tuple[dict | None, float, str]:
    """One workload in a fresh process: (its figures or None, the process's seconds, its stderr)."""
    cmd = [sys.executable, "-m", "pdpsim.tools.bench", name, str(repeat), "1" if quick else "0",
           "1" if float32 else "0", backend or ""]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    whole = time.perf_counter() - t0
    if proc.returncode != 0:
        return None, whole, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), whole, proc.stderr


def run_bench(workloads: list[str] | None = None, repeat: int = 3, quick: bool = False,
              float32: bool = False, backend: str | None = None, peer: str | Path | None = None,
              peer_timeout: float = 600.0, matmul: dict | None = None) -> list[dict]:
    """Run the workloads, each in its own process. ``backend`` trains every workload with that
    backend (e.g. "array:cupy" on a GPU) instead of auto's choice; workloads it refuses are skipped
    with a note. ``peer``: the path of a Lens binary to run each workload in too, interleaved
    (see the module docstring). ``matmul``: the machine's matrix-product rate as
    :func:`machine_matmul` returns it (measured here if not given)."""
    names = workloads or list(WORKLOADS)
    for n in names:
        if n not in WORKLOADS:
            raise PdpError(f"--workload: unknown workload {n!r}; expected one of {', '.join(WORKLOADS)}")
    if repeat < 1:
        raise PdpError(f"--repeat: expected 1 or more, got {repeat}")
    if peer is not None:
        from pdpsim.tools import lens_peer
        peer = Path(peer)
        lens_peer.lens_dir(peer)                # fails now, not after the first workload
    if workloads is None and data_dir() is None:
        names = [n for n in names if n != "pmsp-batch"]
        print("(pmsp-batch skipped: set PDPSIM_DATA to the folder holding pmsp96_reading/)", file=sys.stderr)
    if float32 and "xor-ensemble-1000" in names:
        names = [n for n in names if n != "xor-ensemble-1000"]
        if workloads is not None:
            print("(xor-ensemble-1000 skipped: it runs in float64 only)", file=sys.stderr)
    dtype = "float32" if float32 else "float64"
    measured = matmul is None
    if measured:
        matmul = machine_matmul(dtype)
    results = []
    with tempfile.TemporaryDirectory(prefix="pdpsim-bench-") as tmp:
        for n in names:
            w = WORKLOADS[n]
            job = lens_peer.prepare(n, quick, Path(tmp) / n) if peer is not None else None
            runs, lens_runs, process_s = [], [], []
            load = [_load_average()]
            for _ in range(repeat if peer is not None else 1):
                r, whole, err = _run_worker(n, 1 if peer is not None else repeat, quick, float32, backend)
                if r is None and backend and "does not support" in err:
                    print(f"({n} skipped: {err.strip().splitlines()[-1]})", file=sys.stderr)
                    break
                if r is None:
                    raise PdpError(f"benchmark {n} failed:\n{err.strip()[-2000:]}")
                runs.append(r)
                process_s.append(whole)
                if job is not None:
                    lens_runs.append(lens_peer.run_lens(peer, job, timeout=peer_timeout))
            if not runs:
                continue
            load.append(_load_average())
            results.append((n, w, runs, process_s, lens_runs, load))
    if measured and results:                    # again at the end: the machine is shared; keep the best
        again = machine_matmul(dtype)
        matmul = {k: max(v, again[k]) if isinstance(v, float) else v for k, v in matmul.items()}
    return [_row(*r, dtype, matmul, quick, peer) for r in results]


def _load_average() -> float | None:
    """The machine's 1-minute load average (None where the system does not tell)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _row(n, w, runs, process_s, lens_runs, load, dtype, matmul, quick, peer) -> dict:
    """One workload's figures from its rounds (pdpsim's and, with a peer, Lens's)."""
    k = min(range(len(runs)), key=lambda i: runs[i]["train_s"])
    r = runs[k]
    eps = r["examples"] / r["train_s"]
    gflops = r["flops"] / r["train_s"] / 1e9
    row = {
        "workload": n + (" (float32)" if dtype == "float32" else ""),
        "dtype": dtype,
        "description": w.description,
        "examples": r["examples"],
        "links": r["links"],
        "train_s": r["train_s"],
        "train_s_all": [t for x in runs for t in x["train_s_all"]],
        "examples_per_s": eps,
        "link_updates_per_s": eps * r["links"],
        "flops": r["flops"],
        "flops_per_example": r["flops_per_example"],
        "gflops": gflops,
        "matmul_gflops": matmul["gflops"],
        "matmul": matmul,
        "matmul_share": gflops / matmul["gflops"],
        "process_s": process_s[k],
        "peak_mib": max(x["peak_mib"] for x in runs),
        "final_error": r["final_error"],
        "backend": r["backend"],
        "quick": quick,
        "load_average": load,                   # 1-minute, before and after the workload's rounds
    }
    if lens_runs:
        best = min(lens_runs, key=lambda x: x["train_s"])
        lens_eps = best["examples"] / best["train_s"]
        ratios = [(p["examples"] / p["train_s"]) / (q["examples"] / q["train_s"]) for p, q in zip(runs, lens_runs)]
        row["peer"] = {
            "name": "lens", "binary": str(peer), "version": best.get("version"), "precision": best.get("precision"),
            "examples": best["examples"], "train_s": best["train_s"],
            "train_s_all": [x["train_s"] for x in lens_runs], "examples_per_s": lens_eps,
            "process_s": best["process_s"], "peak_mib": max(x["peak_mib"] for x in lens_runs),
            "final_error": best["final_error"],
            "per_network": n == "xor-ensemble-1000",
        }
        row["ratio"] = eps / lens_eps
        row["ratio_rounds"] = ratios
        row["ratio_min"], row["ratio_max"] = min(ratios), max(ratios)
    return row


def measure_startup(repeat: int = 5) -> dict:
    """Seconds (best of ``repeat``, each a fresh process) for Python alone, ``import pdpsim``
    and the CLI's first output (``pdpsim --help``)."""
    script = Path(sys.executable).with_name("pdpsim")
    cli = [str(script), "--help"] if script.exists() else [sys.executable, "-c",
                                                          "from pdpsim.cli.main import main; main(['--help'])"]
    cmds = {"python_s": [sys.executable, "-c", "pass"], "import_pdpsim_s": [sys.executable, "-c", "import pdpsim"],
            "cli_help_s": cli}
    out = {}
    for key, cmd in cmds.items():
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            best = min(best, time.perf_counter() - t0)
        out[key] = best
    return out


def format_startup(s: dict) -> str:
    return (f"start-up (best of 5 fresh processes): Python alone {s['python_s']:.2f} s, "
            f"import pdpsim {s['import_pdpsim_s']:.2f} s, pdpsim --help {s['cli_help_s']:.2f} s")


def _rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def format_results(results: list[dict]) -> str:
    """The table ``pdpsim bench`` prints; Lens's columns only for rows run beside a peer."""
    peer = any("peer" in r for r in results)
    wide = max([30] + [len(r["workload"]) for r in results])
    head = f"{'workload':<{wide}} {'examples/s':>11}"
    if peer:
        head += f" {'Lens ex/s':>10} {'x Lens':>6} {'rounds':>9}"
    head += (f" {'kFLOP/ex':>9} {'GFLOP/s':>7} {'of mm':>6} {'train s':>8} {'process s':>9} {'MiB':>5}"
             + (f" {'Lens MiB':>8}" if peer else "") + "  backend")
    lines = []
    if results:
        r0 = results[0]
        mm = r0["matmul_gflops"]
        lines.append(f"matrix-product rate of this machine ({r0['dtype']}, best of np.matmul 1000x200x200 and "
                     f"1000x1000x1000, this run): {mm:.1f} GFLOP/s")
        lens = next((r["peer"] for r in results if "peer" in r), None)
        if lens:
            lines.append(f"peer: Lens {lens['version']} ({lens['precision']} build) at {lens['binary']}, run "
                         f"interleaved with pdpsim, {len(next(r for r in results if 'peer' in r)['ratio_rounds'])} "
                         f"rounds, the best of each side")
    lines += [head, "-" * len(head)]
    for r in results:
        line = f"{r['workload']:<{wide}} {_rate(r['examples_per_s']):>11}"
        if peer:
            if "peer" in r:
                p = r["peer"]
                spread = f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}"
                line += f" {_rate(p['examples_per_s']):>10} {r['ratio']:>6.2f} {spread:>9}"
            else:
                line += f" {'-':>10} {'-':>6} {'-':>9}"
        share = f"{r['matmul_share']:.1%}" if r["matmul_share"] >= 0.01 else f"{r['matmul_share']:.2%}"
        line += (f" {r['flops_per_example'] / 1e3:>9.4g} {r['gflops']:>7.3g} {share:>6}"
                 f" {r['train_s']:>8.3f} {r['process_s']:>9.2f} {r['peak_mib']:>5.0f}")
        if peer:
            line += f" {r['peer']['peak_mib']:>8.0f}" if "peer" in r else f" {'-':>8}"
        lines.append(line + f"  {r['backend']}")
    lines.append("kFLOP/ex: work per example (2 flops a link forward, 2 for dE/dw, 2 back where the sender "
                 "needs it; updates shared out)")
    lines.append("of mm: GFLOP/s over the matrix-product rate; MiB: the process's peak memory")
    if any("sparse inputs" in r["backend"] for r in results):
        lines.append("sparse inputs: inputs at most 6% non-zero go through sparse products (the same sums over the "
                     "non-zero inputs); kFLOP/ex, GFLOP/s and of mm count the dense products, Lens's work")
    if peer:
        lines.append("x Lens: pdpsim's best rate over Lens's best; rounds: lowest and highest ratio of one round "
                     "(a pdpsim run, then a Lens run)")
        if any(r.get("peer", {}).get("per_network") for r in results):
            lines.append("the ensemble is set against Lens's rate for one XOR network")
    loads = [x for r in results for x in r.get("load_average") or () if x is not None]
    if loads:
        lines.append(f"1-minute load average during the run: {min(loads):.1f} to {max(loads):.1f} "
                     f"({os.cpu_count()} CPUs)")
    if any(r["quick"] for r in results):
        lines.append("(--quick: shortened workloads; not for comparing speeds)")
    return "\n".join(lines)


def matmul_gflops(m: int = 1000, k: int = 200, n: int = 200, repeat: int = 20, dtype=np.float64) -> float:
    """The machine's measured matrix-product rate (GFLOP/s) at one shape (default: like a full batch)."""
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k)).astype(dtype), rng.random((k, n)).astype(dtype)
    out = np.empty((m, n), dtype=dtype)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2 * m * k * n / best / 1e9


def machine_matmul(dtype: str = "float64") -> dict:
    """The machine's matrix-product rate, the limit the batched workloads are held to: the best
    of np.matmul at a full batch's shape (1000x200 @ 200x200) and at 1000x1000 @ 1000x1000."""
    dt = np.dtype(dtype).type
    batch = matmul_gflops(repeat=30, dtype=dt)
    square = matmul_gflops(1000, 1000, 1000, repeat=10, dtype=dt)
    return {"dtype": str(np.dtype(dtype)), "gflops": max(batch, square), "batch_shape_gflops": batch,
            "square_gflops": square}


def _epoch_seconds(n_in: int, n_hidden: int, n_out: int, n_examples: int, epochs: int) -> float:
    from pdpsim.model.examples import ExampleSet
    from pdpsim.model.network import Network
    from pdpsim.training.loop import train
    rng = np.random.default_rng(0)
    xs = ExampleSet({"input": rng.integers(0, 2, (n_examples, n_in)).astype(float)},
                    {"output": rng.integers(0, 2, (n_examples, n_out)).astype(float)})
    net = Network("scale", seed=1)
    net.add_group("input", n_in, kind="INPUT")
    net.add_group("hidden", n_hidden)
    net.add_group("output", n_out, kind="OUTPUT", error="CROSS_ENTROPY")
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bias()
    train(net, xs, max_epochs=1, learning_rate=1e-4, algorithm="momentum", momentum=0.9, backend="numpy")
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        train(net, xs, max_epochs=epochs, learning_rate=1e-4, algorithm="momentum", momentum=0.9,
              backend="numpy")
        best = min(best, (time.perf_counter() - t0) / epochs)
    return best


def run_scaling(path: Path, quick: bool = False) -> dict:
    """Full-batch time per epoch against network size and number of examples, beside the
    machine's matrix-product rate; writes a two-panel figure to ``path``."""
    from pdpsim.analysis import figures
    epochs = 2 if quick else 10
    sizes = [25, 50, 100, 200] if quick else [25, 50, 100, 200, 400, 800]
    counts = [125, 250, 500, 1000] if quick else [125, 250, 500, 1000, 2000, 4000, 8000]
    peak = matmul_gflops()
    by_size = []
    for s in sizes:
        t = _epoch_seconds(s, 2 * s, s, 1000, epochs)
        links = s * 2 * s * 2 + 3 * s
        by_size.append({"units": s, "links": links, "examples": 1000, "epoch_s": t,
                        "gflops": 6 * links * 1000 / t / 1e9})
    by_count = []
    for c in counts:
        t = _epoch_seconds(100, 200, 100, c, epochs)
        links = 40_300
        by_count.append({"units": 100, "links": links, "examples": c, "epoch_s": t,
                         "gflops": 6 * links * c / t / 1e9})
    plt = figures._plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    ax = axes[0]
    ax.loglog([r["links"] * r["examples"] for r in by_size], [r["epoch_s"] for r in by_size], "o-",
              label="N-2N-N (N = 25 to 800), 1000 examples")
    ax.loglog([r["links"] * r["examples"] for r in by_count], [r["epoch_s"] for r in by_count], "s-",
              label="100-200-100, 125 to 8000 examples")
    ax.set_xlabel("links x examples per epoch")
    ax.set_ylabel("seconds per epoch (full batch)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title("time per epoch")
    ax = axes[1]
    ax.semilogx([r["links"] * r["examples"] for r in by_size], [r["gflops"] for r in by_size], "o-",
                label="N-2N-N")
    ax.semilogx([r["links"] * r["examples"] for r in by_count], [r["gflops"] for r in by_count], "s-",
                label="100-200-100")
    ax.axhline(peak, color="k", ls="--", lw=1, label=f"np.matmul 1000x200x200: {peak:.1f} GFLOP/s")
    ax.set_xlabel("links x examples per update")
    ax.set_ylabel("GFLOP/s (6 flops per link per example)")
    ax.set_ylim(0, peak * 1.15)
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title("against the machine's matrix-product rate")
    figures.save(fig, path)
    lines = [f"matrix-product rate of this machine: {peak:.1f} GFLOP/s (float64)",
             f"{'units':>6} {'links':>8} {'examples':>9} {'s/epoch':>9} {'GFLOP/s':>8} {'of matmul':>9}"]
    for r in by_size + by_count:
        lines.append(f"{r['units']:>6} {r['links']:>8} {r['examples']:>9} {r['epoch_s']:>9.4f} "
                     f"{r['gflops']:>8.1f} {r['gflops'] / peak:>8.0%}")
    lines.append(f"figure: {path}")
    return {"matmul_gflops": peak, "by_size": by_size, "by_examples": by_count, "text": "\n".join(lines)}


if __name__ == "__main__":  # worker entry: python -m pdpsim.tools.bench NAME REPEAT QUICK FLOAT32 [BACKEND]
    print(json.dumps(_worker(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1",
                             (sys.argv[5] if len(sys.argv) > 5 else "") or None)))
