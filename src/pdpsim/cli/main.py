"""The ``pdpsim`` command line.

Heavy modules (matplotlib, pandas) are imported inside the commands that need
them so that ``pdpsim --help`` answers at once.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from pdpsim.validation import PdpError, TrainingFailed

#: exit statuses: done; training failed; a usage or input error (click's usage errors are 2 too)
DONE, FAILED, USAGE = 0, 1, 2


class _Group(click.Group):
    """Turn PdpError (bad user input) and a command's usage errors into a one-line message and
    exit status 2, and TrainingFailed (training diverged, or missed a required criterion) into
    one with status 1."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:         # a bad option to pdpsim itself (--limit): one line too
            if parent is not None:
                raise
            click.echo(f"pdpsim: error: {e.format_message()} (see 'pdpsim --help')", err=True)
            sys.exit(e.exit_code)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PdpError as e:
            click.echo(f"pdpsim: error: {e}", err=True)
            ctx.exit(USAGE)
        except click.UsageError as e:
            where = e.ctx.command_path if e.ctx is not None else ctx.command_path
            click.echo(f"pdpsim: error: {e.format_message()} (see '{where} --help')", err=True)
            ctx.exit(e.exit_code)
        except TrainingFailed as e:
            click.echo(f"pdpsim: error: {e}", err=True)
            ctx.exit(FAILED)
        except OSError as e:              # the machine's refusal: a full disk, a permission, a lost mount
            where = f"'{e.filename}': " if e.filename else ""
            click.echo(f"pdpsim: error: {where}{e.strerror or e}", err=True)
            ctx.exit(USAGE)
        except MemoryError:
            click.echo("pdpsim: error: out of memory (a smaller network, fewer examples or a smaller batch "
                       "would need less; see pdpsim --help for the limits on what is read)", err=True)
            ctx.exit(USAGE)


def _set_limits(ctx, param, values) -> None:
    from pdpsim import limits
    limits.reset()
    for v in values:
        try:
            limits.set_limit(v)
        except PdpError as e:
            raise click.BadParameter(str(e).removeprefix("--limit: "), ctx=ctx, param=param) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pdpsim")
@click.option("--limit", multiple=True, metavar="NAME=N", expose_value=False, callback=_set_limits,
              help="Raise (or lower) a limit on what input files may ask for: units, links, examples, events, "
                   "values, ticks, yaml_nodes, yaml_depth, decompressed_bytes (repeatable; also "
                   "PDPSIM_LIMIT_<NAME>=N).")
def main() -> None:
    """pdpsim: Parallel Distributed Processing networks, as the lecture teaches them.

    \b
    Exit status:
      0 done
      1 training failed: it diverged, or (train --require-criterion) its
        criterion was not met; a sweep task failed
      2 usage or input error: a bad option, spec, file or example
    Failures and errors end with one line 'pdpsim: error: ...'.
    An input that asks for more than a limit (e.g. 10^20 units) is refused
    with the limit's name; --limit NAME=N raises it.
    `pdpsim lens` exits with its script's status (1 after an error).
    """


#: training parameters the commands override, and the option that sets each
_OPTION = {"max_epochs": "--epochs", "learning_rate": "--learning-rate", "momentum": "--momentum",
           "algorithm": "--algorithm", "backend": "--backend"}


def _overrides(**given) -> dict:
    """The training parameters given as options (None: not given), each checked on its own
    and, if wrong, reported under its option's name."""
    from pdpsim.training.params import TrainingParams
    out = {}
    for key, value in given.items():
        if value is None:
            continue
        try:
            out[key] = getattr(TrainingParams(**{key: value}).validated("training"), key)
        except PdpError as e:
            msg, prefix = str(e), f"training.{key}: "
            raise PdpError(f"{_OPTION[key]}: {msg[len(prefix):]}" if msg.startswith(prefix) else msg) from None
    return out


@main.command()
@click.option("--out", type=click.Path(file_okay=False), default="pdpsim-demo", show_default=True,
              help="Folder for the figures.")
@click.option("--quick", is_flag=True, help="Fewer training epochs (for tests).")
def demo(out: str, quick: bool) -> None:
    """The lecture in one command: worked example, XOR, Hebb vs Delta, hidden units."""
    from pdpsim.teaching.demo import run_demo
    run_demo(Path(out), quick=quick, echo=click.echo)


@main.command()
@click.argument("spec", required=False)
@click.option("--example", default="0", show_default=True, help="Example (name or index) from the spec.")
@click.option("--input", "input_value", type=float, default=None, help="Lecture network: the input (.03).")
@click.option("--w1", type=float, default=None, help="Lecture network: input->hidden weight (.13).")
@click.option("--w2", type=float, default=None, help="Lecture network: hidden->output weight (.32).")
@click.option("--target", type=float, default=None, help="Lecture network: the target (1).")
@click.option("--learning-rate", "-e", type=float, default=None, help="eps (lecture: .5; spec: its own).")
@click.option("--seed", type=int, default=None, help="Seed for a spec's initial weights.")
def explain(spec, example, input_value, w1, w2, target, learning_rate, seed) -> None:
    """One training step traced number by number, in the lecture's notation.

    Without SPEC: the lecture's "really simple example" (input .03, weights .13
    and .32, target 1, eps .5), compared with its slides. With SPEC (a spec
    file or shipped name, e.g. xor): its network and one of its examples.
    """
    from pdpsim.teaching.explain import explain as explain_net, explain_lecture
    if spec is None:
        kw = {k: v for k, v in dict(input_value=input_value, w1=w1, w2=w2, target=target).items() if v is not None}
        if learning_rate is not None:
            kw["learning_rate"] = learning_rate
        click.echo(explain_lecture(**kw).text)
        return
    if any(v is not None for v in (input_value, w1, w2, target)):
        raise PdpError("--input, --w1, --w2 and --target describe the lecture's network; with a SPEC, "
                       "write the weights and examples in the spec")
    from pdpsim.formats.spec import load
    m = load(spec, seed=seed)
    params = m.training if learning_rate is None else m.training.__class__(
        **{**m.training.to_dict(), "learning_rate": learning_rate}).validated()
    ex = example if example in m.examples.names or not example.lstrip("-").isdigit() else int(example)
    click.echo(explain_net(m.network, m.examples, ex, params).text)


@main.command()
@click.argument("spec")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the run's files.")
@click.option("--seed", type=int, default=None, help="Override the spec's seed.")
@click.option("--epochs", type=int, default=None, help="Override training.max_epochs.")
@click.option("--learning-rate", type=float, default=None, help="Override training.learning_rate.")
@click.option("--momentum", type=float, default=None, help="Override training.momentum.")
@click.option("--algorithm", default=None,
              help="Override training.algorithm: steepest, momentum, dougs_momentum or delta_bar_delta.")
@click.option("--weights", type=click.Path(), default=None,
              help="Start from these saved weights (a weights.npz) and train on from them.")
@click.option("--require-criterion", is_flag=True,
              help="Fail (exit status 1) unless training meets the spec's error or output criterion.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
@click.option("--checkpoint-every", type=int, default=None, metavar="N",
              help="Write a checkpoint every N epochs (and at the end), for --resume.")
@click.option("--resume", is_flag=True,
              help="Go on from the checkpoint in OUT (the same spec, seed and parameters; --epochs may grow).")
@click.option("--backend", default=None,
              help="Override training.backend: auto, numpy, compiled, or array:cupy / array:torch on a GPU.")
def train(spec, out, seed, epochs, learning_rate, momentum, algorithm, weights, require_criterion, progress,
          checkpoint_every, resume, backend) -> None:
    """Train SPEC (a spec file, a shipped name or a run folder) and write the run to OUT.

    Writes error.csv (the error curve), weights.npz, error.png and run.json;
    with --checkpoint-every, checkpoint.json and checkpoint-EPOCH.npz.

    The final error printed first is the one summed during the last epoch, as
    training went (the last row of error.csv); the error with the final weights
    (what `pdpsim test` prints) follows it. A run that diverges is written, and
    the command fails (exit status 1).
    """
    from pdpsim.tools.runs import run_training
    overrides = _overrides(max_epochs=epochs, learning_rate=learning_rate, momentum=momentum, algorithm=algorithm,
                           backend=backend)
    done = run_training(spec, Path(out), seed=seed, progress=progress and sys.stderr.isatty(), resume=resume,
                        checkpoint_every=checkpoint_every, weights=weights, require_criterion=require_criterion,
                        **overrides)
    click.echo(done.text)
    if done.failure:
        raise TrainingFailed(done.failure)


@main.command("ensemble")
@click.argument("spec")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for results.csv.")
@click.option("--seeds", type=int, default=None,
              help="Seeds 0..N-1, each trained at every learning rate; default: the spec's.")
@click.option("--learning-rates", default=None,
              help="Comma-separated rates (e.g. 0.1,0.5), each trained from every seed.")
@click.option("--epochs", type=int, default=None, help="Override training.max_epochs.")
@click.option("--backend", default=None,
              help="Override training.backend: auto, numpy, compiled, or array:cupy / array:torch on a GPU.")
def ensemble_cmd(spec, out, seeds, learning_rates, epochs, backend) -> None:
    """Train many networks of SPEC at once (one vectorized run), one for each seed and
    learning rate (every rate from the same seeds, so from the same starting weights),
    each stopping on its own criterion; equal to separate runs.

    Prints per learning rate: runs, how many converged, success_rate,
    mean/median/sd of the epochs to criterion over the networks that converged
    (*_epochs_converged; NaN when none did) and the mean final error, as
    `pdpsim sweep` does."""
    import time
    from pdpsim.formats.spec import ensemble_settings, load_ensemble
    from pdpsim.tools.sweep import summarize, summary_text
    from pdpsim.training import ensemble
    from pdpsim.validation import atomic_write
    rates = None
    if learning_rates:
        try:
            rates = [float(x) for x in learning_rates.split(",")]
        except ValueError:
            raise PdpError(f"--learning-rates: expected numbers separated by commas, got {learning_rates!r}")
        from pdpsim.validation import real
        rates = [real(r, "--learning-rates", minimum=0) for r in rates]
    if seeds is not None and seeds < 1:
        raise PdpError(f"--seeds: expected a number of networks >= 1, got {seeds}")
    if epochs is not None and epochs < 1:
        raise PdpError(f"--epochs: expected a number of epochs >= 1, got {epochs}")
    overrides = _overrides(max_epochs=epochs, backend=backend)
    seed_list, rate_list = ensemble_settings(spec, list(range(seeds)) if seeds is not None else None, rates)
    ens = load_ensemble(spec, seed_list)
    t0 = time.perf_counter()
    res = ensemble.train(ens, learning_rates=rate_list, **overrides)
    seconds = time.perf_counter() - t0
    table = res.table()
    Path(out).mkdir(parents=True, exist_ok=True)
    with atomic_write(Path(out) / "results.csv") as f:
        table.to_csv(f, index=False)
    click.echo(f"{len(seed_list)} networks of {spec} in {seconds:.2f} s")
    click.echo(summary_text(summarize(table, ["learning_rate"])))
    click.echo(f"wrote {Path(out) / 'results.csv'}")


@main.command("test")
@click.argument("spec")
@click.option("--weights", type=click.Path(), default=None, help="A weights.npz from `pdpsim train`.")
@click.option("--examples", type=click.Path(), default=None,
              help="Test on these examples instead of the spec's: a spec-format file (.yaml, .yml, .toml: an "
                   "examples: table, or the table itself) or a Lens example file (.ex, .bex).")
@click.option("--group", "groups", multiple=True,
              help="Also print this group's outputs per example, e.g. hidden (repeatable).")
@click.option("--csv", type=click.Path(), default=None, help="Also write the table to this CSV file.")
def test_cmd(spec, weights, examples, groups, csv) -> None:
    """Print each example's outputs, targets and error (no learning).

    SPEC is a spec file, a shipped name or a run folder (its spec). Networks in
    time show the last tick (simple recurrent networks: each example's last event).
    """
    from pdpsim.tools.runs import test_report
    click.echo(test_report(spec, weights, examples=examples, groups=groups, csv=csv))


@main.command("init")
@click.argument("name")
@click.option("--out", type=click.Path(), default=None,
              help="The file to write (default: NAME.yaml in this folder; a folder: NAME.yaml in it).")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init(name, out, force) -> None:
    """Copy the shipped spec NAME (see `pdpsim list`) to a file to edit."""
    from pdpsim.formats.spec import zoo_names, zoo_path
    from pdpsim.validation import atomic_write
    if name not in zoo_names():
        raise PdpError(f"no shipped spec '{name}'; shipped: {', '.join(zoo_names())}")
    src = zoo_path(name)
    target = Path(out) if out else Path(src.name)
    if target.is_dir():
        target = target / src.name
    if target.exists() and not force:
        raise PdpError(f"'{target}' exists; add --force to overwrite it")
    with atomic_write(target) as f:
        f.write(src.read_text())
    click.echo(f"wrote {target} (the shipped spec {name}); train it with: pdpsim train {target} --out runs/{name}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--workload", "workloads", multiple=True, help="Run only these workloads (repeatable).")
@click.option("--repeat", type=int, default=3, show_default=True,
              help="Timed repetitions (the best is kept); with --peer, rounds of one pdpsim run and one Lens run.")
@click.option("--quick", is_flag=True, help="Shortened workloads (for tests; figures not comparable).")
@click.option("--float32", "float32", is_flag=True, help="Run the networks in float32 instead of float64.")
@click.option("--scaling", type=click.Path(dir_okay=False), default=None,
              help="Also measure how time grows with network size and examples; write this figure (PNG/SVG/PDF).")
@click.option("--backend", default=None,
              help="Train with this backend instead of auto's choice: numpy, compiled, or array:cupy / array:torch "
                   "on a GPU (workloads it does not support are skipped).")
@click.option("--peer", default=None, metavar="lens=PATH",
              help="Also run every workload in the Lens binary at PATH (the same network, examples, starting "
                   "weights and updates), interleaved with pdpsim's runs, and print both rates and their ratio. "
                   "LENSDIR: the environment's, else the folder above PATH holding Src/shell.tcl.")
def bench(as_json, workloads, repeat, quick, float32, scaling, backend, peer) -> None:
    """Training speed on the reference workloads: rates, floating-point work against the
    machine's matrix-product rate, peak memory; with --peer, beside Lens in the same run.

    Set PDPSIM_DATA to the folder holding pmsp96_reading/ for the PMSP workload
    (default: ../shared/data or shared/data from the current folder)."""
    from pdpsim.tools.bench import run_bench, format_results
    if backend:
        from pdpsim.training.params import TrainingParams
        try:
            backend = TrainingParams(backend=backend).validated().backend
        except PdpError as e:
            raise click.BadParameter(str(e).split(": ", 1)[-1], param_hint="--backend") from None
    if repeat < 1:
        raise click.BadParameter(f"expected 1 or more, got {repeat}", param_hint="--repeat")
    if peer is not None:
        from pdpsim.tools.lens_peer import parse_peer
        try:
            peer = parse_peer(peer)
        except PdpError as e:
            raise click.BadParameter(str(e).split(": ", 1)[-1], param_hint="--peer") from None
    results = run_bench(list(workloads) or None, repeat=repeat, quick=quick, float32=float32, backend=backend,
                        peer=peer)
    if scaling:
        from pdpsim.tools.bench import run_scaling
        results_scaling = run_scaling(Path(scaling), quick=quick)
        if not as_json:
            click.echo(results_scaling["text"])
    from pdpsim.tools.bench import format_startup, measure_startup
    startup = measure_startup()
    if as_json:
        from pdpsim.validation import json_text
        data = {"workloads": results, "startup": startup}
        if results:                         # the machine's matrix-product rate, measured in this run
            data["matmul"] = results[0]["matmul"]
        if scaling:
            data["scaling"] = {k: v for k, v in results_scaling.items() if k != "text"}
        click.echo(json_text(data))
    else:
        click.echo(format_results(results))
        click.echo(format_startup(startup))


@main.command("pdp")
@click.argument("script")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for files the script saves (default: the current folder).")
@click.option("--seed", type=int, default=None, help="Starting seed (a script's `set seed` overrides it).")
def pdp(script, out, seed) -> None:
    """Run a PDP handbook bp script (.str), or a shipped one by name (xor, 424, cascade, tied).

    Exits with status 1 when training diverges (its error becomes NaN or infinite).
    """
    import numpy as np

    from pdpsim.pdp.script import run_script
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # a diverging run ends with one line
        run_script(script, echo=click.echo, out_dir=out, seed=seed)


@main.command("list")
def list_specs() -> None:
    """The spec files shipped with pdpsim (usable by name)."""
    from pdpsim.formats.spec import load_spec, zoo_names
    for name in zoo_names():
        s = load_spec(name)
        click.echo(f"{name:<16} {s.data.get('description', '')}")


from pdpsim.cli.view import register as _register_view  # noqa: E402

_register_view(main)

from pdpsim.cli.runs import register as _register_runs  # noqa: E402  (the sweep and runs commands)

_register_runs(main)

from pdpsim.cli.elman import register as _register_elman  # noqa: E402  (hidden alias reproduce-elman)

_register_elman(main)

from pdpsim.cli.plaut import register as _register_plaut  # noqa: E402  (hidden alias reproduce-plaut-shallice)

_register_plaut(main)

from pdpsim.cli.analysis import register as _register_analysis  # noqa: E402  (record, analyze, reproduce)

_register_analysis(main)

from pdpsim.cli.lens import register as _register_lens  # noqa: E402  (pdpsim lens SCRIPT)

_register_lens(main)

from pdpsim.cli.course import register as _register_course  # noqa: E402  (pdpsim course DIR)

_register_course(main)


if __name__ == "__main__":  # pragma: no cover
    main()
