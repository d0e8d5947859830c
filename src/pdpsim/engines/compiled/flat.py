"""A network as the compiled kernels see it: flat buffers and the codes of its rules.

The numpy path (:mod:`pdpsim.model.network`, :mod:`pdpsim.learning.rules`) is the
reference: one matrix product per link block per batch, which is the fastest way when a
batch is large (BLAS). When it is small (online learning, small networks) the cost is
Python's, not arithmetic's; the compiled engine then runs whole epochs inside one
compiled function, example by example, with the same rules (each group carries the codes
of its output function, error function, integrations and clamps, from the tables of
:mod:`pdpsim.functions.codes`), update rules and example orders, so the two agree to
rounding (tests check 1e-9 relative).

Supported (:func:`unsupported` says why not, otherwise): any acyclic network; plain
elementwise output functions and errors (not SOFT_MAX, COSINE or Lens's variants); NaN
targets; steepest, momentum and Doug's momentum; weight decay; per-block learning rates;
every example order and batch size. CONTINUOUS networks in time
(:class:`CompiledTimeNet`): example by example (``kernels.run_epochs_time``), or, for
batches whose examples all run the same ticks, a batch kernel that calls BLAS for each
block's product and cuts the batch into one slice per core (``kernels_time_batch``).
Anything else (target radii, delta-bar-delta, weight limits, lesions, noise, frozen
blocks, Hebb, simple recurrent networks) runs on the numpy engine. Compiled code is cached
on disk (numba ``cache=True``), so only the first run compiles. The weights are copied
into flat buffers for a run and back after it.
"""
from __future__ import annotations

import numpy as np

from pdpsim.functions import codes, log_eps
from pdpsim.functions.clamps import HardClamp
from pdpsim.functions.integrators import INTEGRATORS
from pdpsim.learning.rules import ALGORITHMS
from pdpsim.model import cores
from pdpsim.model.network import SET_FROM_OUTSIDE, Network
from pdpsim.training.criteria import as_numbers

#: the algorithms the kernels run
COMPILED_ALGORITHMS = ("steepest", "momentum", "dougs_momentum")


def available() -> bool:
    try:
        import numba  # noqa: F401  (is it installed?)
    except ImportError:
        return False
    return True


def unsupported(net: Network, params) -> str | None:
    """Why one network of ``net``'s architecture with ``params`` cannot use the kernels (None if it can)."""
    if net.time is not None and net.time.mode != "continuous":
        return "simple recurrent networks"
    if net.time is not None:
        tp = net.time
        for key, bad in (("time.early_stop", tp.early_stop is not None), ("time.tick0_clamp false", not tp.tick0_clamp),
                         ("time.integrator_lag", tp.integrator_lag), ("time.tick0_senders_zero", tp.tick0_senders_zero),
                         ("time.dt_scale", bool(tp.dt_scale)), ("time.max_ticks", tp.max_ticks is not None)):
            if bad:
                return key
    if params.rule != "backprop":
        return "the Hebb rule"
    if params.example_frequency == "scale":
        return "example_frequency: scale"
    if params.algorithm not in COMPILED_ALGORITHMS:
        return f"the {params.algorithm} algorithm"
    for g in net.groups.values():
        if g.kind in SET_FROM_OUTSIDE and not (net.time is not None and g.kind == "INPUT" and g.clamp == "SOFT"):
            if g.kind == "INPUT" and g.output_noise:
                return "input noise"
            continue
        why = codes.compiled_reason_function(g.function)
        if why:
            return why
        if g.has_targets:
            why = codes.compiled_reason_error(g.error)
            if why:
                return why
        if g.unit_mask is not None or g.output_noise:
            return "lesioned or noisy units"
        if g.has_targets and (g.target_radius > 0 or g.zero_error_radius > 0):
            return "target radii"
    for b in net.blocks:
        if b.frozen or b.mask is not None or b.min_weight is not None or b.max_weight is not None:
            return "frozen, lesioned or bounded link blocks"
    if net.dtype not in (np.float64, np.float32):
        return f"dtype {net.dtype}"
    return None


def quiet_threads() -> None:
    """Call before numba's first parallel region: its OpenMP threads then sleep between regions
    instead of spinning (unless the user set OMP_WAIT_POLICY). The batch kernel in time opens a
    region every update; spinning threads make it about 7% faster on idle cores, but when another
    process holds a core it waits for a descheduled spinner and runs up to 6x slower than one core."""
    import os
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class _Flat:
    """Weights, weight derivatives and last changes of all blocks in three flat buffers
    (of one member: an ensemble's blocks are read member by member), with the links in CSR form."""

    def _blocks(self, net: Network, groups, index: dict, params) -> None:
        """Which blocks feed each group (CSR), their ends, rates and the flat layout."""
        blocks = net.blocks
        bindex = {id(b): k for k, b in enumerate(blocks)}
        ptr, inc = [0], []
        for g in groups:
            inc.extend(bindex[id(b)] for b in g.incoming)
            ptr.append(len(inc))
        self.inc_ptr = np.array(ptr, dtype=np.int64)
        self.inc_blk = np.array(inc, dtype=np.int64)
        self.blk_src = np.array([index[b.source.name] for b in blocks], dtype=np.int64)
        self.bnf = np.array([b.weights.shape[-2] for b in blocks], dtype=np.int64)
        self.bnt = np.array([b.weights.shape[-1] for b in blocks], dtype=np.int64)
        sizes = self.bnf * self.bnt
        self.boff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.n_weights = int(sizes.sum())
        self.links = (self.inc_ptr, self.inc_blk, self.blk_src, self.boff, self.bnf, self.bnt)
        self.lr = np.array([params.learning_rate if b.learning_rate is None else b.learning_rate for b in blocks])
        self.mom = np.array([params.momentum if b.momentum is None else b.momentum for b in blocks])
        self.decay = np.array([params.weight_decay if b.weight_decay is None else b.weight_decay for b in blocks])
        self.algorithm = ALGORITHMS.index(params.algorithm)
        self.err_crit, self.out_crit = as_numbers(params.error_criterion, params.output_criterion)
        self.eps_log = log_eps(net.dtype)
        self.blocks = blocks
        self.dtype = net.dtype

    def buffers(self, members: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weights, weight derivatives, last changes) copied out of the network: (links,) or
        (members, links) for an ensemble."""
        lead = () if members is None else (members,)
        WF, DWF, LCF = (np.empty(lead + (self.n_weights,), self.dtype) for _ in range(3))
        for k, b in enumerate(self.blocks):
            sl = slice(self.boff[k], self.boff[k] + self.bnf[k] * self.bnt[k])
            WF[..., sl] = b.weights.reshape(lead + (-1,))
            LCF[..., sl] = b.last_change.reshape(lead + (-1,))
            DWF[..., sl] = b.weight_deriv.reshape(lead + (-1,))
        return WF, DWF, LCF

    def copy_back(self, WF, DWF, LCF) -> None:
        """The buffers back into the network's blocks."""
        for k, b in enumerate(self.blocks):
            sl = slice(self.boff[k], self.boff[k] + self.bnf[k] * self.bnt[k])
            b.weights[...] = WF[..., sl].reshape(b.weights.shape)
            b.last_change[...] = LCF[..., sl].reshape(b.weights.shape)
            b.weight_deriv[...] = DWF[..., sl].reshape(b.weights.shape)


def _binary_targets(groups, starts, targets: np.ndarray) -> np.ndarray:
    """Per group: it has targets and every one is 0 or 1 (or missing), so that its error may take
    the rule's binary form (``ErrorFunction.binary_value``). ``targets``: units on the last axis."""
    return np.array([bool(g.has_targets and np.all(np.isnan(y) | (y == 0.0) | (y == 1.0)))
                     for g, y in ((g, targets[..., s:s + g.size]) for g, s in zip(groups, starts))])


class CompiledNet(_Flat):
    """A feed-forward network's structure as flat arrays for the kernels."""

    def __init__(self, net: Network, inputs: dict, targets: dict, params):
        groups = net.order
        index = {g.name: i for i, g in enumerate(groups)}
        sizes = np.array([g.size for g in groups], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        U = int(sizes.sum())
        n = next(iter(inputs.values())).shape[0]
        X = np.zeros((n, U), net.dtype)
        T = np.full((n, U), np.nan, net.dtype)
        for g in groups:
            s = starts[index[g.name]]
            if g.kind == "BIAS":
                X[:, s] = 1.0
            elif g.name in inputs:
                X[:, s:s + g.size] = inputs[g.name]
        for name, t in targets.items():
            s = starts[index[name]]
            T[:, s:s + t.shape[1]] = t
        self.X, self.T = X, T
        self.g_start, self.g_size = starts, sizes
        self.g_computed = np.array([g.kind not in SET_FROM_OUTSIDE for g in groups])
        self.g_func = np.array([codes.function_code(g.function) if g.kind not in SET_FROM_OUTSIDE else -1
                                for g in groups], dtype=np.int64)
        self.g_err = np.array([codes.error_code(g.error if g.has_targets else None) for g in groups], dtype=np.int64)
        self.g_scale = np.array([g.error.error_scale if g.has_targets else 0.0 for g in groups])
        self.g_fused = np.array([bool(not g.outgoing and codes.has_fused(g.error if g.has_targets else None, g.function))
                                 for g in groups])
        self.order_groups = np.arange(len(groups), dtype=np.int64)
        self.g_binary = _binary_targets(groups, starts, T)
        self.groups = (self.g_start, self.g_size, self.g_computed, self.g_func, self.g_err, self.g_scale,
                       self.g_fused, self.order_groups, self.g_binary)
        self._blocks(net, groups, index, params)

    def run(self, WF, DWF, LCF, orders: np.ndarray | None, n_epochs: int, batch: int):
        """Up to ``n_epochs`` epochs on the buffers; orders (n_epochs, examples) or None.
        Returns (epochs run, errors, largest output distances)."""
        from pdpsim.engines.compiled.kernels import run_epochs
        errors = np.zeros(n_epochs)
        dists = np.zeros(n_epochs)
        use = orders is not None
        done = run_epochs(self.X, self.T, orders if use else np.zeros((1, 1), dtype=np.int64), n_epochs, batch,
                          self.groups, self.links, WF, DWF, LCF, (self.lr, self.mom, self.decay), self.algorithm,
                          use, self.err_crit, self.out_crit, self.eps_log, errors, dists)
        return int(done), errors, dists


class CompiledTimeNet(_Flat):
    """A CONTINUOUS network for the kernels: every example's ticks laid out in advance."""

    def __init__(self, net: Network, examples, params):
        from pdpsim.dynamics import unfolding
        unfolding.check_examples(net, examples)
        groups = list(net.groups.values())
        index = {g.name: i for i, g in enumerate(groups)}
        sizes = np.array([g.size for g in groups], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        U = int(sizes.sum())
        tt = unfolding.tables(net, examples)
        n = len(examples)
        ticks = tt.ticks.sum(axis=1).astype(np.int64)
        T = int(ticks.max())
        XS = np.full((n, T + 1, U), np.nan, net.dtype)
        TS = np.full((n, T + 1, U), np.nan, net.dtype)
        for ex in range(n):
            sc = unfolding.build_schedule(net, examples, np.array([ex]), tt.ticks, tt.grace)
            for name, x in sc.inputs.items():
                s0 = starts[index[name]]
                XS[ex, :sc.ticks + 1, s0:s0 + x.shape[-1]] = x[:, 0]
            for name, y in sc.targets.items():
                s0 = starts[index[name]]
                TS[ex, :sc.ticks + 1, s0:s0 + y.shape[-1]] = y[:, 0]
        self.XS, self.TS, self.ticks = XS, TS, ticks
        self.g_start, self.g_size = starts, sizes
        self.g_computed = np.array([g.kind in ("HIDDEN", "OUTPUT") or (g.kind == "INPUT" and g.clamp == "SOFT")
                                    for g in groups])
        none = INTEGRATORS.code("NONE")
        self.g_func = np.array([codes.function_code(g.function) if c else -1
                                for g, c in zip(groups, self.g_computed)], dtype=np.int64)
        self.g_in_integ = np.array([codes.integration_code(g.integration) if g.integration == "IN_INTEGR" else none
                                    for g in groups], dtype=np.int64)
        self.g_out_integ = np.array([codes.integration_code(g.integration) if g.integration == "OUT_INTEGR" else none
                                     for g in groups], dtype=np.int64)
        self.g_clamp = np.array([codes.clamp_code(g.clamp) for g in groups], dtype=np.int64)
        # tick 0: hard-clamped groups take their first inputs (time.tick0_clamp), the others rest
        self.g_clamp0 = np.array([codes.clamp_code(HardClamp.name if g.clamp == HardClamp.name else None)
                                  for g in groups], dtype=np.int64)
        self.g_strength = np.array([g.clamp_strength for g in groups])
        self.g_init_out = np.array([1.0 if g.kind == "BIAS" else unfolding.initial_output(g) for g in groups])
        self.g_init_in = np.array([1.0 if g.kind == "BIAS" else g.init_input for g in groups])
        self.g_err = np.array([codes.error_code(g.error if g.has_targets else None) for g in groups], dtype=np.int64)
        self.g_scale = np.array([g.error.error_scale if g.has_targets else 0.0 for g in groups])
        self.g_binary = _binary_targets(groups, starts, TS)
        self.groups = (self.g_start, self.g_size, self.g_computed, self.g_func, self.g_in_integ, self.g_out_integ,
                       self.g_clamp, self.g_clamp0, self.g_strength, self.g_init_out, self.g_init_in, self.g_err,
                       self.g_scale, self.g_binary)
        self._blocks(net, groups, index, params)
        self.dt = net.time.dt
        self.tick_scale = self.dt if net.time.error_scale_per_tick else 1.0

    @property
    def same_ticks(self) -> bool:
        """Whether every example runs the same number of ticks (the batch kernel needs it)."""
        return bool((self.ticks == self.ticks[0]).all())

    def run(self, WF, DWF, LCF, orders, n_epochs, batch, slices: int | None = None, lr: np.ndarray | None = None):
        """Up to ``n_epochs`` epochs on the buffers (see :meth:`CompiledNet.run`). Batches whose
        examples all run the same ticks go through the batch kernel, cut into ``slices`` (default:
        one per core); otherwise example by example. ``lr``: per-block rates other than the network's."""
        from pdpsim.engines.compiled.kernels import run_epochs_time
        errors = np.zeros(n_epochs)
        dists = np.zeros(n_epochs)
        use = orders is not None
        if orders is None:
            orders = np.zeros((1, 1), dtype=np.int64)
        rates = (self.lr if lr is None else lr, self.mom, self.decay)
        if batch > 1 and self.same_ticks:         # batches: BLAS products per block, slices over the cores
            quiet_threads()
            import numba

            from pdpsim.engines.compiled.kernels_time_batch import member_epochs, run_epochs_time_batch
            # the products are small and each slice has its core: BLAS's own threads would only contend
            with cores.one_blas_thread():
                if slices == 1:
                    done = member_epochs(self.XS, self.TS, int(self.ticks[0]), orders, n_epochs, batch, self.groups,
                                         self.links, WF, DWF, LCF, rates, self.algorithm, use, self.dt,
                                         self.tick_scale, self.err_crit, self.out_crit, self.eps_log, errors, dists)
                else:
                    done = run_epochs_time_batch(self.XS, self.TS, int(self.ticks[0]), orders, n_epochs, batch,
                                                 slices or numba.get_num_threads(), self.groups, self.links, WF, DWF,
                                                 LCF, rates, self.algorithm, use, self.dt, self.tick_scale,
                                                 self.err_crit, self.out_crit, self.eps_log, errors, dists)
            return int(done), errors, dists
        done = run_epochs_time(self.XS, self.TS, self.ticks, orders, n_epochs, batch, self.groups, self.links, WF,
                               DWF, LCF, rates, self.algorithm, use, self.dt, self.tick_scale, self.err_crit,
                               self.out_crit, self.eps_log, errors, dists)
        return int(done), errors, dists
