"""The Lens shell's training and testing commands.

:class:`TrainCommands` holds ``train``, the algorithm commands (``steepest``, ``momentum``,
``dougsMomentum``, ``deltaBarDelta``), ``updateWeights``, ``test``, ``resetNet``,
``resetDerivs`` and ``doExample``: it reads their options and runs
:mod:`pdpsim.lens.train`'s loops on the current network, printing through the shell and
running its hooks.
"""
from __future__ import annotations

from pdpsim.lens.commands import Commands, _is_integer
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

        def report(v):
            net.params["reportInterval"] = self._int(v, "train -report")

        def updates(v):                                     # pdpsim: train -n <updates>
            net.params["numUpdates"] = self._int(v, "train -n")

        def algorithm(v):
            if v not in ALGORITHMS:
                raise LensError(f"train: unrecognized algorithm: {v} (algorithms: {', '.join(ALGORITHMS)})")
            net.algorithm = v

        opts, _ = self._options("train", usage, args, a, flags=("s",),
                                valued={"r": report, "a": algorithm, "n": updates})
        if "s" in opts:
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

        def algorithm(v):
            if v not in ALGORITHMS:
                raise LensError(f"updateWeights: unrecognized algorithm: {v}")
            return v

        # arguments after the options are left unread
        opts, _ = self._options("updateWeights", usage, args, flags=("n", "r"), valued={"a": algorithm}, rest=True)
        alg, reset, report = opts.get("a", net.algorithm), "n" not in opts, "r" in opts
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
        a, num = 0, 0
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1
        opts, _ = self._options("test", usage, args, a, flags=("n", "r"))
        reset, printing = "n" not in opts, "r" not in opts
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
        a, num, testing = 0, -1, False
        training = net.run_train
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1

        def example_set(v):
            if v not in self.sets:
                raise LensError(f'doExample: example set "{v}" doesn\'t exist')
            return self.sets[v]

        opts, _ = self._options("doExample", usage, args, a, flags=("tr", "te"), valued={"s": example_set})
        S = opts.get("s")
        modes = [k for k in opts if k in ("tr", "te")]
        if modes:                                       # -train / -test: the last one given
            training, testing = modes[-1] == "tr", modes[-1] == "te"
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
