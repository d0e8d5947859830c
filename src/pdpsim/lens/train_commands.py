"""The Lens shell's training and testing commands.

:class:`TrainCommands` holds ``train``, the algorithm commands (``steepest``, ``momentum``,
``dougsMomentum``, ``deltaBarDelta``), ``updateWeights``, ``test``, ``resetNet``,
``resetDerivs`` and ``doExample``: it reads their options and runs
:mod:`pdpsim.lens.train`'s loops on the current network, printing through the shell and
running its hooks.
"""
from __future__ import annotations

from pdpsim.lens.commands import Commands, _is_integer, _opt
from pdpsim.lens.functions import LensError
from pdpsim.lens.train import ALGORITHMS, do_example, test, train


class TrainCommands(Commands):
    """Lens's training and testing commands."""

    # ------------------------------------------------------------------ training
    def c_train(self, *args):
        usage = "train [<num-updates>] [-report <report-interval> | -algorithm <algorithm> | -setOnly]"
        net = self._need_net("train")
        a = 0
        if args and _is_integer(args[0]) and args[0]:
            net.params["numUpdates"] = int(args[0])
            a = 1
        only_set = False
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "s":
                only_set = True
                a += 1
                continue
            if o not in ("r", "a", "n") or a + 1 >= len(args):
                raise self._usage("train", usage)
            v = args[a + 1]
            if o == "r":
                net.params["reportInterval"] = self._int(v, "train -report")
            elif o == "n":                                   # pdpsim: train -n <updates>
                net.params["numUpdates"] = self._int(v, "train -n")
            else:
                if v not in ALGORITHMS:
                    raise LensError(f"train: unrecognized algorithm: {v} (algorithms: {', '.join(ALGORITHMS)})")
                net.algorithm = v
            a += 2
        if a != len(args):
            raise self._usage("train", usage)
        if only_set:
            return ""
        out = train(net, self.write, self.run_proc, self.verbosity)
        return out.result

    def _algorithm_command(self, name, args):
        if list(args) == ["-h"]:
            raise LensError(f"{name} -h: help is not implemented in pdpsim")
        return self.c_train(*args, "-a", name)

    def c_steepest(self, *args):
        return self._algorithm_command("steepest", args)

    def c_momentum(self, *args):
        return self._algorithm_command("momentum", args)

    def c_dougsMomentum(self, *args):
        return self._algorithm_command("dougsMomentum", args)

    def c_deltaBarDelta(self, *args):
        return self._algorithm_command("deltaBarDelta", args)

    def c_updateWeights(self, *args):
        usage = "updateWeights [-algorithm <algorithm> | -noreset | -report]"
        net = self._need_net("updateWeights")
        alg, reset, report = net.algorithm, True, False
        a = 0
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "n":
                reset = False
            elif o == "r":
                report = True
            elif o == "a" and a + 1 < len(args):
                if args[a + 1] not in ALGORITHMS:
                    raise LensError(f"updateWeights: unrecognized algorithm: {args[a + 1]}")
                alg = args[a + 1]
                a += 1
            else:
                raise self._usage("updateWeights", usage)
            a += 1
        net.update_weights(alg, report)
        self.run_proc("postUpdateProc")
        if report and self.verbosity >= 1:
            from pdpsim.lens.train import format_time, smart_format
            self.write("%7d)  " % net.total_updates + smart_format(net.error) + "  " + smart_format(net.output_cost)
                       + "  " + smart_format(net.weight_cost) + "  " + smart_format(net.gradient_linearity) + "  "
                       + " " + format_time(0) + "   " + format_time(0) + "\n")
        if reset:
            self.c_resetDerivs()
        return ""

    def c_test(self, *args):
        usage = "test [<num-examples>] [-noreset | -return]"
        net = self._need_net("test")
        if len(args) > 2:
            raise self._usage("test", usage)
        a, num, reset, printing = 0, 0, True, True
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1
        for arg in args[a:]:
            if arg.startswith("-n"):
                reset = False
            elif arg.startswith("-r"):
                printing = False
            else:
                raise self._usage("test", usage)
        out = test(net, num, reset)
        for k, v in out.variables.items():
            self.tcl.call("set", f"::Test({k})", v)
        if printing:
            if self.verbosity >= 1:
                self.write(out.text + "\n")
            return ""
        return out.text

    def c_resetNet(self, *args):
        if args:
            raise self._usage("resetNet", "resetNet")
        self._need_net("resetNet").reset(self.rand)
        return ""

    def c_resetDerivs(self, *args):
        net = self._need_net("resetDerivs")
        for g in net.groups.values():
            k = ~g.lesioned                          # Lens's resetDerivs skips lesioned units
            g.state["outputDeriv"][k] = 0.0
            g.state["inputDeriv"][k] = 0.0
            g.gain_deriv[k] = 0.0
            for b in g.blocks:
                b.block.weight_deriv[:, k] = 0.0
        return ""

    def c_doExample(self, *args):
        usage = "doExample [<example-num>] [-set <example-set> | -train | -test]"
        net = self._need_net("doExample")
        a, num, S, testing = 0, -1, None, False
        training = net.run_train
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "s" and a + 1 < len(args):
                if args[a + 1] not in self.sets:
                    raise LensError(f'doExample: example set "{args[a + 1]}" doesn\'t exist')
                S = self.sets[args[a + 1]]
                a += 2
                continue
            if o == "t" and args[a][1:3] == "tr":
                training, testing = True, False
            elif o == "t" and args[a][1:3] == "te":
                training, testing = False, True
            else:
                raise self._usage("doExample", usage)
            a += 1
        if a != len(args):
            raise self._usage("doExample", usage)
        net.run_train = training              # Lens keeps the mode for later doExamples
        if S is None:
            if net.training_set is not None and (net.testing_set is None or not testing):
                S = net.training_set
            elif net.testing_set is not None:
                S = net.testing_set
            else:
                raise LensError("doExample: there are no current example sets")
        do_example(net, S, num, training)
        return ""
