"""The Array API engine (CuPy, torch, array-api-strict, numpy): registers backend ``array:<namespace>``.

Its namespace is imported only when it runs."""
from pdpsim.engines.array_api.engine import ArrayEngine

__all__ = ["ArrayEngine"]
