"""Output functions a = f(n), one module each; every module in this folder registers itself.

``OUTPUT_FUNCTIONS`` is the table (Lens's names); :func:`output_function` looks one up.
"""
from __future__ import annotations

import importlib
import pkgutil

from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction, output_function

#: the lecture's rules first (the order of the table, and of the names an error lists); then the others
_FIRST = ("logistic", "tanh", "linear", "soft_max")
for _name in _FIRST + tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _FIRST + ("base",))):
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["OUTPUT_FUNCTIONS", "OutputFunction", "output_function"]
