"""The cores this process may use, and BLAS held to one thread while each core runs products of
its own (the compiled ensemble's members, the numpy engine's slices of a batch)."""
from __future__ import annotations

import os

_CORES: int | None = None
_BLAS = None


#: thread limits a process may be given (a Dask worker gets 1 for each); the least of them is kept
THREAD_LIMITS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def cores() -> int:
    """How many cores this process may use: its CPU affinity, or fewer where the environment
    limits its threads (:data:`THREAD_LIMITS`)."""
    global _CORES
    if _CORES is None:
        try:
            n = len(os.sched_getaffinity(0))
        except AttributeError:                                  # pragma: no cover - not Linux
            n = os.cpu_count() or 1
        for name in THREAD_LIMITS:
            try:
                n = min(n, max(1, int(os.environ[name])))
            except (KeyError, ValueError):
                pass
        _CORES = n
    return _CORES


def one_blas_thread():
    """A context in which every BLAS runs on one thread (threadpoolctl). The libraries are looked
    up once a process (about 3 ms a lookup), after loading the BLAS that numba's products call
    (scipy's, through scipy.linalg.cython_blas) as well as numpy's."""
    global _BLAS
    if _BLAS is None:
        import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS numba's np.dot calls)
        from threadpoolctl import ThreadpoolController
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")
