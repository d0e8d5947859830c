"""numba kernels for ensembles of small networks: the members sit on the vector lanes.

:func:`pdpsim.engines.compiled.kernels.run_epochs` trains one network; for a thousand XOR networks
its work per call is a few dozen multiplications, too little for the vector units.
Here every state array gains a last axis of ``L`` members (a *chunk*): each weight
w_iu is a row of L numbers, each unit's net input, output, dE/da and dE/dn too, and
the innermost loop of every equation runs over the members, which LLVM turns into
vector instructions. Each member's arithmetic is that of ``run_epochs`` in the same
order (to rounding), its examples come from its own order, and it stops on its own
criterion: its weights are saved the epoch it stops and it is no longer counted
(its lane runs on, unused, until every member of the chunk has stopped). Chunks are
spread over the cores (``prange``).
"""
import numpy as np
from numba import njit, prange

from pdpsim.engines.compiled.kernels import (DOUGS, STEEPEST, _VEC, _change, _decay, _descent, _dougs, _momentum,
                                             _reached)
from pdpsim.functions.codes import dispatchers, guard

_d = dispatchers(lanes=True)                       # every formula in a loop over the members
fused_deriv, f_row, slope_row = _d["fused_deriv"], _d["f_row"], _d["slope_row"]
error_row, error_binary_row, error_deriv_row = _d["error_row"], _d["error_binary_row"], _d["error_deriv_row"]


@njit(cache=True, error_model="numpy")
def _update_lanes(W, DW, LC, boff, bsize, lr, mom, decay, algorithm):
    """:func:`pdpsim.engines.compiled.kernels.update` for L members at once; lr is (blocks, L).
    (The change of pdpsim.learning.rules, one loop per case so that LLVM vectorises each.)"""
    L = W.shape[1]
    scale = np.ones(L)
    if algorithm == DOUGS:                               # Doug's momentum: each member's own norm
        sq = np.zeros(L)
        for x in range(W.shape[0]):
            g = DW[x]
            for m in range(L):
                sq[m] += g[m] * g[m]
        for m in range(L):
            scale[m] = _dougs(sq[m])
    eps = np.empty(L)
    for k in range(boff.shape[0]):
        mo = mom[k] if algorithm != STEEPEST else 0.0
        dcy = decay[k]
        for m in range(L):
            eps[m] = lr[k, m] * scale[m]
        for x in range(boff[k], boff[k] + bsize[k]):
            w, g, lc = W[x], DW[x], LC[x]
            if mo != 0.0 and dcy != 0.0:
                for m in range(L):
                    dwv = _change(g[m], lc[m], w[m], eps[m], mo, dcy)
                    lc[m] = dwv
                    w[m] += dwv
            elif mo != 0.0:
                for m in range(L):
                    dwv = _momentum(lc[m], mo) + _descent(g[m], eps[m])
                    lc[m] = dwv
                    w[m] += dwv
            elif dcy != 0.0:
                for m in range(L):
                    dwv = _descent(g[m], eps[m]) + _decay(w[m], dcy)
                    lc[m] = dwv
                    w[m] += dwv
            else:
                for m in range(L):
                    dwv = _descent(g[m], eps[m])
                    lc[m] = dwv
                    w[m] += dwv


# the same fast-math flags as the one-network kernels, so each member rounds as it would there
@njit(cache=True, fastmath=_VEC, error_model="numpy")
def _forward_lanes(W, a, net, g_start, g_size, g_computed, g_func, inc_ptr, inc_blk, blk_src, boff, bnt, x_row):
    """One example's forward pass for L members: a[u] and net[u] are rows of L. ``x_row``: the
    example's inputs when every member has the same example (an empty row when they differ): a
    group's outputs that are inputs are then one number for all members."""
    uniform = x_row.shape[0] > 0
    L = a.shape[1]
    for gi in range(g_start.shape[0]):
        if not g_computed[gi]:
            continue
        s0 = g_start[gi]
        sz = g_size[gi]
        for u in range(sz):
            for m in range(L):
                net[s0 + u, m] = 0.0
        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
            k = inc_blk[p]
            src = blk_src[k]
            ss = g_start[src]
            wo = boff[k]
            nt = bnt[k]
            if uniform and not g_computed[src]:
                for i in range(g_size[src]):
                    ai = x_row[ss + i]
                    for u in range(sz):
                        x = wo + i * nt + u
                        for m in range(L):
                            net[s0 + u, m] += ai * W[x, m]
                continue
            for i in range(g_size[src]):
                for u in range(sz):
                    x = wo + i * nt + u
                    for m in range(L):
                        net[s0 + u, m] += a[ss + i, m] * W[x, m]
        f = g_func[gi]
        for u in range(sz):
            f_row(f, net[s0 + u], a[s0 + u])         # a = f(n), over the members


@njit(cache=True, fastmath=_VEC, error_model="numpy")
def _backward_block_lanes(W, DW, LC, wo, nt, a, ss, n_src, dn, s0, sz, da, back, fused, eps, mo, dcy, acc, x_row):
    """dE/dw_iu += a_i dE/dn_u and dE/da_i += sum_u dE/dn_u w_iu for L members; ``fused``
    (online) also changes the weights in the same sweep, as _block_backward_update does.
    ``x_row`` as in _forward_lanes: a sender that is an input has one a_i for all members."""
    L = a.shape[1]
    if x_row.shape[0] > 0 and not back and not fused:
        for i in range(n_src):
            ai = x_row[ss + i]
            for u in range(sz):
                x = wo + i * nt + u
                for m in range(L):
                    DW[x, m] += ai * dn[s0 + u, m]
        return
    for i in range(n_src):
        for m in range(L):
            acc[m] = 0.0
        for u in range(sz):
            x = wo + i * nt + u
            if fused:
                for m in range(L):
                    w = W[x, m]
                    r = dn[s0 + u, m]
                    acc[m] += r * w
                    g = a[ss + i, m] * r
                    DW[x, m] = g
                    dwv = _change(g, LC[x, m], w, eps[m], mo, dcy)
                    LC[x, m] = dwv
                    W[x, m] = w + dwv
            elif back:
                for m in range(L):
                    r = dn[s0 + u, m]
                    DW[x, m] += a[ss + i, m] * r
                    acc[m] += r * W[x, m]
            else:
                for m in range(L):
                    DW[x, m] += a[ss + i, m] * dn[s0 + u, m]
        if back:
            for m in range(L):
                da[ss + i, m] += acc[m]


@njit(cache=True, error_model="numpy")
def _run_chunk(X, T, orders, m0, n_epochs, batch, groups, links, W, DW, LC, lr, mom, decay, algorithm, use_orders,
               err_crit, out_crit, eps_log, alive, errors_out, dist_out, done_out, WS, DS, LS):
    """Train the L members of one chunk (members m0 .. m0+L-1) until each has stopped."""
    g_start, g_size, g_computed, g_func, g_err, g_scale, g_fused, _order, g_binary = groups
    inc_ptr, inc_blk, blk_src, boff, bnf, bnt = links
    N, U = X.shape
    L = W.shape[1]
    G = g_start.shape[0]
    A = np.empty((batch, U, L))
    NET = np.empty((batch, U, L))
    DA = np.zeros((batch, U, L))
    DN = np.zeros((batch, U, L))
    EX = np.zeros((batch, L), dtype=np.int64)
    total = np.zeros(L)
    worst = np.zeros(L)
    acc = np.empty(L)
    t_row, e_row, d_row = np.empty(L), np.empty(L), np.empty(L)      # one unit's targets, errors, |a - t|
    bsize = bnf * bnt
    n_alive = 0
    for m in range(L):
        n_alive += alive[m]
    n_real = min(L, errors_out.shape[1] - m0)       # the last chunk's padding lanes are never alive
    eps_k = np.empty(L)
    for ep in range(n_epochs):
        total[:] = 0.0
        worst[:] = 0.0
        for start in range(0, N, batch):
            bsz = min(batch, N - start)
            fused = bsz == 1 and algorithm != DOUGS
            if not fused:
                DW[:, :] = 0.0
            for b in range(bsz):
                a, net, da, dn, exs = A[b], NET[b], DA[b], DN[b], EX[b]
                ex0 = start + b                                # every member's example, in order
                for m in range(L):
                    exs[m] = orders[m0 + m, ep, start + b] if use_orders else ex0
                for gi in range(G):                            # the inputs' outputs (the rest are computed)
                    if g_computed[gi]:
                        continue
                    if use_orders:
                        for u in range(g_start[gi], g_start[gi] + g_size[gi]):
                            for m in range(L):
                                a[u, m] = X[exs[m], u]
                    elif fused or g_err[gi] >= 0:              # the same example: no gather
                        for u in range(g_start[gi], g_start[gi] + g_size[gi]):
                            a[u, :] = X[ex0, u]
                    # (else every reader takes the one number from the example's row)
                x_row = X[ex0, :0] if use_orders else X[ex0]
                _forward_lanes(W, a, net, g_start, g_size, g_computed, g_func, inc_ptr, inc_blk, blk_src, boff, bnt,
                               x_row)
                # ------------------------------------------------ error and dE/da
                for gi in range(G):                            # dE/da of the computed units (the inputs' is unread)
                    if g_computed[gi]:
                        for u in range(g_start[gi], g_start[gi] + g_size[gi]):
                            da[u, :] = 0.0
                for gi in range(G):
                    e_t = g_err[gi]
                    if e_t < 0:
                        continue
                    s0 = g_start[gi]
                    sc = g_scale[gi]
                    for u in range(g_size[gi]):
                        if use_orders:                             # each member's target for the unit
                            for m in range(L):
                                t_row[m] = T[exs[m], s0 + u]
                        else:                                      # (in order: one load, no gather)
                            t_row[:] = T[ex0, s0 + u]
                        # each member's error and |a - t| (no target: 0, 0), then dE/da (onto 0): rows
                        if g_binary[gi]:                           # every target 0, 1 or missing
                            error_binary_row(e_t, a[s0 + u], t_row, eps_log, sc, d_row, e_row)
                        else:
                            error_row(e_t, a[s0 + u], t_row, eps_log, sc, d_row, e_row)
                        for m in range(L):
                            total[m] += e_row[m]
                            worst[m] = d_row[m] if d_row[m] > worst[m] else worst[m]
                        error_deriv_row(e_t, a[s0 + u], t_row, eps_log, sc, da[s0 + u])
                # ------------------------------------------------ backward: dE/dn, then each block
                for gi in range(G - 1, -1, -1):
                    if not g_computed[gi]:
                        continue
                    s0 = g_start[gi]
                    sz = g_size[gi]
                    f = g_func[gi]
                    for u in range(sz):
                        ar, dar, dnr = a[s0 + u], da[s0 + u], dn[s0 + u]
                        if g_fused[gi]:
                            sc = g_scale[gi]
                            t0 = T[ex0, s0 + u]
                            for m in range(L):
                                t = T[exs[m], s0 + u] if use_orders else t0
                                dnr[m] = 0.0 if np.isnan(t) else sc * fused_deriv(g_err[gi], f, ar[m], t)
                        else:
                            slope_row(f, ar, net[s0 + u], dar, dnr)     # dE/dn = dE/da f'(n), over the members
                    for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                        k = inc_blk[p]
                        src = blk_src[k]
                        for m in range(L):
                            eps_k[m] = lr[k, m]
                        _backward_block_lanes(W, DW, LC, boff[k], bnt[k], a, g_start[src], g_size[src], dn, s0, sz,
                                              da, g_computed[src], fused, eps_k,
                                              mom[k] if algorithm != STEEPEST else 0.0, decay[k], acc, x_row)
            if not fused:
                _update_lanes(W, DW, LC, boff, bsize, lr, mom, decay, algorithm)
        # each member's error this epoch (one that has stopped: NaN and 0, as the rows began), in one
        # pass over the members; the few that stop now are then taken one by one
        last = ep == n_epochs - 1
        stops = 0
        for m in range(n_real):
            live = alive[m]
            errors_out[ep, m0 + m] = total[m] if live else np.nan
            dist_out[ep, m0 + m] = worst[m] if live else 0.0
            stops += live & (last | _reached(total[m], worst[m], err_crit, out_crit))
        if stops == 0:
            continue
        for m in range(n_real):
            if alive[m] and (last or _reached(total[m], worst[m], err_crit, out_crit)):
                alive[m] = False
                n_alive -= 1
                done_out[m0 + m] = ep + 1
                for x in range(W.shape[0]):
                    WS[x, m] = W[x, m]
                    DS[x, m] = DW[x, m]
                    LS[x, m] = LC[x, m]
        if n_alive == 0:
            return


@njit(cache=True, parallel=True, error_model="numpy")
def run_ensemble_lanes(X, T, orders, n_epochs, batch, groups, links, W, DW, LC, lr, mom, decay, algorithm, use_orders,
                       err_crit, out_crit, eps_log, alive, errors_out, dist_out, done_out, WS, DS, LS):
    """Every chunk (W[c]: (links, L) weights of members c*L .. c*L+L-1) trained in parallel;
    the weights each member had when it stopped end in WS, DS, LS. errors_out and dist_out are
    (epochs, members): an epoch's row is written member after member."""
    L = W.shape[2]
    for c in prange(W.shape[0]):
        _run_chunk(X, T, orders, c * L, n_epochs, batch, groups, links, W[c], DW[c], LC[c], lr[c], mom, decay,
                   algorithm, use_orders, err_crit, out_crit, eps_log, alive[c], errors_out, dist_out, done_out, WS[c],
                   DS[c], LS[c])


guard([_update_lanes, _forward_lanes, _backward_block_lanes, _run_chunk, run_ensemble_lanes])
