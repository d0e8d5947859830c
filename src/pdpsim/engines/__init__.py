"""The engines that run a network's epochs. Each registers itself with
:mod:`pdpsim.training.engines` when imported (``import pdpsim`` imports them all);
none loads its heavy dependency (numba, an array library) until it runs.

===================  ===============================================================
``reference``        numpy: one matrix product per link block per batch (every network)
``compiled/``        numba: whole epochs in compiled loops (small batches, networks in time)
``array_api/``       any Array API namespace: CuPy or torch on a GPU
===================  ===============================================================
"""
from pdpsim.engines import array_api, compiled, reference

__all__ = ["array_api", "compiled", "reference"]
