"""The compiled engine: whole epochs inside numba kernels, for one network or an ensemble.

It registers itself as backend ``compiled``. ``auto`` takes it when it supports the run,
the work per update is small enough that BLAS would not do better (no limit for a network
in time whose examples all run the same ticks: its batch kernel calls BLAS itself) and the
run is long enough to repay loading numba.

Ensembles: small feed-forward networks put their members on the vector lanes of one
kernel (:mod:`pdpsim.engines.compiled.kernels_lanes`), larger ones spread whole members
over the cores (``kernels.run_ensemble``), and networks in time run one member per core in
threads without the GIL. Each member stops on its own criterion inside the kernels.
"""
from __future__ import annotations

import numpy as np

from pdpsim.dynamics.feedforward import feedforward_arrays
from pdpsim.engines.compiled import flat
from pdpsim.model import cores
from pdpsim.training.engines import Engine, Members, register
from pdpsim.training.loop import batch_size

#: batch size x links: above this, BLAS does better than the kernels
COMPILED_WORK_LIMIT = 200_000
#: updates below this do not repay loading numba (~0.5 s)
COMPILED_MIN_UPDATES = 10_000
#: the fewest members for which the lanes are used, and the most in one chunk (wide chunks pay:
#: each row of members costs a little to start; 1000 XOR members on 2 cores ran ~15% faster
#: as 2 chunks of 500 than as 4 of 256)
MIN_LANE_MEMBERS = 8
LANES = 1024


def _same_ticks(net, examples) -> bool:
    """Whether every example of a network in time runs the same number of ticks."""
    if net.time is None or net.time.mode != "continuous":
        return False
    from pdpsim.dynamics import unfolding
    from pdpsim.validation import PdpError
    try:
        ticks = unfolding.tables(net, examples).ticks.sum(axis=1)
    except PdpError:
        return False
    return bool((ticks == ticks[0]).all())


@register
class CompiledEngine(Engine):
    """numba: whole epochs in one compiled call, example by example (see the module docstring)."""

    name = "compiled"
    priority = 10
    chunk = 1000

    @classmethod
    def available(cls) -> str | None:
        return None if flat.available() else "the compiled loop: it needs numba, which is not installed"

    @classmethod
    def unsupported(cls, net, examples, params, members: Members, argument) -> str | None:
        why = flat.unsupported(net, params)
        if why is None and members.ensemble and net.dtype != np.float64:
            why = "float32 ensembles"
        return why

    @classmethod
    def worth_it(cls, net, examples, params, members: Members, start_epoch: int) -> bool:
        n = len(examples)
        bs = batch_size(params, n)
        same = _same_ticks(net, examples)
        small = bs * net.n_links <= COMPILED_WORK_LIMIT or (net.time is not None and bs > 1 and same)
        if members.ensemble:
            return small
        updates = (params.max_epochs - start_epoch) * -(-n // bs)
        if net.time is not None:                    # a numpy update of a network in time costs a pass per tick
            updates *= max(1, int(round(net.time.intervals * net.time.ticks_per_interval)))
        return small and updates >= COMPILED_MIN_UPDATES

    def __init__(self, net, examples, params, members: Members, argument=None):
        super().__init__(net, examples, params, members, argument)
        self.bs = batch_size(params, len(examples))
        if net.time is not None:
            self.cn = flat.CompiledTimeNet(net, examples, params)
        else:
            self.cn = flat.CompiledNet(net, *feedforward_arrays(net, examples), params)
        self.ensemble = members.ensemble
        if self.ensemble:
            self.chunk = max(1, params.max_epochs)          # every member to its end in one call
            E = members.size
            self.WF, self.DWF, self.LCF = self.cn.buffers(E)
            self.DWF[...] = 0.0
            blocks = net.blocks
            rates = np.asarray(members.rates, dtype=np.float64)
            # (members, blocks): each member's rate, or a block's own
            self.lr = np.empty((E, len(blocks)))
            for k, b in enumerate(blocks):
                self.lr[:, k] = rates if b.learning_rate is None else b.learning_rate
        else:
            self.WF, self.DWF, self.LCF = self.cn.buffers()

    # ---------------------------------------------------------------- one network
    def epochs(self, orders, k):
        if self.ensemble:
            return self._ensemble_epochs(orders, k)
        done, errs, dists = self.cn.run(self.WF, self.DWF, self.LCF, None if orders is None else orders[0], k,
                                        self.bs)
        return np.array([done]), errs[:, None], dists[:, None]

    def sync(self) -> None:
        self.cn.copy_back(self.WF, self.DWF, self.LCF)
        for b in self.net.blocks:
            b.rule_state.clear()

    # ---------------------------------------------------------------- ensembles
    def _ensemble_epochs(self, orders, K):
        cn, E = self.cn, self.members.size
        use = orders is not None
        if not use:
            orders = np.zeros((E, 1, 1), dtype=np.int64)
        # (K, E) as the loop takes them; the kernels write each member's row of the (E, K) views
        errors_ke = np.full((K, E), np.nan)
        dists_ke = np.zeros((K, E))
        errors, dists = errors_ke.T, dists_ke.T
        done = np.zeros(E, dtype=np.int64)
        lanes = self._lanes() if self.net.time is None else 0
        if self.net.time is not None:
            self._run_time(orders, K, use, errors, dists, done)
        elif lanes:
            self._run_lanes(lanes, orders, K, use, errors, dists, done)
        else:
            from pdpsim.engines.compiled.kernels import run_ensemble
            flat.quiet_threads()
            mom = np.tile(cn.mom, (E, 1))
            decay = np.tile(cn.decay, (E, 1))
            run_ensemble(cn.X, cn.T, orders, K, self.bs, cn.groups, cn.links, self.WF, self.DWF, self.LCF, self.lr,
                         mom, decay, cn.algorithm, use, cn.err_crit, cn.out_crit, cn.eps_log, errors, dists, done)
        return done, errors_ke, dists_ke

    def _run_time(self, orders, K, use, errors, dists, done) -> None:
        """Members in threads, one per core at a time (the kernels run without the GIL): each
        member's batches through the batch kernel on one core (every example the same ticks) or
        example by example."""
        from concurrent.futures import ThreadPoolExecutor

        import numba
        cn = self.cn

        def member(m: int) -> None:
            o = orders[m] if use else None
            d, e, w = cn.run(self.WF[m], self.DWF[m], self.LCF[m], o, K, self.bs, slices=1, lr=self.lr[m])
            done[m], errors[m], dists[m] = d, e, w

        flat.quiet_threads()
        with cores.one_blas_thread(), ThreadPoolExecutor(max(1, numba.get_num_threads())) as pool:
            list(pool.map(member, range(self.members.size)))

    def _lanes(self) -> int:
        """How many members share a chunk on the vector lanes (0: one member at a time). Lanes pay
        when the members are many and each is small (its work per example too little for the vector
        units); a large network fills them with its own units. Chunks are as wide as allows one per
        core, at most LANES members and about 64 MB of unit states."""
        cn, E = self.cn, self.members.size
        widest = int(cn.g_size[cn.g_computed].max()) if cn.g_computed.any() else 1
        if E < MIN_LANE_MEMBERS or widest >= 64:
            return 0
        import numba
        per_core = -(-E // max(1, numba.get_num_threads()))
        states = max(1, self.bs * cn.X.shape[1])
        L = min(LANES, per_core, max(4, 2_000_000 // states))
        return -(-L // 4) * 4

    def _run_lanes(self, L, orders, K, use, errors, dists, done) -> None:
        """The members in chunks of L on the vector lanes; the buffers end as each member's weights
        the epoch it stopped."""
        flat.quiet_threads()
        from pdpsim.engines.compiled.kernels_lanes import run_ensemble_lanes
        cn = self.cn
        E, total = self.WF.shape
        C = -(-E // L)

        def chunked(a):                                   # (E, x) -> (C, x, L), padded with zeros
            out = np.zeros((C * L,) + a.shape[1:], dtype=a.dtype)
            out[:E] = a
            return np.ascontiguousarray(out.reshape(C, L, -1).transpose(0, 2, 1))

        W, LC = chunked(self.WF), chunked(self.LCF)
        DW = np.zeros_like(W)
        lrc = chunked(self.lr)
        if use:
            pad = np.zeros((C * L,) + orders.shape[1:], dtype=np.int64)
            pad[:E] = orders
            orders = pad
        alive = np.zeros(C * L, dtype=np.bool_)
        alive[:E] = True
        alive = alive.reshape(C, L)
        WS, DS, LS = np.zeros_like(W), np.zeros_like(W), np.zeros_like(W)
        # the padding's lanes are never alive: the kernel writes members 0 .. E-1 only
        run_ensemble_lanes(cn.X, cn.T, orders, K, self.bs, cn.groups, cn.links, W, DW, LC, lrc, cn.mom, cn.decay,
                           cn.algorithm, use, cn.err_crit, cn.out_crit, cn.eps_log, alive, errors.T, dists.T, done, WS,
                           DS, LS)

        def unchunked(a):
            return a.transpose(0, 2, 1).reshape(C * L, total)[:E]

        self.WF[...], self.DWF[...], self.LCF[...] = unchunked(WS), unchunked(DS), unchunked(LS)
