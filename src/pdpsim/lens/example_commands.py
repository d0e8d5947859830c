"""The Lens shell's example-set commands: ``loadExamples``, ``useTrainingSet``, ``exampleSetMode``, ...

:class:`ExampleCommands` loads example files against the current network's groups (as
Lens reads them: 32-bit reals), replaces or appends to sets, and chooses a network's
training and testing sets. ``doExample`` is with the training commands
(:mod:`~pdpsim.lens.train_commands`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.formats.lens_examples import read_examples
from pdpsim.lens.commands import Commands, _opt
from pdpsim.lens.functions import LensError
from pdpsim.lens.model import LensExampleSet


class ExampleCommands(Commands):
    """Lens's example-set commands."""

    # ------------------------------------------------------------------ example sets
    def c_loadExamples(self, *args):
        usage = ("loadExamples <file-name> [-set <example-set> | -num <num-examples> |\n"
                 "\t-exmode <example-mode> | -mode <load-mode>]")
        if not args:
            raise self._usage("loadExamples", usage)
        path = args[0]
        set_name, num, exmode, mode = None, 0, "ORDERED", 0
        a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o not in ("s", "n", "e", "m") or a + 1 >= len(args):
                raise self._usage("loadExamples", usage)
            v = args[a + 1]
            if o == "s":
                if not v:
                    raise LensError("loadExamples: example set must have a real name")
                set_name = v
            elif o == "n":
                num = self._int(v, "loadExamples -num")
            elif o == "e":
                if v not in LensExampleSet.MODES:
                    raise LensError(f'loadExamples: invalid example mode: "{v}" (pdpsim: '
                                    f'{", ".join(LensExampleSet.MODES)})')
                exmode = v
            else:
                if v[:1] == "R":
                    mode = 1
                elif v[:1] == "A":
                    mode = 2
                elif v[:1] == "P":
                    raise LensError("loadExamples: reading examples from a pipe (-mode PIPE) is not implemented")
                else:
                    raise LensError(f"loadExamples: invalid mode name: {v}.  Try REPLACE, APPEND, or PIPE.")
            a += 2
        if a != len(args):
            raise self._usage("loadExamples", usage)
        if set_name is None:
            tail = Path(path).name
            for ext in (".gz", ".Z"):
                if tail.endswith(ext):
                    tail = tail[:-len(ext)]
            for ext in (".ex", ".bex"):
                if tail.endswith(ext):
                    tail = tail[:-len(ext)]
            set_name = tail
        net = self.net
        if net is None:
            raise LensError("loadExamples: pdpsim reads an example file against the current network's groups; "
                            "create the network first")
        existing = self.sets.get(set_name)
        if existing is None or mode != 0:
            ins = {g.name: g.size for g in net.input_groups}
            outs = {g.name: g.size for g in net.output_groups}
            ex = read_examples(path, ins, outs, name=set_name)
            _as_lens_reals(ex)
            if num > 0 and num < len(ex):
                ex = ex.subset(np.arange(num), name=set_name)
            if existing is not None and mode == 2:
                ex = _concat(existing.examples, ex, set_name)
            code = ex.header.get("proc")
            if code and str(code).strip():      # Lens runs a set's proc: as it reads the file
                self.tcl.setvar("::pdpsim::hook", str(code))
                if self.tcl.eval("catch {uplevel #0 $::pdpsim::hook} ::pdpsim::hookmsg") == "1":
                    raise LensError(f"loadExamples: the proc of set '{set_name}': "
                                    f"{self.tcl.getvar('::pdpsim::hookmsg')}")
            S = LensExampleSet(set_name, ex, self.rand, str(path))
            if existing is not None:
                for n in self.nets.values():
                    if n.training_set is existing:
                        n.training_set = S
                    if n.testing_set is existing:
                        n.testing_set = S
            self.sets[set_name] = S
        S = self.sets[set_name]
        if S.mode != exmode:
            S.mode = exmode
            S.reset()
        if net.training_set is None:
            net.training_set = S
        elif net.testing_set is None:
            net.testing_set = S
        return set_name

    def _set_command(self, cmd: str, args, attr: str):
        if len(args) > 1:
            raise self._usage(cmd, f"{cmd} [<example-set>]")
        if not args:
            return " ".join(f'"{s}"' for s in self.sets)
        net = self._need_net(cmd)
        if not args[0]:
            setattr(net, attr, None)
            return ""
        if args[0] not in self.sets:
            raise LensError(f'{cmd}: example set "{args[0]}" doesn\'t exist')
        setattr(net, attr, self.sets[args[0]])
        return ""

    def c_useTrainingSet(self, *args):
        return self._set_command("useTrainingSet", args, "training_set")

    def c_useTestingSet(self, *args):
        return self._set_command("useTestingSet", args, "testing_set")

    def c_listExampleSets(self, *args):
        return " ".join(f'"{s}"' for s in self.sets)

    def c_exampleSets(self, *args):
        return self.c_listExampleSets(*args)

    def _sets(self, text: str, cmd: str) -> list[LensExampleSet]:
        names = list(self.sets) if text == "*" else self.tcl.splitlist(text)
        out = []
        for n in names:
            if n not in self.sets:
                raise LensError(f'{cmd}: example set "{n}" doesn\'t exist')
            out.append(self.sets[n])
        return out

    def c_deleteExampleSets(self, *args):
        if len(args) != 1:
            raise self._usage("deleteExampleSets", "deleteExampleSets <example-set-list>")
        for S in self._sets(args[0], "deleteExampleSets"):
            del self.sets[S.name]
            for n in self.nets.values():
                if n.training_set is S:
                    n.training_set = None
                if n.testing_set is S:
                    n.testing_set = None
        return ""

    def c_resetExampleSets(self, *args):
        if len(args) != 1:
            raise self._usage("resetExampleSets", "resetExampleSets <example-set-list>")
        for S in self._sets(args[0], "resetExampleSets"):
            S.reset()
        return ""

    def c_exampleSetMode(self, *args):
        if len(args) != 2:
            raise self._usage("exampleSetMode", "exampleSetMode <example-set-list> <mode>")
        if args[1] not in LensExampleSet.MODES:
            raise LensError(f'exampleSetMode: the example mode "{args[1]}" is not implemented in pdpsim '
                            f'({", ".join(LensExampleSet.MODES)} are)')
        for S in self._sets(args[0], "exampleSetMode"):
            S.mode = args[1]
            S.reset()
        return ""


def _as_lens_reals(ex: ExampleSet) -> None:
    """Lens reads every number of a text file as a 32-bit float (``sscanf %f``), even in
    its double-precision build: round the values the same way."""
    for d in (ex.inputs, ex.targets):
        for g, a in d.items():
            d[g] = a.astype(np.float32).astype(np.float64)
    ex.frequencies = ex.frequencies.astype(np.float32).astype(np.float64)


def _concat(a: ExampleSet, b: ExampleSet, name: str) -> ExampleSet:
    """Lens's loadExamples -mode APPEND: the examples of ``b`` after those of ``a``."""
    if set(a.inputs) != set(b.inputs) or set(a.targets) != set(b.targets) or a.max_events != b.max_events:
        raise LensError(f"loadExamples -mode APPEND: the new examples of '{name}' do not have the same groups and "
                        "events as the set's")
    cat = lambda d1, d2: {g: np.concatenate([d1[g], d2[g]]) for g in d1}  # noqa: E731
    procs = None
    if a.procs or b.procs:                      # the examples' proc: fields
        procs = list(a.procs or [None] * len(a.names)) + list(b.procs or [None] * len(b.names))
    fields = {}
    for key in set(a.event_fields) | set(b.event_fields):
        fill = None if key == "proc" else np.nan
        parts = [x.event_fields.get(key) for x in (a, b)]
        parts = [p if p is not None else np.full((len(x.names), x.max_events), fill, dtype=object if fill is None
                                                 else float) for p, x in zip(parts, (a, b))]
        fields[key] = np.concatenate(parts)
    return ExampleSet(inputs=cat(a.inputs, b.inputs), targets=cat(a.targets, b.targets),
                      names=list(a.names) + list(b.names),
                      frequencies=np.concatenate([a.frequencies, b.frequencies]),
                      n_events=np.concatenate([a.n_events, b.n_events]), name=name, header=dict(a.header),
                      procs=procs, event_fields=fields)
