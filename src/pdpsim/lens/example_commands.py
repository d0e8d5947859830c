"""The Lens shell's example-set commands: ``loadExamples``, ``useTrainingSet``, ``exampleSetMode``, ...

:class:`ExampleCommands` loads example files against the current network's groups (as
Lens reads them: 32-bit reals), replaces or appends to sets, and chooses a network's
training and testing sets. ``doExample`` is with the training commands
(:mod:`~pdpsim.lens.train_commands`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pdpsim.formats.lens_examples import parse_example_records, read_example_records
from pdpsim.lens.commands import Commands
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
        opts, _ = self._options("loadExamples", usage, args, 1, valued={
            "s": _set_name, "n": lambda v: self._int(v, "loadExamples -num"), "e": _example_mode, "m": _load_mode})
        set_name, num, exmode, mode = opts.get("s"), opts.get("n", 0), opts.get("e", "ORDERED"), opts.get("m", 0)
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
        existing = self.sets.get(set_name)
        if existing is None or mode != 0:
            header, records = _read_records(path)
            if num > 0:
                records = records[:num]
            if existing is not None and mode == 2:       # APPEND: after the set's own examples
                header, records = existing.header, existing.records + records
            code = header.get("proc")
            if code and str(code).strip():      # Lens runs a set's proc: as it reads the file
                self.tcl.setvar("::pdpsim::hook", str(code))
                if self.tcl.eval("catch {uplevel #0 $::pdpsim::hook} ::pdpsim::hookmsg") == "1":
                    raise LensError(f"loadExamples: the proc of set '{set_name}': "
                                    f"{self.tcl.getvar('::pdpsim::hookmsg')}")
            S = LensExampleSet(set_name, header, records, self.rand, str(path), layout=self._example_layout)
            if net is not None and _named_groups(records) <= set(net.groups):
                S.examples                      # every group is there: check the file against it now
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
        if net is not None:
            if net.training_set is None:
                net.training_set = S
            elif net.testing_set is None:
                net.testing_set = S
        return set_name

    def _example_layout(self):
        """The current network's input and output groups (name -> units): what a set's examples
        are applied to (None without a network)."""
        net = self.net
        if net is None:
            return None
        return ({g.name: g.size for g in net.input_groups}, {g.name: g.size for g in net.output_groups})

    def c_moveExamples(self, *args):
        usage = ("moveExamples <example-set1> <example-set2>\n"
                 "\t([<first-example> [<num-examples>]] | <proportion> | ) [-copy]")
        if len(args) < 2 or len(args) > 5:
            raise self._usage("moveExamples", usage)
        if not args[1]:
            raise LensError("moveExamples: example set must have a real name")
        src = self.sets.get(args[0])
        if src is None:
            raise LensError(f'moveExamples: example set "{args[0]}" doesn\'t exist')
        args = list(args)
        copy = False
        if args[-1][:2] == "-c":
            copy = True
            args.pop()
        first, num, proportion = 0, 0, 1.0
        if len(args) > 2:
            first = _tcl_int(args[2])
            if len(args) == 4:
                num = _tcl_int(args[3])
            elif len(args) == 3:
                # Lens: an argument that reads as the integer 0 or 1 only by failing is a proportion
                if (first == 0 and args[2] != "0") or (first == 1 and args[2] != "1"):
                    proportion = self._real(args[2], "moveExamples")
                else:
                    num = 1
        n = len(src)
        if first < 0 or num < 0 or first + num > n:
            raise LensError(f"moveExamples: example indices ({first}, {num}) out of bounds")
        if num == 0 and not 0.0 <= proportion <= 1.0:
            raise LensError(f"moveExamples: proportion ({proportion:f}) must be in the range [0,1]")
        dst = self.sets.get(args[1])
        if dst is None:
            dst = LensExampleSet(args[1], src.header, [], self.rand, src.path, layout=self._example_layout)
            dst.params = dict(src.params)
            self.sets[args[1]] = dst
        marked = np.zeros(n, dtype=bool)
        if num > 0:
            marked[first:first + num] = True
        else:
            tomark = int(n * proportion)
            i = 0
            while tomark:
                if self.rand.rand_prob() < tomark / (n - i):   # Lens: (real) tomark / (n - i)
                    marked[i] = True
                    tomark -= 1
                    num += 1
                i += 1
        moved = [r for r, m in zip(src.records, marked) if m]
        if copy:
            moved = [_copy_record(r) for r in moved]
        dst.records.extend(moved)
        dst.compile()
        if not copy:
            src.records = [r for r, m in zip(src.records, marked) if not m]
            src.current = -1
            src.compile()
        net = self.net
        if net is not None and net.training_set is src and net.testing_set is None:
            net.testing_set = dst
        return str(num)

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


def _set_name(name: str) -> str:
    """The example set of ``loadExamples -set``: a real name."""
    if not name:
        raise LensError("loadExamples: example set must have a real name")
    return name


def _example_mode(mode: str) -> str:
    """The example mode of ``loadExamples -exmode``."""
    if mode not in LensExampleSet.MODES:
        raise LensError(f'loadExamples: invalid example mode: "{mode}" (pdpsim: '
                        f'{", ".join(LensExampleSet.MODES)})')
    return mode


def _load_mode(mode: str) -> int:
    """``loadExamples -mode``: 1 for REPLACE, 2 for APPEND (Lens reads the first letter)."""
    if mode[:1] == "R":
        return 1
    if mode[:1] == "A":
        return 2
    if mode[:1] == "P":
        raise LensError("loadExamples: reading examples from a pipe (-mode PIPE) is not implemented")
    raise LensError(f"loadExamples: invalid mode name: {mode}.  Try REPLACE, APPEND, or PIPE.")


def _read_records(path: str):
    """The set fields and example records of an example file, or of the output of a command
    (``|command``, as Lens reads a file name starting with ``|``: the rest runs in a shell)."""
    if path.startswith("|"):
        import subprocess
        run = subprocess.run(path[1:], shell=True, capture_output=True)
        if run.returncode != 0 and not run.stdout:
            raise LensError(f"loadExamples: the command \"{path[1:]}\" failed: "
                            f"{run.stderr.decode(errors='replace').strip()}")
        return parse_example_records(run.stdout, path)
    header, records, _ = read_example_records(path)
    return header, records


def _named_groups(records) -> set[str]:
    """The groups an example file's ranges name."""
    names = set()
    for r in records:
        for ev in r.events:
            for ranges in (ev.inputs, ev.targets):
                for rg in ranges or ():
                    if rg.group is not None:
                        names.add(rg.group)
    return names


def _copy_record(r):
    """A copy of an example record (moveExamples -copy): its events and ranges are its own."""
    import copy
    return copy.deepcopy(r)


def _tcl_int(text: str) -> int:
    """Tcl_GetIntFromObj as Lens calls it, not checking the result: the integer, else 0."""
    try:
        return int(text.strip(), 0) if text.strip()[:2].lower() in ("0x", "0o", "0b") else int(text.strip())
    except ValueError:
        return 0
