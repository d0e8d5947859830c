"""``pdpsim bench``: training speed on the reference workloads, against Lens.

Each workload runs in a fresh Python process (so the whole-process time and
peak memory are its own); the training time is the best of ``repeat`` timed
runs of :func:`pdpsim.train` after one untimed warm-up run. Lens's figures are
those measured on this class of machine (2 vCPU, gcc -O3, float build, single
thread), from the project's reference notes.

    examples/s      = examples presented / training seconds
    link-updates/s  = examples/s * links (each link's weight derivative per example)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pdpsim.validation import PdpError


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    lens_examples_per_s: float | None
    epochs: int


WORKLOADS = {
    "xor": Workload("xor", "XOR 2-2-1 + bias, SSE, lr 0.5, batch 4, 10,000 updates", 900_000, 10_000),
    "encoder-8-3-8": Workload("encoder-8-3-8", "8-3-8 encoder + bias, SSE, momentum 0.9, batch 8, 10,000 updates",
                              750_000, 10_000),
    "100-200-100-batch": Workload(
        "100-200-100-batch", "100-200-100 + bias, 1000 random binary examples, cross-entropy, momentum, "
        "full batch, 50 epochs", 13_200, 50),
    "100-200-100-online": Workload(
        "100-200-100-online", "100-200-100 + bias, 1000 random binary examples, cross-entropy, momentum, "
        "online (batch 1), 50 epochs", 5_700, 50),
    "100-200-100-online-psyneulink": Workload(
        "100-200-100-online-psyneulink", "100-200-100 as PsyNeuLink's LLVM mode was measured: no biases, squared "
        "error, no momentum, online, 50 epochs (figure: PsyNeuLink, 13,700 examples/s)", 13_700, 50),
    "attractor-batch": Workload(
        "attractor-batch", "CONTINUOUS 28 -> 40 -> 68 <-> 60 clean-up + bias, 2 intervals x 4 ticks, 40 examples, "
        "cross-entropy, momentum, full batch, 100 epochs", 5_200, 100),
    "attractor-online": Workload(
        "attractor-online", "CONTINUOUS 28 -> 40 -> 68 <-> 60 clean-up + bias, 2 intervals x 4 ticks, 40 examples, "
        "cross-entropy, momentum, online, 100 epochs", 4_300, 100),
    "pmsp-batch": Workload(
        "pmsp-batch", "PMSP 1996 reading model: 2998 words, 105 -> 100 -> 61 + bias, cross-entropy, momentum, "
        "lr 0.001, full batch, 20 updates", 26_900, 20),
    "xor-ensemble-1000": Workload(
        "xor-ensemble-1000", "1000 XOR 2-2-1 networks trained at once, batch 4, 1,000 updates each "
        "(Lens figure: its per-network XOR rate)", 900_000, 1_000),
}


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


def compiled_available() -> bool:
    from pdpsim.engines.compiled import flat as compiled
    return compiled.available()


def _ensemble_worker(repeat: int, quick: bool, backend: str | None = None) -> dict:
    import resource

    from pdpsim.formats.spec import load_ensemble
    from pdpsim.training import ensemble
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"train_s": best, "train_s_all": times[1:], "examples": E * 4 * updates,
            "links": ens.network.n_links, "final_error": float(np.nanmean(r.final_errors)), "peak_mib": peak,
            "backend": f"{backend} ensemble" if backend else
            ("compiled ensemble" if compiled_available() else "numpy ensemble")}


def _as_float32(net):
    """The same network in float32 (weights rounded)."""
    return net.astype(np.float32)


def _worker(name: str, repeat: int, quick: bool, float32: bool = False, backend: str | None = None) -> dict:
    """Run one workload in this process and return its figures."""
    import resource
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    backend = params.backend
    if backend == "numpy" and net.time is not None and compiled_available():
        backend = "numpy+fused"                 # elementwise tick steps compiled (pdpsim.dynamics.unfolding)
    return {"train_s": best, "train_s_all": times, "examples": n_examples, "links": net.n_links,
            "final_error": r.final_error, "peak_mib": peak, "backend": backend}


def run_bench(workloads: list[str] | None = None, repeat: int = 3, quick: bool = False,
              float32: bool = False, backend: str | None = None) -> list[dict]:
    """Run the workloads, each in its own process. ``backend`` trains every workload with that
    backend (e.g. "array:cupy" on a GPU) instead of auto's choice; workloads it refuses are skipped
    with a note."""
    names = workloads or list(WORKLOADS)
    for n in names:
        if n not in WORKLOADS:
            raise PdpError(f"--workload: unknown workload {n!r}; expected one of {', '.join(WORKLOADS)}")
    results = []
    if workloads is None and data_dir() is None:
        names = [n for n in names if n != "pmsp-batch"]
        print("(pmsp-batch skipped: set PDPSIM_DATA to the folder holding pmsp96_reading/)", file=sys.stderr)
    for n in names:
        w = WORKLOADS[n]
        t0 = time.perf_counter()
        if float32 and n == "xor-ensemble-1000":
            continue
        cmd = [sys.executable, "-m", "pdpsim.tools.bench", n, str(repeat), "1" if quick else "0", "1" if float32 else "0",
               backend or ""]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        whole = time.perf_counter() - t0
        if proc.returncode != 0 and backend and "does not support" in proc.stderr:
            why = proc.stderr.strip().splitlines()[-1]
            print(f"({n} skipped: {why})", file=sys.stderr)
            continue
        if proc.returncode != 0:
            raise PdpError(f"benchmark {n} failed:\n{proc.stderr.strip()[-2000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        eps = r["examples"] / r["train_s"]
        results.append({
            "workload": n + (" (float32)" if float32 else ""),
            "dtype": "float32" if float32 else "float64",
            "description": w.description,
            "examples": r["examples"],
            "links": r["links"],
            "train_s": r["train_s"],
            "examples_per_s": eps,
            "link_updates_per_s": eps * r["links"],
            "lens_examples_per_s": w.lens_examples_per_s,
            "ratio_to_lens": eps / w.lens_examples_per_s if w.lens_examples_per_s else None,
            "process_s": whole,
            "peak_mib": r["peak_mib"],
            "final_error": r["final_error"],
            "backend": r["backend"],
            "quick": quick,
        })
    return results


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


def format_results(results: list[dict]) -> str:
    head = (f"{'workload':<28} {'examples/s':>11} {'link-upd/s':>11} {'peer ex/s':>10} {'x peer':>7} "
            f"{'train s':>8} {'process s':>9} {'peak MiB':>8}  backend")
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = f"{r['ratio_to_lens']:.1f}" if r["ratio_to_lens"] else "-"
        lens = f"{r['lens_examples_per_s']:,.0f}" if r["lens_examples_per_s"] else "-"
        lines.append(f"{r['workload']:<28} {r['examples_per_s']:>11,.0f} {r['link_updates_per_s']:>11.3g} "
                     f"{lens:>10} {ratio:>7} {r['train_s']:>8.3f} {r['process_s']:>9.2f} {r['peak_mib']:>8.0f}"
                     f"  {r['backend']}")
    lines.append("peer: Lens's measured rate (PsyNeuLink's for the -psyneulink workload; for the ensemble, "
                 "Lens's rate for one XOR network)")
    if any(r["quick"] for r in results):
        lines.append("(--quick: shortened workloads; not comparable with Lens)")
    return "\n".join(lines)



def matmul_gflops(m: int = 1000, k: int = 200, n: int = 200, repeat: int = 20) -> float:
    """The machine's measured float64 matrix-product rate (GFLOP/s) at a shape like a full batch."""
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k)), rng.random((k, n))
    out = np.empty((m, n))
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2 * m * k * n / best / 1e9


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
