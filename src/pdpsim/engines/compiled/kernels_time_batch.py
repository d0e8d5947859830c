"""numba kernel for CONTINUOUS networks trained on batches of examples.

:func:`pdpsim.engines.compiled.kernels.run_epochs_time` runs one example at a time, which is right
for online learning. With a batch the work per tick is a matrix product per link
block (the batch's outputs at t-1 times the weights), as in :mod:`pdpsim.dynamics.unfolding`;
there the Python around each small product costs more than the product. Here the
whole epoch runs compiled: per tick one BLAS product per block forward
(``np.dot`` with an output array, which numba hands to BLAS), the unit equations in
plain loops, backpropagation through time with one product per block per tick, and
the weight derivatives as one product per block over every tick and example
(dE/dw_ij = sum over t and examples of a_i(t-1) dE/draw_j(t)). The batch is cut into
slices, one per core; each slice's derivatives are summed before the update.

The equations are those of ``run_epochs_time`` (and of the numpy path, the reference
the tests compare against), with the same rules (:mod:`pdpsim.functions.codes`): each
group's output function, integrations and clamps by their codes, here through the *row*
dispatchers, whose loops over a row of units LLVM can vectorise. NaN where there is no
input or target. Every example of the set must run the same number of ticks.

State per group is stored contiguously (ticks, rows, units) inside one flat buffer
per quantity, at offset ``off[g]`` -- so each product reads and writes whole
C-contiguous matrices.
"""
import numpy as np
from numba import njit, prange

from pdpsim.engines.compiled.kernels import _reached, update
from pdpsim.functions.codes import dispatchers, guard

_d = dispatchers()
f_row, slope_row = _d["f_row"], _d["slope_row"]
error_row, error_binary_row, error_deriv_row = _d["error_row"], _d["error_binary_row"], _d["error_deriv_row"]
integrate, integrate_into, integrate_carry = _d["integrate"], _d["integrate_into"], _d["integrate_carry"]
clamp, clamp_back = _d["clamp"], _d["clamp_back"]


@njit(cache=True, error_model="numpy")
def _view3(buf, off, TT, B, sz):
    return buf[off:off + TT * B * sz].reshape(TT, B, sz)


# contract: multiply-adds fused (the rules' polynomials, e^x and ln x, take half the instructions);
# no reassociation: every sum in the numpy path's order
@njit(cache=True, fastmath={"contract"}, error_model="numpy")
def _slice_pass(rows, XS, TS, T, groups, links, WF, dt, tick_scale, eps_log, DW, work):
    """Forward through T ticks and back through time for the examples ``rows``; their dE/dw
    is written to DW (flat, as WF). ``work`` is scratch space of at least 5 (T+1) B U + 6 B U
    numbers (allocated once per run: large allocations on every pass cost page faults).
    Returns (error, largest |output - target|)."""
    (g_start, g_size, g_computed, g_func, g_in_integ, g_out_integ, g_clamp, g_clamp0, g_strength, g_init_out,
     g_init_in, g_err, g_scale, g_binary) = groups
    inc_ptr, inc_blk, blk_src, boff, bnf, bnt = links
    B = rows.shape[0]
    TT = T + 1
    G = g_start.shape[0]
    U = XS.shape[2]
    off = np.zeros(G + 1, dtype=np.int64)                  # per-group offsets, (TT, B, size) each
    for gi in range(G):
        off[gi + 1] = off[gi] + TT * B * g_size[gi]
    n3 = TT * B * U
    A = work[0:n3]                                         # outputs a(t)
    NET = work[n3:2 * n3]                                  # net inputs n(t)
    F = work[2 * n3:3 * n3]                                # f(n(t))
    R = work[3 * n3:4 * n3]                                # dE/draw(t) (rows 1..T written before read)
    Y = work[4 * n3:5 * n3]                                # the targets, as A (groups with targets)
    rest = work[5 * n3:]
    scratch = rest[0:B * U]
    ev = rest[4 * B * U:5 * B * U]                         # a tick's error values and |a - t|
    dv = rest[5 * B * U:6 * B * U]
    total = 0.0
    worst = 0.0
    for gi in range(G):                                    # the rows' targets, laid out as the outputs
        if g_err[gi] < 0:
            continue
        s0 = g_start[gi]
        sz = g_size[gi]
        y = _view3(Y, off[gi], TT, B, sz)
        for t in range(TT):
            for b in range(B):
                y_t, ts = y[t, b], TS[rows[b], t, s0:s0 + sz]     # (slices: no index arithmetic in the loops)
                for u in range(sz):
                    y_t[u] = ts[u]
    # ---------------------------------------------------------------- tick 0
    for gi in range(G):
        s0 = g_start[gi]
        sz = g_size[gi]
        a, n, f = _view3(A, off[gi], TT, B, sz), _view3(NET, off[gi], TT, B, sz), _view3(F, off[gi], TT, B, sz)
        for b in range(B):
            x0 = XS[rows[b], 0, s0:s0 + sz]
            for u in range(sz):
                a[0, b, u] = clamp(g_clamp0[gi], g_init_out[gi], x0[u], g_strength[gi])
                n[0, b, u] = g_init_in[gi]
                f[0, b, u] = g_init_out[gi]
    # ---------------------------------------------------------------- forward
    for t in range(1, TT):
        for gi in range(G):
            if not g_computed[gi]:
                continue
            sz = g_size[gi]
            n = _view3(NET, off[gi], TT, B, sz)
            nt_ = n[t]
            first = True
            for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                k = inc_blk[p]
                src = blk_src[k]
                w = WF[boff[k]:boff[k] + bnf[k] * bnt[k]].reshape(bnf[k], bnt[k])
                a_src = _view3(A, off[src], TT, B, g_size[src])[t - 1]
                if first:
                    np.dot(a_src, w, nt_)                  # n(t) = a(t-1) W, one product per block
                    first = False
                else:
                    s = scratch[:B * sz].reshape(B, sz)
                    np.dot(a_src, w, s)
                    for b in range(B):
                        for u in range(sz):
                            nt_[b, u] += s[b, u]
            if first:
                nt_[:, :] = 0.0
            ic = g_in_integ[gi]
            if ic != 0:                                    # IN_INTEGR: n(t) = n(t-1) + dt (raw - n(t-1))
                for b in range(B):
                    for u in range(sz):
                        nt_[b, u] = integrate(ic, n[t - 1, b, u], nt_[b, u], dt)
        for gi in range(G):
            s0 = g_start[gi]
            sz = g_size[gi]
            a, n = _view3(A, off[gi], TT, B, sz), _view3(NET, off[gi], TT, B, sz)
            fn = g_func[gi]
            oc = g_out_integ[gi]
            cc = g_clamp[gi]
            if g_computed[gi]:
                # the tick's (B, size) block of the group, flat: one loop LLVM vectorises
                lo = off[gi] + t * B * sz
                hi = lo + B * sz
                a_f, a_pf, f_f = A[lo:hi], A[lo - B * sz:lo], F[lo:hi]
                f_row(fn, NET[lo:hi], f_f)                 # f = f(n)
                for j in range(B * sz):                    # a = integrate(a(t-1), f)
                    a_f[j] = integrate(oc, a_pf[j], f_f[j], dt)
                if cc != 0:
                    for b in range(B):                     # clamped toward the row's example's inputs
                        a_t, x_t = a[t, b], XS[rows[b], t, s0:s0 + sz]
                        for u in range(sz):
                            a_t[u] = clamp(cc, a_t[u], x_t[u], g_strength[gi])
                continue
            for b in range(B):                             # set from outside: the clamp, from a(t-1)
                a_t, a_p, n_t, n_p, x_t = a[t, b], a[t - 1, b], n[t, b], n[t - 1, b], XS[rows[b], t, s0:s0 + sz]
                for u in range(sz):
                    a_t[u] = clamp(cc, a_p[u], x_t[u], g_strength[gi])
                    n_t[u] = n_p[u]
        for gi in range(G):
            e_t = g_err[gi]
            if e_t < 0:
                continue
            BS = B * g_size[gi]
            lo = off[gi] + t * BS
            e_row, d_row, a_f, y_f = ev[:BS], dv[:BS], A[lo:lo + BS], Y[lo:lo + BS]
            sc = g_scale[gi] * tick_scale
            if g_binary[gi]:                               # each unit's error and |a - t| (NaN target: 0, 0)
                error_binary_row(e_t, a_f, y_f, eps_log, sc, d_row, e_row)
            else:
                error_row(e_t, a_f, y_f, eps_log, sc, d_row, e_row)
            for j in range(BS):                            # the sums in the order of the rows and units
                total += e_row[j]
                if d_row[j] > worst:
                    worst = d_row[j]
    # ---------------------------------------------------------------- backward through time
    d_cur = rest[B * U:2 * B * U]                           # dE/da(t) sent back from t+1, (B, size) per group
    d_next = rest[2 * B * U:3 * B * U]                      # dE/da(t+1) (OUT_INTEGR carry)
    dn_next = rest[3 * B * U:4 * B * U]                     # dE/dn(t+1) (IN_INTEGR carry)
    d_cur[:] = 0.0
    d_next[:] = 0.0
    dn_next[:] = 0.0
    for t in range(T, 0, -1):
        for gi in range(G):
            if not g_computed[gi]:
                continue
            s0 = g_start[gi]
            sz = g_size[gi]
            o = off[gi] // TT
            sc = g_scale[gi] * tick_scale
            e_t = g_err[gi]
            oc, ic, cc = g_out_integ[gi], g_in_integ[gi], g_clamp[gi]
            fn = g_func[gi]
            # the tick's (B, size) block of the group, flat (loops LLVM vectorises); per row only
            # what reads the row's example (its targets, its inputs)
            BS = B * sz
            lo = off[gi] + t * BS
            hi = lo + BS
            dc, d, dnn, df = d_cur[o:o + BS], d_next[o:o + BS], dn_next[o:o + BS], scratch[:BS]
            r_f = R[lo:hi]
            # dE/da(t): what t+1 sent back, the OUT_INTEGR carry, the error at t, the clamp; it is the
            # carry for tick t-1 too (d_next)
            for j in range(BS):
                d[j] = dc[j] + integrate_carry(oc, d[j], dt)
            if e_t >= 0:
                error_deriv_row(e_t, A[lo:hi], Y[lo:hi], eps_log, sc, d)
            if cc != 0:
                for b in range(B):                         # toward the row's example's inputs
                    d_b, x_t = d[b * sz:(b + 1) * sz], XS[rows[b], t, s0:s0 + sz]
                    for u in range(sz):
                        d_b[u] = clamp_back(cc, d_b[u], x_t[u], g_strength[gi])
            # dE/df = into(dE/da); dE/dn(t) = dE/df f'(n); dE/draw(t) = into(dE/dn) (IN_INTEGR)
            for j in range(BS):
                df[j] = integrate_into(oc, d[j], dt)
            if ic == 0:
                slope_row(fn, F[lo:hi], NET[lo:hi], df, r_f)
            else:
                slope_row(fn, F[lo:hi], NET[lo:hi], df, df)
                for j in range(BS):
                    dn = df[j] + integrate_carry(ic, dnn[j], dt)
                    dnn[j] = dn
                    r_f[j] = integrate_into(ic, dn, dt)
        d_cur[:] = 0.0
        if t > 1:                                            # dE/da_i(t-1) += dE/draw_j(t) w_ij
            for gi in range(G):
                if not g_computed[gi]:
                    continue
                sz = g_size[gi]
                r_t = _view3(R, off[gi], TT, B, sz)[t]
                for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                    k = inc_blk[p]
                    src = blk_src[k]
                    if not g_computed[src]:
                        continue
                    ns = g_size[src]
                    w = WF[boff[k]:boff[k] + bnf[k] * bnt[k]].reshape(bnf[k], bnt[k])
                    s = scratch[:B * ns].reshape(B, ns)
                    np.dot(r_t, w.T, s)
                    o = off[src] // TT
                    dc = d_cur[o:o + B * ns]                 # (a slice: no index arithmetic in the loop)
                    sf = scratch[:B * ns]
                    for i in range(B * ns):
                        dc[i] += sf[i]
    # dE/dw_ij = sum over ticks 1..T and examples of a_i(t-1) dE/draw_j(t): one product per block
    for gi in range(G):
        if not g_computed[gi]:
            continue
        sz = g_size[gi]
        rr = R[off[gi] + B * sz:off[gi + 1]].reshape(T * B, sz)
        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
            k = inc_blk[p]
            src = blk_src[k]
            ns = g_size[src]
            aa = A[off[src]:off[src] + T * B * ns].reshape(T * B, ns)
            dw = DW[boff[k]:boff[k] + bnf[k] * bnt[k]].reshape(bnf[k], bnt[k])
            np.dot(aa.T, rr, dw)
    return total, worst


@njit(cache=True, parallel=True, error_model="numpy")
def run_epochs_time_batch(XS, TS, T, orders, n_epochs, batch, n_slices, groups, links, WF, DWF, LCF, rates, algorithm,
                          use_orders, dt, tick_scale, err_crit, out_crit, eps_log, errors_out, dist_out):
    """Epochs of batch training; each batch is cut into up to ``n_slices`` slices run in parallel."""
    boff, bnf, bnt = links[3], links[4], links[5]
    lr, mom, decay = rates
    N = XS.shape[0]
    nw = WF.shape[0]
    bsize = bnf * bnt
    U = XS.shape[2]
    S_max = max(1, min(n_slices, batch, N))
    rows_max = -(-min(batch, N) // S_max)
    work = np.empty((S_max, (5 * (T + 1) + 6) * rows_max * U), WF.dtype)
    DWS = np.empty((S_max, nw), WF.dtype)
    tot = np.zeros(S_max)
    wst = np.zeros(S_max)
    rows = np.empty(min(batch, N), dtype=np.int64)
    for ep in range(n_epochs):
        total = 0.0
        worst = 0.0
        for start in range(0, N, batch):
            bsz = min(batch, N - start)
            for b in range(bsz):
                rows[b] = orders[ep, start + b] if use_orders else start + b
            S = min(S_max, bsz)
            if S == 1:                                # one slice: no parallel region (its threads would idle)
                tot[0], wst[0] = _slice_pass(rows[:bsz], XS, TS, T, groups, links, WF, dt, tick_scale, eps_log, DWS[0],
                                             work[0])
            else:
                for s in prange(S):
                    lo = s * bsz // S
                    hi = (s + 1) * bsz // S
                    tot[s], wst[s] = _slice_pass(rows[lo:hi], XS, TS, T, groups, links, WF, dt, tick_scale, eps_log,
                                                 DWS[s], work[s])
            for x in range(nw):
                acc = DWS[0, x]
                for s in range(1, S):
                    acc += DWS[s, x]
                DWF[x] = acc
            for s in range(S):
                total += tot[s]
                if wst[s] > worst:
                    worst = wst[s]
            update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm)
        errors_out[ep] = total
        dist_out[ep] = worst
        if _reached(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs


@njit(cache=True, nogil=True, error_model="numpy")
def member_epochs(XS, TS, T, orders, n_epochs, batch, groups, links, WF, DWF, LCF, rates, algorithm, use_orders, dt,
                  tick_scale, err_crit, out_crit, eps_log, errors_out, dist_out):
    """One network's epochs of batch training on one core (each batch one slice): what
    run_epochs_time_batch does with n_slices 1, for a member of an ensemble (without the GIL,
    so that members run in threads side by side)."""
    boff, bnf, bnt = links[3], links[4], links[5]
    lr, mom, decay = rates
    N = XS.shape[0]
    U = XS.shape[2]
    bsize = bnf * bnt
    work = np.empty((5 * (T + 1) + 6) * min(batch, N) * U, WF.dtype)
    rows = np.empty(min(batch, N), dtype=np.int64)
    for ep in range(n_epochs):
        total = 0.0
        worst = 0.0
        for start in range(0, N, batch):
            bsz = min(batch, N - start)
            for b in range(bsz):
                rows[b] = orders[ep, start + b] if use_orders else start + b
            e, w = _slice_pass(rows[:bsz], XS, TS, T, groups, links, WF, dt, tick_scale, eps_log, DWF, work)
            total += e
            if w > worst:
                worst = w
            update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm)
        errors_out[ep] = total
        dist_out[ep] = worst
        if _reached(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs


guard([_view3, _slice_pass, run_epochs_time_batch, member_epochs])
