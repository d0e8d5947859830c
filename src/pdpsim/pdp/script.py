"""Running PDP handbook command scripts (``.str``) for the ``bp`` program.

A script is a text file of the commands one would type at the ``bp:`` prompt::

    get network xor.net        get patterns xor.pat       get weights xor.wts
    set nepochs 300            set ecrit .04              set param lrate .5
    set mode lgrain epoch      ptrain                     tall
    save weights xor.wts       quit

As in ``bp``, words are matched exactly or by an unambiguous prefix (``pt``
is ``ptrain``); a command may be followed by another on the same line; its
arguments must be on its own line. ``#`` starts a comment line (an
extension). ``set`` takes the handbook's menus (``set param lrate .5``,
``set mode lgrain epoch``, ``set nepochs 30``), and, as an extension, any
variable without its menu (``set lrate .5``, ``set mom .9``).

Commands
--------
``get network|patterns|weights FILE``, ``save weights FILE`` (also
``save wts``; a ``*`` in the name becomes the epoch number), ``set ...``,
``tall`` (test all: one line per pattern, then tss), ``test PATTERN``,
``ptrain`` / ``strain`` (``nepochs`` epochs in permuted / sequential order,
stopping once ``tss < ecrit``; one line per epoch, or only the last with
``set stepsize nepochs``), ``cycle`` (cascade mode: ``ncycles`` more
cycles), ``get unames NAME ... end``, ``reset`` (the starting weights again,
from ``seed``), ``newstart`` (a new seed, then reset), ``do FILE [N]`` (run
another script N times), ``clear`` (nothing to clear here), ``quit``.

Variables: ``nepochs`` (500), ``ecrit`` (0), ``lflag`` (1: learn),
``seed``, ``stepsize`` (epoch), ``lrate`` (0.5), ``momentum`` (0.9),
``wrange`` (1), ``tmax`` (1), ``lgrain`` (pattern: change the weights after
every pattern; epoch: after every epoch), ``epochno``, ``cascade`` (0),
``ncycles`` (50), ``crate`` (0.05), ``mu`` (0.5: copied inputs).
``dlevel``, ``slevel``, ``single``, ``follow`` and ``maxconstraints`` are
accepted and have no effect (the screen; ``follow`` only shows gcor).
``seed`` and ``wrange`` take effect at the next ``get network`` or
``reset``, as in ``bp``.

Training is pdpsim's: :func:`pdpsim.training.loop.train` with the ``momentum``
rule (dw = lrate * delta * a + momentum * dw_prev, the handbook's
``change_weights``), batch size 1 (``lgrain pattern``) or the whole set
(``lgrain epoch``), on the network that
:meth:`pdpsim.formats.pdp_handbook.NetFile.build` makes (``SUM_SQUARED``
with error scale 1/2, so tss is twice pdpsim's error; see that module).
Cascade mode, linked weights, copied inputs (``-k`` in a ``.pat`` file),
``p``/``n`` weights and links from later units run ``bp``'s own loop over
units instead (:mod:`pdpsim.pdp.bp`; :attr:`PdpSession.engine`).

Files named in a script are read relative to the script's folder (a name
that differs only in upper/lower case is found too, as on the DOS disks the
handbook came on) and written inside ``out_dir`` (default: the current folder;
a name leading out of it, with ``..``, ``~`` or an absolute path, is refused). Not supported: the screen (``disp``, ``exam``, templates in
``.tem`` files), ``log``, ``run``.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim.formats.pdp_handbook import NetFile, Patterns, load_weights, read_net, read_patterns, save_weights
from pdpsim.model.network import Network
from pdpsim.pdp.bp import BpEngine, engine_reasons
from pdpsim.pdp.commands import BpCommands
from pdpsim.training.params import TrainingParams
from pdpsim.training.testing import test as run_test
from pdpsim.training.loop import train
from pdpsim.validation import PdpError, TrainingFailed, readable_file

Echo = Callable[[str], None]


class _Quit(Exception):
    pass


@dataclass(frozen=True)
class _Var:
    menu: str                       # "" (set), "param", "mode", "config", "state"
    kind: str                       # int, float, flag, choice
    default: object
    choices: tuple[str, ...] = ()
    effect: bool = True             # False: accepted, no effect in pdpsim


VARIABLES: dict[str, _Var] = {
    "nepochs": _Var("", "int", 500),
    "ecrit": _Var("", "float", 0.0),
    "lflag": _Var("", "flag", 1),
    "seed": _Var("", "int", None),
    "stepsize": _Var("", "choice", "epoch", ("update", "cycle", "ncycles", "pattern", "epoch", "nepochs")),
    "single": _Var("", "flag", 0, effect=False),
    "dlevel": _Var("", "int", 1, effect=False),
    "slevel": _Var("", "int", 1, effect=False),
    "ncycles": _Var("", "int", 50),
    "maxconstraints": _Var("", "int", 100, effect=False),
    "lrate": _Var("param", "float", 0.5),
    "momentum": _Var("param", "float", 0.9),
    "wrange": _Var("param", "float", 1.0),
    "tmax": _Var("param", "float", 1.0),
    "mu": _Var("param", "float", 0.5),
    "crate": _Var("param", "float", 0.05),
    "lgrain": _Var("mode", "choice", "pattern", ("epoch", "pattern")),
    "follow": _Var("mode", "flag", 0, effect=False),
    "cascade": _Var("mode", "flag", 0),
    "nunits": _Var("config", "int", 0),
    "ninputs": _Var("config", "int", 0),
    "noutputs": _Var("config", "int", 0),
    "epochno": _Var("state", "int", 0),
}
MENUS = ("config", "env", "mode", "param", "state")
COMMANDS = ("get", "save", "set", "tall", "test", "ptrain", "strain", "cycle", "reset", "newstart", "do", "clear",
            "quit")
_UNSUPPORTED = {
    "disp": "the handbook's screen display", "exam": "the handbook's screen display",
    "log": "logging the screen to a file", "run": "running shell commands",
}


def _match(word: str, names, what: str) -> str:
    """The handbook's rule: an exact name, else the one name ``word`` begins."""
    if word in names:
        return word
    hits = [n for n in names if n.startswith(word)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise PdpError(f"ambiguous {what} '{word}'; choose one of: {', '.join(hits)}")
    raise PdpError(f"unknown {what} '{word}'; expected one of: {', '.join(names)}")


class PdpSession(BpCommands):
    """The state of a ``bp`` session: network, patterns, variables, epoch count.

    Attributes
    ----------
    netfile : NetFile or None        the parsed ``.net`` file
    net : Network or None            the pdpsim network built from it
    patterns : Patterns or None
    epochno : int                    epochs trained since the last reset
    tss : float                      total sum of squares of the last tall/test/epoch (no 1/2)
    history : list of (epoch, tss)   every epoch trained
    last_test : list of (name, outputs, pss)   the patterns of the last tall/test
    traces : list of (name, array)   cascade mode: per pattern of the last tall/test, every unit's
                                     activation at the resting state and after each cycle
                                     (ncycles + 1, nunits)
    unames : list of str             names from 'get unames' (labels of the groups' units)
    engine : BpEngine or None        bp's own loop, when the network or mode needs it (pdpsim.pdp.bp)
    """

    def __init__(self, echo: Echo | None = print, base_dir=None, out_dir=None, seed: int | None = None):
        self.echo = echo or (lambda s: None)
        self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self.out_dir = Path(out_dir) if out_dir is not None else Path.cwd()
        self.vars: dict[str, object] = {k: v.default for k, v in VARIABLES.items()}
        self.vars["seed"] = int(seed) if seed is not None else int(np.random.default_rng().integers(2 ** 31))
        self.netfile: NetFile | None = None
        self.net: Network | None = None
        self.patterns: Patterns | None = None
        self.epochno = 0
        self.tss = 0.0
        self.history: list[tuple[int, float]] = []
        self.last_test: list[tuple[str, np.ndarray, float]] = []
        self.traces: list[tuple[str, np.ndarray]] = []
        self.unames: list[str] = []
        self.engine: BpEngine | None = None
        self._names: list[str] | None = None          # inside 'get unames' (names may go on over lines)
        self._depth = 0

    # ------------------------------------------------------------ scripts
    def run_file(self, path, times: int = 1) -> "PdpSession":
        """Execute a script ``times`` times (``quit`` ends it)."""
        p = readable_file(path, "script")
        lines = p.read_text(errors="replace").splitlines()
        if self._depth > 20:
            raise PdpError(f"{p.name}: scripts nested more than 20 deep (a 'do' loop?)")
        self._depth += 1
        saved = self.base_dir
        self.base_dir = p.parent
        try:
            for _ in range(times):
                for ln, line in enumerate(lines, 1):
                    try:
                        self.execute(line)
                    except PdpError as e:
                        raise PdpError(f"{p.name}, line {ln}: {e}") from None
                    except TrainingFailed as e:                    # it diverged
                        raise TrainingFailed(f"{p.name}, line {ln}: {e}") from None
                if self._names is not None:
                    self._names = None
                    raise PdpError(f"{p.name}, line {len(lines)}: the script ends inside 'get unames'; "
                                   "expected the unit names, then end")
        finally:
            self._depth -= 1
            self.base_dir = saved
        return self

    def execute(self, line: str) -> None:
        """Execute one line of commands."""
        if line.lstrip().startswith("#"):
            return
        words = line.split()
        if self._names is not None:
            words = self._unames(words)
        while words:
            words = self._command(words)

    def _command(self, words: list[str]) -> list[str]:
        word = words[0].lower()
        if word in _UNSUPPORTED:
            raise PdpError(f"command '{words[0]}' ({_UNSUPPORTED[word]}) is not supported by pdpsim")
        cmd = _match(word, COMMANDS, "command")
        rest = words[1:]
        if cmd in ("get", "save"):
            subs = ("network", "patterns", "weights") if cmd == "get" else ("weights",)
            if not rest:
                raise PdpError(f"'{cmd}' needs what to {cmd} ({', '.join(subs)}) and a file name")
            sub = "weights" if cmd == "save" and rest[0].lower() == "wts" else rest[0].lower()
            if cmd == "get" and sub.startswith("un"):
                self._need_network("get unames")
                self._names = []
                return self._unames(rest[1:])
            sub = _match(sub, subs, f"'{cmd}' item")
            if len(rest) < 2:
                raise PdpError(f"'{cmd} {sub}' needs a file name")
            getattr(self, f"{cmd}_{sub}")(rest[1])
            return rest[2:]
        if cmd == "set":
            return self._set(rest)
        if cmd == "test":
            if not rest:
                raise PdpError("'test' needs a pattern (its name or number)")
            self.test(rest[0])
            return rest[1:]
        if cmd == "do":
            if not rest:
                raise PdpError("'do' needs a script file name")
            times, used = 1, 1
            if len(rest) > 1 and rest[1].isdigit():
                times, used = int(rest[1]), 2
            self.run_file(self._read_path(rest[0], "script"), times)
            return rest[used:]
        if cmd == "quit":
            raise _Quit()
        if cmd != "clear":
            getattr(self, cmd)()
        return rest

    # ------------------------------------------------------------ variables
    def _set(self, words: list[str]) -> list[str]:
        if not words:
            raise PdpError("'set' needs a variable and a value")
        menu = ""
        if len(words) >= 3 and words[0].lower() not in VARIABLES:
            try:
                menu = _match(words[0].lower(), MENUS, "'set' menu")
                words = words[1:]
            except PdpError:
                menu = ""
        if len(words) < 2:
            raise PdpError(f"'set {' '.join(words)}' needs a value")
        names = [n for n, v in VARIABLES.items() if not menu or v.menu == menu]
        if not names:
            raise PdpError(f"'set {menu}' has no variables that pdpsim supports")
        name = _match(words[0].lower(), names, f"variable{' in set ' + menu if menu else ''}")
        self.set_variable(name, words[1])
        return words[2:]

    def set_variable(self, name: str, value) -> None:
        """Set a variable (by its full name) from a string or number."""
        v = VARIABLES[name]
        text = str(value)
        if v.menu == "config":
            raise PdpError(f"{name} is set by the network file, not by 'set'")
        if v.kind in ("int", "flag"):
            try:
                x = int(text)
            except ValueError:
                raise PdpError(f"{name}: expected an integer, got {text!r}") from None
            if x < 0 or (v.kind == "flag" and x not in (0, 1)):
                raise PdpError(f"{name}: expected {'0 or 1' if v.kind == 'flag' else 'an integer >= 0'}, got {x}")
            if name == "epochno":
                self.epochno = x
            self.vars[name] = x
        elif v.kind == "float":
            try:
                x = float(text)
            except ValueError:
                raise PdpError(f"{name}: expected a number, got {text!r}") from None
            if not np.isfinite(x) or (x < 0 and name != "tmax"):
                raise PdpError(f"{name}: expected a finite number >= 0, got {text}")
            self.vars[name] = x
        else:
            self.vars[name] = _match(text.lower(), v.choices, f"value for {name}")

    # ------------------------------------------------------------ files
    def _read_path(self, name: str, what: str) -> Path:
        p = Path(name).expanduser()
        if not p.is_absolute():
            p = self.base_dir / p
        try:
            other_case = not p.exists() and p.parent.is_dir()
        except OSError:                      # a name the system refuses: readable_file says why
            other_case = False
        if other_case:
            same = [q for q in p.parent.iterdir() if q.name.lower() == p.name.lower()]
            if same:
                p = same[0]
        return readable_file(p, what)

    def _write_path(self, name: str) -> Path:
        """Where a script's ``save`` writes: inside ``out_dir`` only (a script is code from a file:
        it may not write elsewhere, through ``..``, an absolute path or a link)."""
        name = name.replace("*", str(self.epochno))
        p = Path(name)
        root = self.out_dir.resolve()
        target = (root / p).resolve()
        if p.is_absolute() or name.startswith("~") or not target.is_relative_to(root):
            raise PdpError(f"{name}: a script writes only inside its output folder ({self.out_dir}); "
                           "give a file name without '..', '~' or a leading '/'")
        return target

    def get_network(self, name: str) -> None:
        nf = read_net(self._read_path(name, "network file"))
        for var, (value, line) in nf.variables.items():
            try:
                key = _match(var.lower(), list(VARIABLES), "variable")
                self.set_variable(key, value)
            except PdpError as e:
                raise PdpError(f"{nf.source}, line {line}: {e}") from None
        self.netfile, self.patterns, self.unames = nf, None, []
        self.reset()

    def get_patterns(self, name: str) -> None:
        nf = self._need_network("get patterns")
        self.patterns = read_patterns(self._read_path(name, "pattern file"), nf.ninputs, nf.noutputs)

    def get_weights(self, name: str) -> None:
        nf = self._need_network("get weights")
        load_weights(nf, self.net, self._read_path(name, "weight file"))

    def save_weights(self, name: str) -> None:
        nf = self._need_network("save weights")
        save_weights(nf, self.net, self._write_path(name))

    def _need_network(self, what: str) -> NetFile:
        if self.netfile is None:
            raise PdpError(f"'{what}': no network yet; expected 'get network FILE' first")
        return self.netfile

    def _patterns(self, what: str) -> Patterns:
        self._need_network(what)
        if self.patterns is None:
            raise PdpError(f"'{what}': no patterns yet; expected 'get patterns FILE' first")
        return self.patterns

    def _examples(self, what: str):
        return self._patterns(what).to_examples(self.netfile, tmax=float(self.vars["tmax"]))

    # ------------------------------------------------------------ commands
    def reset(self) -> None:
        """Draw the starting weights again from ``seed`` and ``wrange``; epoch 0."""
        nf = self._need_network("reset")
        seed = int(self.vars["seed"])
        self.net = nf.build(seed=seed, wrange=float(self.vars["wrange"]))
        self.net.randomize(seed)
        self.engine = None
        if engine_reasons(nf):                      # linked weights start equal; activations at 0
            self._engine("reset").tie()
        self._label_units()
        self.epochno, self.tss = 0, 0.0
        self.vars["epochno"] = 0
        self.history.clear()

    def newstart(self) -> None:
        """A new random seed, then :meth:`reset`."""
        self.vars["seed"] = int(np.random.default_rng().integers(2 ** 31))
        self.reset()

    def _report(self, names, outputs: np.ndarray, pss: np.ndarray) -> None:
        self.last_test = [(n, o.copy(), float(p)) for n, o, p in zip(names, outputs, pss)]
        width = max(len(n) for n in names)
        for n, o, p in self.last_test:
            self.echo(f"{n:<{width}}  {' '.join(f'{a:.3f}' for a in o)}  pss {p:.4f}")

    def _outputs(self, result) -> np.ndarray:
        return np.concatenate([result.outputs[g.name] for g in self.net.output_groups], axis=1)

    def tall(self) -> float:
        """Test every pattern in order, without learning; echo each and the tss."""
        pats = self._patterns("tall")
        eng = self._engine("tall")
        if eng is not None:
            traces = [] if self.vars["cascade"] else None
            outs, pss = eng.test(pats, range(len(pats)), self._params(), traces)
            self.traces = traces or []
            self._report(pats.names, outs, pss)
        else:
            xs = self._examples("tall")
            r = run_test(self.net, xs)
            pss = 2.0 * np.asarray(r.errors)                # pdpsim's E has the 1/2; pss has none
            self._report(xs.names, self._outputs(r), pss)
        self.tss = float(pss.sum())
        self.echo(f"tss {self.tss:.4f}")
        return self.tss

    def test(self, pattern: str) -> float:
        """Test one pattern (name, name prefix or number); tss becomes its pss.

        In cascade mode every cycle is echoed first (``bp`` shows each cycle of a test)."""
        pats = self._patterns("test")
        k = pats.index(pattern)
        eng = self._engine("test")
        if eng is not None:
            traces = [] if self.vars["cascade"] else None
            outs, pss = eng.test(pats, [k], self._params(), traces)
            self.traces = traces or []
            for name, trace in self.traces:
                self._echo_cycles(name, trace, 0)
            self._report([pats.names[k]], outs, pss)
        else:
            one = self._examples("test").subset([k])
            r = run_test(self.net, one)
            pss = 2.0 * np.asarray(r.errors)
            self._report(one.names, self._outputs(r), pss)
        self.tss = float(pss[0])
        return self.tss

    def ptrain(self) -> float:
        """Train ``nepochs`` epochs, patterns in a new random order each epoch."""
        return self._train("permuted", "ptrain")

    def strain(self) -> float:
        """Train ``nepochs`` epochs, patterns in file order."""
        return self._train("ordered", "strain")

    def _train(self, order: str, what: str) -> float:
        pats = self._patterns(what)
        eng = self._engine(what)
        xs = None if eng is not None else self._examples(what)
        v = self.vars
        every = v["stepsize"] != "nepochs"
        ecrit = float(v["ecrit"])

        def epoch_done(tss: float) -> bool:
            self.epochno += 1
            self.vars["epochno"] = self.epochno
            self.tss = tss
            self.history.append((self.epochno, tss))
            if every:
                self.echo(f"epoch {self.epochno:5d}  tss {tss:.4f}")
            return tss < ecrit

        n = int(v["nepochs"])
        if eng is not None:
            try:
                eng.train(pats, n, self._params(), order == "permuted", bool(v["lflag"]), epoch_done)
            except TrainingFailed as e:
                raise TrainingFailed(f"'{what}': {e} at epoch {self.epochno}; lower lrate") from None
        elif not v["lflag"]:
            for _ in range(n):
                if epoch_done(2.0 * run_test(self.net, xs).total_error):
                    break
        elif n:
            params = TrainingParams(algorithm="momentum", learning_rate=float(v["lrate"]),
                                    momentum=float(v["momentum"]), batch_size=1 if v["lgrain"] == "pattern" else 0,
                                    order=order, max_epochs=n)
            result = train(self.net, xs, params, callbacks=[lambda e, err, net: epoch_done(2.0 * err)])
            if result.stopped == "diverged":
                epoch_done(2.0 * result.final_error)
                raise TrainingFailed(f"'{what}': the error became {result.final_error * 2} at epoch {self.epochno}; "
                               "lower lrate")
        if not every and self.history:
            self.echo(f"epoch {self.epochno:5d}  tss {self.tss:.4f}")
        return self.tss


# ---------------------------------------------------------------- entry points
def zoo_scripts() -> list[str]:
    """The handbook scripts shipped with pdpsim (``pdpsim pdp xor``)."""
    folder = resources.files("pdpsim.zoo") / "pdp"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".str"))


def _script_path(path) -> Path:
    p = Path(path)
    if not p.is_file() and p.suffix == "":
        shipped = resources.files("pdpsim.zoo") / "pdp" / f"{p.name}.str"
        if shipped.is_file():
            return Path(str(shipped))
        raise PdpError(f"script '{path}': no such file, and no shipped script of that name "
                       f"(shipped: {', '.join(zoo_scripts())})")
    return p


def run_script(path, echo: Echo | None = print, *, out_dir=None, seed: int | None = None) -> PdpSession:
    """Run a handbook ``.str`` script and return the session it leaves.

    Parameters
    ----------
    path : str or path-like
        The script, or the name of a shipped one (``"xor"``, ``"424"``).
    echo : callable or None
        Receives each line of output (None: silent).
    out_dir : path-like, optional
        Folder for files the script saves (default: the current folder).
    seed : int, optional
        The session's starting seed (a script's ``set seed`` overrides it).

    Raises
    ------
    PdpError
        Naming the script, the line and the problem (an unknown command, a
        bad file named by the script, ...).
    TrainingFailed
        Naming the script and the line where training diverged (its error became
        NaN or infinite).
    """
    p = readable_file(_script_path(path), "script")
    session = PdpSession(echo=echo, base_dir=p.parent, out_dir=out_dir, seed=seed)
    try:
        session.run_file(p)
    except _Quit:
        pass
    return session
