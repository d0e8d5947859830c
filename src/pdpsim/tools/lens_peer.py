"""``pdpsim bench --peer lens=PATH``: the bench workloads run in a Lens binary beside pdpsim.

For each workload pdpsim builds its own network, examples and training parameters
(:func:`pdpsim.tools.bench._build`) and writes, into a folder of its own:

* ``examples.ex``: the same examples, as a Lens example file (for a network in time the
  set's ``max:`` is the event's length in intervals);
* ``start.wt``: pdpsim's starting weights as a Lens weight file (weights and last changes
  of 0), so both simulators start from the same weights;
* ``bench.tcl``: a Lens script that builds the same network (``addNet``, ``addGroup``,
  ``connectGroups``; Lens's own bias group wired where pdpsim has bias links), loads both
  files, sets the same learning rate, momentum, weight decay and batch size, trains one
  untimed update (the warm-up), loads the starting weights again and times ``train N`` with
  the same algorithm and number of updates. The time is Tcl's ``clock microseconds`` read
  just before and after ``train``, the same span as pdpsim's ``time.perf_counter()`` around
  :func:`pdpsim.train` (building the network and loading the files are outside it in both).

The script prints one line starting with :data:`MARK` that :func:`run_lens` reads. Lens runs
as ``lens -batch bench.tcl`` in that folder, with ``exit 3`` on its standard input (a script
that stops on an error leaves Lens reading its shell; it then exits with status 3), and
``LENSDIR`` set to the folder holding Lens's ``Src/shell.tcl`` (the environment's
``LENSDIR`` if set, else found above the binary). Its peak memory is the VmHWM the script
reads from ``/proc/self/status`` (else ``ru_maxrss`` from ``wait4``, which also counts the
memory of the process that started it).

Nothing here is Lens's code: the scripts use Lens's documented commands only. Point
``--peer`` at a Lens you built yourself; pdpsim does not build or ship one.
"""
from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pdpsim.validation import PdpError

#: the first word of the line a generated script prints with its figures
MARK = "pdpsim-bench:"
#: pdpsim's algorithm names -> Lens's
LENS_ALGORITHMS = {"steepest": "steepest", "momentum": "momentum", "dougs_momentum": "dougsMomentum",
                   "delta_bar_delta": "deltaBarDelta"}
_LENS_ORDER = {"ordered": "ORDERED", "permuted": "PERMUTED", "random": "RANDOMIZED"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")


@dataclass
class LensJob:
    """A workload written out for Lens: its folder, script and what one timed run does."""
    workload: str
    folder: Path
    script: Path
    examples: int       # examples presented in the timed run
    updates: int        # weight updates in the timed run
    links: int


def parse_peer(spec: str) -> Path:
    """``lens=PATH`` -> the Lens binary's path (checked: an executable file)."""
    kind, sep, path = str(spec).partition("=")
    if not sep or kind.strip().lower() != "lens" or not path.strip():
        raise PdpError(f"--peer: expected lens=PATH (the path of a Lens binary), got {spec!r}")
    p = Path(path.strip()).expanduser()
    if not p.is_file() or not os.access(p, os.X_OK):
        raise PdpError(f"--peer: '{p}' is not an executable file")
    return p.absolute()


def lens_dir(binary: Path) -> Path:
    """The folder Lens needs as LENSDIR: the environment's, else the first folder above the
    binary (as given, then with links resolved) that holds ``Src/shell.tcl``."""
    env = os.environ.get("LENSDIR")
    if env:
        return Path(env)
    for start in (Path(binary).absolute(), Path(binary).resolve()):
        for d in start.parents:
            if (d / "Src" / "shell.tcl").is_file():
                return d
    raise PdpError(f"--peer: no Src/shell.tcl above '{binary}'; set LENSDIR to the folder of your Lens "
                   "build (the one holding Src/ and TclTk/)")


# ------------------------------------------------------------------ the script
def _word(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise PdpError(f"Lens peer: {what} {name!r} is not a plain Lens name")
    return name


def _num(x: float) -> str:
    return repr(float(x))


def network_commands(net) -> list[str]:
    """The Lens commands that build ``net`` (a feed-forward network or a CONTINUOUS one in
    time, LOGISTIC/TANH/LINEAR units, a bias group wired to some groups). Raises PdpError
    for anything else, rather than building a different network."""
    if net.ensemble:
        raise PdpError("Lens peer: an ensemble is compared with one network in Lens")
    head = f"addNet {_word(net.name, 'network')}"
    t = net.time
    if t is not None:
        tv = t.validated()
        if tv.mode != "continuous" or tv.grace or tv.early_stop is not None or tv.dt_scale:
            raise PdpError("Lens peer: only CONTINUOUS networks without grace, early stops or dtScale are "
                           "written for Lens")
        head += f" -i {int(tv.intervals) if float(tv.intervals).is_integer() else tv.intervals}" \
                f" -t {tv.ticks_per_interval} CONTINUOUS"
    lines = [head]
    biases = [g for g in net.groups.values() if g.kind == "BIAS"]
    if len(biases) > 1:
        raise PdpError("Lens peer: more than one bias group")
    after = []
    for g in net.groups.values():
        if g.kind == "BIAS":
            continue
        if g.kind not in ("INPUT", "HIDDEN", "OUTPUT"):
            raise PdpError(f"Lens peer: group '{g.name}' of kind {g.kind} is not written for Lens")
        types = [] if g.kind == "HIDDEN" else [g.kind]
        if g.kind != "INPUT":
            fn = g.function.name
            if fn not in ("LOGISTIC", "TANH", "LINEAR") or getattr(g.function, "lens", False):
                raise PdpError(f"Lens peer: group '{g.name}' has {fn} units")
            if fn != "LOGISTIC":
                types.append(fn)
            if g.kind == "OUTPUT":
                err = g.error.name
                if err not in ("SUM_SQUARED", "CROSS_ENTROPY"):
                    raise PdpError(f"Lens peer: group '{g.name}' has the error {err}")
                types.append(err)
                if g.error.error_scale != 1.0:
                    after.append(f"setObj {g.name}.errorScale {_num(g.error.error_scale)}")
            if t is not None and g.integration != "OUT_INTEGR":
                raise PdpError(f"Lens peer: group '{g.name}' in time without OUT_INTEGR")
            if not any(b.source.kind == "BIAS" for b in g.incoming):
                types.append("-BIASED")
        elif g.incoming:
            raise PdpError(f"Lens peer: input group '{g.name}' receives links")
        lines.append(f"addGroup {_word(g.name, 'group')} {g.size}" + "".join(f" {x}" for x in types))
    for g in net.groups.values():
        for b in g.incoming:
            if b.source.kind == "BIAS":
                continue
            if b.mask is not None or b.frozen or b.min_weight is not None or b.max_weight is not None:
                raise PdpError(f"Lens peer: block {b.name} is lesioned, frozen or clipped")
            if any(v is not None for v in (b.learning_rate, b.momentum, b.weight_decay)):
                raise PdpError(f"Lens peer: block {b.name} has its own learning parameters")
            lines.append(f"connectGroups {b.source.name} {g.name}")
    return lines + after


def lens_script(net, params, updates: int, set_name: str = "train") -> str:
    """The Tcl text of a timed Lens run of ``updates`` weight updates (see the module docstring)."""
    p = params.validated()
    if p.rule != "backprop" or p.update != "batch":
        raise PdpError("Lens peer: backprop with batch updates only")
    if p.error_criterion is not None or p.output_criterion is not None:
        raise PdpError("Lens peer: the bench runs a fixed number of updates (no stopping criterion)")
    alg = LENS_ALGORITHMS[p.algorithm]
    lines = ["# written by pdpsim bench --peer: the workload's network, examples and training in Lens",
             *network_commands(net),
             "loadWeights start.wt",
             f"loadExamples examples.ex -set {set_name} -exmode {_LENS_ORDER[p.order]}",
             f"useTrainingSet {set_name}",
             f"setObj learningRate {_num(p.learning_rate)}",
             f"setObj momentum {_num(p.momentum)}",
             f"setObj weightDecay {_num(p.weight_decay)}",
             f"setObj batchSize {int(p.batch_size)}",
             "setObj reportInterval 0",
             "setObj criterion 0",
             "setObj trainGroupCrit 0",
             "# warm-up: one update, then the starting weights (and last changes of 0) again",
             f"train 1 -algorithm {alg}",
             "loadWeights start.wt",
             "set _t0 [clock microseconds]",
             f"train {int(updates)} -algorithm {alg}",
             "set _t1 [clock microseconds]",
             "# the process's own peak memory (kB), where Linux tells it",
             "set _hwm -1",
             "catch {set _f [open /proc/self/status]; regexp {VmHWM:\\s+(\\d+)} [read $_f] -> _hwm; close $_f}",
             f'puts "{MARK} train_s [expr {{($_t1 - $_t0) / 1e6}}] updates [getObj totalUpdates] '
             f'links [getObj numLinks] examples [getObj {set_name}.numExamples] error [getObj error] '
             f'peak_kb $_hwm"',
             "exit 0"]
    return "\n".join(lines) + "\n"


def _updates(xs, params, n_examples: int) -> int:
    """Weight updates in a run presenting ``n_examples`` examples (Lens's ``train N`` counts updates)."""
    batch = params.batch_size or len(xs)
    if n_examples % batch:
        raise PdpError(f"Lens peer: {n_examples} examples are not a whole number of batches of {batch}")
    return n_examples // batch


def prepare(name: str, quick: bool, folder: Path) -> LensJob:
    """Write workload ``name`` for Lens into ``folder`` (created). The XOR ensemble is compared
    with one XOR network in Lens: its job is the ``xor`` workload's."""
    from pdpsim.formats.lens_examples import write_examples
    from pdpsim.formats.lens_weights import save_lens_weights
    from pdpsim.tools.bench import _build
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net, xs, params, n_examples = _build("xor" if name == "xor-ensemble-1000" else name, quick)
    if net.time is not None:
        tv = net.time.validated()
        xs = replace(xs, header={**xs.header, "max": float(tv.intervals)})
    updates = _updates(xs, params, n_examples)
    write_examples(xs, folder / "examples.ex")
    save_lens_weights(net, folder / "start.wt", values=2)
    script = folder / "bench.tcl"
    script.write_text(lens_script(net, params, updates))
    return LensJob(name, folder, script, n_examples, updates, net.n_links)


# ------------------------------------------------------------------ running Lens
def parse_output(text: str) -> dict:
    """Lens's banner (version, precision) and the figures line of a generated script."""
    out: dict = {}
    m = re.search(r"LENS Version (\S+)( dbl)?", text)
    if m:
        out["version"] = m.group(1)
        out["precision"] = "float64" if m.group(2) else "float32"
    for line in text.splitlines():
        if line.startswith(MARK):
            words = line[len(MARK):].split()
            if len(words) % 2:
                break
            vals = dict(zip(words[::2], words[1::2]))
            try:
                out.update(train_s=float(vals["train_s"]), updates=int(vals["updates"]),
                           links=int(vals["links"]), set_examples=int(vals["examples"]),
                           final_error=float(vals["error"]), peak_kb=float(vals.get("peak_kb", -1)))
            except (KeyError, ValueError):
                break
            return out
    raise PdpError("the Lens peer printed no figures line:\n" + text.strip()[-2000:])


def run_lens(binary: Path, job: LensJob, timeout: float = 600.0) -> dict:
    """Run ``job`` in the Lens at ``binary``; its training seconds, whole-process seconds,
    peak memory (MiB), version and precision, and final error."""
    env = os.environ.copy()
    env["LENSDIR"] = str(lens_dir(binary))
    out_path, err_path = job.folder / "lens.out", job.folder / "lens.err"
    t0 = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([str(binary), "-batch", job.script.name], cwd=job.folder, env=env,
                                stdin=subprocess.PIPE, stdout=out, stderr=err)
        killed = []

        def kill():
            killed.append(True)
            proc.kill()
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            try:
                proc.stdin.write(b"exit 3\n")
                proc.stdin.close()
            except BrokenPipeError:
                pass
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    whole = time.perf_counter() - t0
    text = out_path.read_text(errors="replace") + err_path.read_text(errors="replace")
    if killed:
        raise PdpError(f"the Lens peer ran past {timeout:g} s on {job.workload}")
    if proc.returncode != 0:
        raise PdpError(f"the Lens peer failed on {job.workload} (exit status {proc.returncode}):\n"
                       + text.strip()[-2000:])
    r = parse_output(text)
    if r["links"] != job.links:
        raise PdpError(f"the Lens peer built {r['links']} links for {job.workload}, pdpsim {job.links}")
    # the script's own reading; else wait4's, which also counts this process's memory at the fork
    peak_kb = r.pop("peak_kb")
    r.update(process_s=whole, peak_mib=(peak_kb if peak_kb > 0 else usage.ru_maxrss) / 1024, examples=job.examples)
    return r


__all__ = ["MARK", "LensJob", "parse_peer", "lens_dir", "network_commands", "lens_script", "prepare",
           "parse_output", "run_lens"]
