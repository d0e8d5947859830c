"""A compiled training loop (numba) for feed-forward networks with small batches.

The numpy path (:mod:`pdpsim.network`, :mod:`pdpsim.learning`) is the reference:
one matrix product per link block per batch, which is the fastest way when a
batch is large (BLAS). When it is small (online learning, small networks) the
cost is Python's, not arithmetic's; this module then runs whole epochs inside
one compiled function, example by example, with exactly the same equations,
update rules and example orders (drawn from the same generator in the same
sequence), so the two paths agree to rounding (tests check 1e-9 relative).

Supported: any acyclic network; LOGISTIC, TANH and LINEAR units; SUM_SQUARED,
CROSS_ENTROPY and DIVERGENCE errors (not with SOFT_MAX); NaN targets;
steepest, momentum and Doug's momentum; weight decay; per-block learning
rates; every example order and batch size. Anything else (SOFT_MAX, target
radii, delta-bar-delta, weight limits, lesions, noise, frozen blocks, Hebb,
ensembles, networks in time) runs on the numpy path. Compiled code is cached
on disk (numba ``cache=True``), so only the first run compiles.
"""
from __future__ import annotations

import numpy as np

from .network import SET_FROM_OUTSIDE, Network

FUNCS = {"LOGISTIC": 0, "TANH": 1, "LINEAR": 2}
ERRORS = {"SUM_SQUARED": 0, "CROSS_ENTROPY": 1, "DIVERGENCE": 2}
ALGORITHMS = {"steepest": 0, "momentum": 1, "dougs_momentum": 2}
LOG_EPS = 1e-8

_kernel = None


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def unsupported(net: Network, params) -> str | None:
    """Why ``net`` with ``params`` cannot use the compiled loop (None if it can)."""
    if net.time is not None:
        return "networks in time"
    if net.ensemble:
        return "ensembles"
    if params.rule != "backprop":
        return "the Hebb rule"
    if params.algorithm not in ALGORITHMS:
        return f"the {params.algorithm} algorithm"
    for g in net.groups.values():
        if g.kind in SET_FROM_OUTSIDE:
            continue
        if g.function.name not in FUNCS:
            return f"{g.function.name} units"
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
    if net.dtype != np.float64:
        return "float32"
    return None


def _build_kernel():
    import numba
    from numba import njit

    @njit(cache=True, fastmath=False)
    def run_epochs(X, T, orders, n_epochs, batch, g_start, g_size, g_computed, g_func, g_err, g_scale,
                   g_fused, order_groups, inc_ptr, inc_blk, blk_src, blk_dst, W, DW, LC, lr, mom, decay,
                   algorithm, use_orders, err_crit, out_crit, errors_out, dist_out):
        N = X.shape[0]
        U = X.shape[1]
        A = np.empty((batch, U))
        NET = np.empty((batch, U))
        DA = np.zeros((batch, U))
        DN = np.zeros((batch, U))
        nb = len(W)
        for ep in range(n_epochs):
            total = 0.0
            worst = 0.0
            for start in range(0, N, batch):
                bsz = min(batch, N - start)
                for k in range(nb):
                    DW[k][:, :] = 0.0
                for b in range(bsz):
                    ex = orders[ep, start + b] if use_orders else start + b
                    a = A[b]
                    net_in = NET[b]
                    da = DA[b]
                    dn = DN[b]
                    # ------------------------------------------------ forward
                    for u in range(U):
                        a[u] = X[ex, u]
                    for gi in order_groups:
                        if not g_computed[gi]:
                            continue
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        for u in range(sz):
                            net_in[s0 + u] = 0.0
                        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                            k = inc_blk[p]
                            w = W[k]
                            src = blk_src[k]
                            ss = g_start[src]
                            for i in range(g_size[src]):
                                ai = a[ss + i]
                                if ai != 0.0:
                                    for u in range(sz):
                                        net_in[s0 + u] += ai * w[i, u]
                        f = g_func[gi]
                        for u in range(sz):
                            n = net_in[s0 + u]
                            if f == 0:
                                a[s0 + u] = 1.0 / (1.0 + np.exp(-n))
                            elif f == 1:
                                a[s0 + u] = np.tanh(n)
                            else:
                                a[s0 + u] = n
                    # ------------------------------------------------ error and dE/da
                    for u in range(U):
                        da[u] = 0.0
                    for gi in order_groups:
                        e_t = g_err[gi]
                        if e_t < 0:
                            continue
                        s0 = g_start[gi]
                        sc = g_scale[gi]
                        for u in range(g_size[gi]):
                            t = T[ex, s0 + u]
                            av = a[s0 + u]
                            if np.isnan(t):
                                t = av
                            d = abs(av - t)
                            if d > worst:
                                worst = d
                            if e_t == 0:
                                total += sc * (t - av) * (t - av)
                                da[s0 + u] = 2.0 * sc * (av - t)
                            elif e_t == 1:
                                ac = min(max(av, LOG_EPS), 1.0 - LOG_EPS)
                                e = 0.0
                                if t > 0.0:
                                    e += t * np.log(t / ac)
                                if t < 1.0:
                                    e += (1.0 - t) * np.log((1.0 - t) / (1.0 - ac))
                                total += sc * e
                                da[s0 + u] = sc * (ac - t) / ac / (1.0 - ac)
                            else:
                                ac = max(av, LOG_EPS)
                                if t > 0.0:
                                    total += sc * t * np.log(t / ac)
                                da[s0 + u] = -sc * t / ac
                    # ------------------------------------------------ backward
                    for q in range(len(order_groups) - 1, -1, -1):
                        gi = order_groups[q]
                        if not g_computed[gi]:
                            continue
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        f = g_func[gi]
                        if g_fused[gi]:
                            sc = g_scale[gi]
                            for u in range(sz):
                                t = T[ex, s0 + u]
                                av = a[s0 + u]
                                if np.isnan(t):
                                    t = av
                                dn[s0 + u] = sc * (av - t)
                        else:
                            for u in range(sz):
                                av = a[s0 + u]
                                if f == 0:
                                    dn[s0 + u] = da[s0 + u] * ((1.0 - av) * av)
                                elif f == 1:
                                    dn[s0 + u] = da[s0 + u] * (1.0 - av * av)
                                else:
                                    dn[s0 + u] = da[s0 + u]
                        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                            k = inc_blk[p]
                            w = W[k]
                            dw = DW[k]
                            src = blk_src[k]
                            ss = g_start[src]
                            back = g_computed[src]
                            for i in range(g_size[src]):
                                ai = a[ss + i]
                                acc = 0.0
                                for u in range(sz):
                                    d = dn[s0 + u]
                                    dw[i, u] += ai * d
                                    acc += d * w[i, u]
                                if back:
                                    da[ss + i] += acc
                # ---------------------------------------------------- update
                scale = 1.0
                if algorithm == 2:
                    sq = 0.0
                    for k in range(nb):
                        g = DW[k]
                        for i in range(g.shape[0]):
                            for j in range(g.shape[1]):
                                sq += g[i, j] * g[i, j]
                    norm = np.sqrt(sq)
                    if norm > 1.0:
                        scale = 1.0 / norm
                for k in range(nb):
                    w = W[k]
                    g = DW[k]
                    lc = LC[k]
                    eps = lr[k]
                    m = mom[k] if algorithm != 0 else 0.0
                    dcy = decay[k]
                    for i in range(w.shape[0]):
                        for j in range(w.shape[1]):
                            if algorithm == 2:
                                step = g[i, j] * (-(eps * scale))
                            else:
                                step = g[i, j] * (-eps)
                            if m != 0.0:
                                dwv = lc[i, j] * m + step
                            else:
                                dwv = step
                            if dcy != 0.0:
                                dwv -= dcy * w[i, j]
                            lc[i, j] = dwv
                            w[i, j] += dwv
            errors_out[ep] = total
            dist_out[ep] = worst
            if not np.isfinite(total):
                return ep + 1
            if err_crit >= 0.0 and total <= err_crit:
                return ep + 1
            if out_crit >= 0.0 and worst <= out_crit:
                return ep + 1
        return n_epochs

    return run_epochs


def kernel():
    global _kernel
    if _kernel is None:
        _kernel = _build_kernel()
    return _kernel


class CompiledNet:
    """A network's structure as flat arrays, and its weights as typed lists (shared, not copied)."""

    def __init__(self, net: Network, inputs: dict, targets: dict, params):
        from numba.typed import List
        groups = net.order
        index = {g.name: i for i, g in enumerate(groups)}
        sizes = np.array([g.size for g in groups], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        U = int(sizes.sum())
        n = next(iter(inputs.values())).shape[0]
        X = np.zeros((n, U))
        T = np.full((n, U), np.nan)
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
        self.W = List([b.weights for b in blocks])
        self.DW = List([b.weight_deriv for b in blocks])
        self.LC = List([b.last_change for b in blocks])
        self.lr = np.array([params.learning_rate if b.learning_rate is None else b.learning_rate for b in blocks])
        self.mom = np.array([params.momentum if b.momentum is None else b.momentum for b in blocks])
        self.decay = np.array([params.weight_decay if b.weight_decay is None else b.weight_decay for b in blocks])
        self.algorithm = ALGORITHMS[params.algorithm]
        self.blocks = blocks

    def run(self, orders: np.ndarray | None, n_epochs: int, batch: int, err_crit: float | None,
            out_crit: float | None) -> tuple[int, np.ndarray, np.ndarray]:
        errors = np.zeros(n_epochs)
        dists = np.zeros(n_epochs)
        use = orders is not None
        if orders is None:
            orders = np.zeros((1, 1), dtype=np.int64)
        done = kernel()(self.X, self.T, orders, n_epochs, batch, self.g_start, self.g_size, self.g_computed,
                        self.g_func, self.g_err, self.g_scale, self.g_fused, self.order_groups, self.inc_ptr,
                        self.inc_blk, self.blk_src, self.blk_dst, self.W, self.DW, self.LC, self.lr, self.mom,
                        self.decay, self.algorithm, use, -1.0 if err_crit is None else err_crit,
                        -1.0 if out_crit is None else out_crit, errors, dists)
        for b in self.blocks:                       # the step buffer of the numpy path stays consistent
            b.rule_state.pop("step", None)
        return int(done), errors[:done], dists[:done]
