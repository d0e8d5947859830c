"""Compiled training loops (numba): feed-forward networks with small batches, and networks in time.

The numpy path (:mod:`pdpsim.model.network`, :mod:`pdpsim.learning.rules`) is the reference:
one matrix product per link block per batch, which is the fastest way when a
batch is large (BLAS). When it is small (online learning, small networks) the
cost is Python's, not arithmetic's; this module then runs whole epochs inside
one compiled function, example by example, with exactly the same equations,
update rules and example orders (drawn from the same generator in the same
sequence), so the two paths agree to rounding (tests check 1e-9 relative).

Supported: any acyclic network; LOGISTIC, TANH and LINEAR units; SUM_SQUARED,
CROSS_ENTROPY and DIVERGENCE errors (not with SOFT_MAX); NaN targets;
steepest, momentum and Doug's momentum; weight decay; per-block learning
rates; every example order and batch size. CONTINUOUS networks in time
(:class:`CompiledTimeNet`): example by example (``_kernels.run_epochs_time``), or,
for batches whose examples all run the same ticks, a batch kernel that calls BLAS
for each block's product and cuts the batch into one slice per core
(``_kernels_time_batch``). Ensembles have their own kernels (:mod:`pdpsim.training.ensemble`).
Anything else (SOFT_MAX, target radii, delta-bar-delta, weight limits, lesions,
noise, frozen blocks, Hebb, simple recurrent networks) runs on the numpy path.
Compiled code is cached on disk (numba ``cache=True``), so only the first run
compiles. The weights are copied into flat buffers for a run and back after it.
"""
from __future__ import annotations

import numpy as np

from pdpsim.model.network import SET_FROM_OUTSIDE, Network

FUNCS = {"LOGISTIC": 0, "TANH": 1, "LINEAR": 2}
ERRORS = {"SUM_SQUARED": 0, "CROSS_ENTROPY": 1, "DIVERGENCE": 2}
ALGORITHMS = {"steepest": 0, "momentum": 1, "dougs_momentum": 2}
LOG_EPS = 1e-8

_kernel = None


def available() -> bool:
    try:
        import numba  # noqa: F401  (is it installed?)
    except ImportError:
        return False
    return True


def _plain_function(g) -> bool:
    """pdpsim's own LOGISTIC, TANH or LINEAR (not a subclass with other equations, e.g. Lens's)."""
    from pdpsim.functions.units import Linear, Logistic, Tanh
    return type(g.function) in (Logistic, Tanh, Linear)


def _error_classes() -> tuple:
    from pdpsim.functions.errors import CrossEntropy, Divergence, SumSquared
    return (SumSquared, CrossEntropy, Divergence)


def unsupported(net: Network, params) -> str | None:
    """Why ``net`` with ``params`` cannot use the compiled loop (None if it can)."""
    if net.time is not None and net.time.mode != "continuous":
        return "simple recurrent networks"
    if net.time is not None:
        tp = net.time
        if getattr(tp, "early_stop", None) is not None:
            return "time.early_stop"
        if not getattr(tp, "tick0_clamp", True):
            return "time.tick0_clamp false"
        if getattr(tp, "integrator_lag", False):
            return "time.integrator_lag"
        if getattr(tp, "tick0_senders_zero", False):
            return "time.tick0_senders_zero"
        if getattr(tp, "dt_scale", None):
            return "time.dt_scale"
        if getattr(tp, "max_ticks", None) is not None:
            return "time.max_ticks"
        for g in net.groups.values():
            if g.kind == "INPUT" and g.clamp == "SOFT" and not _plain_function(g):
                return f"{type(g.function).__name__} units"
    if net.ensemble:
        return "ensembles"
    if params.rule != "backprop":
        return "the Hebb rule"
    if params.algorithm not in ALGORITHMS:
        return f"the {params.algorithm} algorithm"
    for g in net.groups.values():
        if g.kind in SET_FROM_OUTSIDE:
            continue
        if not _plain_function(g):
            return f"{g.function.name} units" if g.function.name not in FUNCS else f"{type(g.function).__name__} units"
        if g.has_targets and type(g.error) not in _error_classes():
            return f"the {type(g.error).__name__} error function"
        if g.unit_mask is not None or g.output_noise:
            return "lesioned or noisy units"
        if g.has_targets and (g.target_radius > 0 or g.zero_error_radius > 0):
            return "target radii"
    for g in net.groups.values():
        if g.kind == "INPUT" and g.output_noise:
            return "input noise"
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


def kernel():
    global _kernel
    if _kernel is None:
        from pdpsim.engines.compiled.kernels import run_epochs
        _kernel = run_epochs
    return _kernel


class _Flat:
    """Weights, weight derivatives and last changes of all blocks in three flat buffers:
    copied in before a compiled run and back after it."""

    def _blocks(self, net: Network, groups, index: dict, params) -> None:
        """Which blocks feed each group (CSR), their ends, rates and the flat buffers."""
        blocks = net.blocks
        bindex = {id(b): k for k, b in enumerate(blocks)}
        ptr, inc = [0], []
        for g in groups:
            inc.extend(bindex[id(b)] for b in g.incoming)
            ptr.append(len(inc))
        self.inc_ptr = np.array(ptr, dtype=np.int64)
        self.inc_blk = np.array(inc, dtype=np.int64)
        self.blk_src = np.array([index[b.source.name] for b in blocks], dtype=np.int64)
        self.blk_dst = np.array([index[b.dest.name] for b in blocks], dtype=np.int64)
        self._flat_layout(blocks)
        self.lr = np.array([params.learning_rate if b.learning_rate is None else b.learning_rate for b in blocks])
        self.mom = np.array([params.momentum if b.momentum is None else b.momentum for b in blocks])
        self.decay = np.array([params.weight_decay if b.weight_decay is None else b.weight_decay for b in blocks])
        self.algorithm = ALGORITHMS[params.algorithm]
        self.blocks = blocks

    def _flat_layout(self, blocks) -> None:
        self.bnf = np.array([b.weights.shape[-2] for b in blocks], dtype=np.int64)
        self.bnt = np.array([b.weights.shape[-1] for b in blocks], dtype=np.int64)
        sizes = self.bnf * self.bnt
        self.boff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        total = int(sizes.sum())
        dt = blocks[0].weights.dtype if blocks else np.float64      # float64, or float32 networks
        self.WF, self.DWF, self.LCF = np.empty(total, dt), np.empty(total, dt), np.empty(total, dt)

    def _copy_in(self) -> None:
        for k, b in enumerate(self.blocks):
            sl = slice(self.boff[k], self.boff[k] + self.bnf[k] * self.bnt[k])
            self.WF[sl] = b.weights.ravel()
            self.LCF[sl] = b.last_change.ravel()
            self.DWF[sl] = b.weight_deriv.ravel()

    def _copy_out(self) -> None:
        for k, b in enumerate(self.blocks):
            sl = slice(self.boff[k], self.boff[k] + self.bnf[k] * self.bnt[k])
            b.weights[...] = self.WF[sl].reshape(b.weights.shape)
            b.last_change[...] = self.LCF[sl].reshape(b.weights.shape)
            b.weight_deriv[...] = self.DWF[sl].reshape(b.weights.shape)
            b.rule_state.pop("step", None)      # the numpy path's scratch buffer


class CompiledNet(_Flat):
    """A feed-forward network's structure as flat arrays for the compiled loop."""

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
        self.g_func = np.array([FUNCS.get(g.function.name, 2) for g in groups], dtype=np.int64)
        self.g_err = np.array([ERRORS[g.error.name] if g.has_targets else -1 for g in groups], dtype=np.int64)
        self.g_scale = np.array([g.error.error_scale if g.has_targets else 0.0 for g in groups])
        self.g_fused = np.array([bool(g.has_targets and not g.outgoing and g.function.name == "LOGISTIC"
                                      and g.error.name == "CROSS_ENTROPY") for g in groups])
        self.order_groups = np.arange(len(groups), dtype=np.int64)
        self._blocks(net, groups, index, params)

    def run(self, orders: np.ndarray | None, n_epochs: int, batch: int, err_crit: float | None,
            out_crit: float | None) -> tuple[int, np.ndarray, np.ndarray]:
        errors = np.zeros(n_epochs)
        dists = np.zeros(n_epochs)
        use = orders is not None
        if orders is None:
            orders = np.zeros((1, 1), dtype=np.int64)
        self._copy_in()
        done = kernel()(self.X, self.T, orders, n_epochs, batch, self.g_start, self.g_size, self.g_computed,
                        self.g_func, self.g_err, self.g_scale, self.g_fused, self.order_groups, self.inc_ptr,
                        self.inc_blk, self.blk_src, self.blk_dst, self.WF, self.DWF, self.LCF, self.boff, self.bnf,
                        self.bnt, self.lr, self.mom, self.decay, self.algorithm, use,
                        -1.0 if err_crit is None else err_crit, -1.0 if out_crit is None else out_crit, errors, dists)
        self._copy_out()
        return int(done), errors[:done], dists[:done]


class CompiledTimeNet(_Flat):
    """A CONTINUOUS network for the compiled loop: every example's ticks laid out in advance."""

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
        self.g_func = np.array([FUNCS.get(g.function.name, 2) for g in groups], dtype=np.int64)
        self.g_integ = np.array([{None: 0, "OUT_INTEGR": 1, "IN_INTEGR": 2}[g.integration] for g in groups],
                                dtype=np.int64)
        self.g_clamp = np.array([{None: 0, "HARD": 1, "SOFT": 2}[g.clamp] for g in groups], dtype=np.int64)
        self.g_strength = np.array([g.clamp_strength for g in groups])
        self.g_init_out = np.array([1.0 if g.kind == "BIAS" else unfolding._init_output(g) for g in groups])
        self.g_init_in = np.array([1.0 if g.kind == "BIAS" else g.init_input for g in groups])
        self.g_err = np.array([ERRORS[g.error.name] if g.has_targets else -1 for g in groups], dtype=np.int64)
        self.g_scale = np.array([g.error.error_scale if g.has_targets else 0.0 for g in groups])
        self._blocks(net, groups, index, params)
        self.dt = net.time.dt
        self.tick_scale = self.dt if net.time.error_scale_per_tick else 1.0

    @property
    def same_ticks(self) -> bool:
        """Whether every example runs the same number of ticks (the batch kernel needs it)."""
        return bool((self.ticks == self.ticks[0]).all())

    def run(self, orders, n_epochs, batch, err_crit, out_crit):
        from pdpsim.engines.compiled.kernels import run_epochs_time
        errors = np.zeros(n_epochs)
        dists = np.zeros(n_epochs)
        use = orders is not None
        if orders is None:
            orders = np.zeros((1, 1), dtype=np.int64)
        self._copy_in()
        if batch > 1 and self.same_ticks:         # batches: BLAS products per block, slices over the cores
            quiet_threads()
            import numba
            from threadpoolctl import threadpool_limits

            from pdpsim.engines.compiled.kernels_time_batch import run_epochs_time_batch
            # the products are small and each slice has its core: BLAS's own threads would only contend
            with threadpool_limits(1, user_api="blas"):
                done = run_epochs_time_batch(
                    self.XS, self.TS, int(self.ticks[0]), orders, n_epochs, batch, numba.get_num_threads(),
                    self.g_start, self.g_size, self.g_computed, self.g_func, self.g_integ, self.g_clamp,
                    self.g_strength, self.g_init_out, self.g_init_in, self.g_err, self.g_scale, self.inc_ptr,
                    self.inc_blk, self.blk_src, self.WF, self.DWF, self.LCF, self.boff, self.bnf, self.bnt, self.lr,
                    self.mom, self.decay, self.algorithm, use, self.dt, self.tick_scale,
                    -1.0 if err_crit is None else err_crit, -1.0 if out_crit is None else out_crit, errors, dists)
            self._copy_out()
            return int(done), errors[:done], dists[:done]
        done = run_epochs_time(self.XS, self.TS, self.ticks, orders, n_epochs, batch, self.g_start, self.g_size,
                               self.g_computed, self.g_func, self.g_integ, self.g_clamp, self.g_strength,
                               self.g_init_out, self.g_init_in, self.g_err, self.g_scale, self.inc_ptr,
                               self.inc_blk, self.blk_src, self.WF, self.DWF, self.LCF, self.boff, self.bnf,
                               self.bnt, self.lr, self.mom, self.decay, self.algorithm, use, self.dt,
                               self.tick_scale, -1.0 if err_crit is None else err_crit,
                               -1.0 if out_crit is None else out_crit, errors, dists)
        self._copy_out()
        return int(done), errors[:done], dists[:done]
