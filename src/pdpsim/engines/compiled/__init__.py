"""The compiled engine (numba): registers backend ``compiled``; numba loads only when it runs."""
from pdpsim.engines.compiled.engine import CompiledEngine

__all__ = ["CompiledEngine"]
