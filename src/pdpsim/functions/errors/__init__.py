"""Error functions E(a, t), one module each; every module in this folder registers itself.

``ERROR_FUNCTIONS`` is the table (Lens's names); :func:`error_function` looks one up.
"""
from __future__ import annotations

import importlib
import pkgutil

from pdpsim.functions.errors.base import (ERROR_FUNCTIONS, LOG_EPS, LOG_EPS32, ErrorFunction, error_function,
                                          log_eps)

#: the lecture's rules first (the order of the table, and of the names an error lists); then the others
_FIRST = ("sum_squared", "cross_entropy", "divergence")
for _name in _FIRST + tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _FIRST + ("base",))):
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["ERROR_FUNCTIONS", "ErrorFunction", "error_function", "log_eps", "LOG_EPS", "LOG_EPS32"]
