"""How pdpsim's objects show themselves in Jupyter notebooks.

The core classes (:class:`~pdpsim.Network`, :class:`~pdpsim.ExampleSet`,
:class:`~pdpsim.TrainingResult`) inherit :class:`RichDisplay`, whose ``_repr_html_``
asks this table for an HTML formatter. The viewer (:mod:`pdpsim.viewer.jupyter`) fills
the table when it is imported (``import pdpsim`` does it), so the core never imports the
viewer; with no formatter, ``_repr_html_`` returns None and Jupyter shows the plain repr.
"""
from __future__ import annotations

from typing import Callable

_FORMATTERS: dict[str, Callable[[object], str]] = {}


def register_html(class_name: str, formatter: Callable[[object], str]) -> None:
    """Show instances of the class named ``class_name`` (or of its subclasses) as ``formatter(obj)``."""
    _FORMATTERS[class_name] = formatter


def html(obj) -> str | None:
    for cls in type(obj).__mro__:
        fn = _FORMATTERS.get(cls.__name__)
        if fn is not None:
            return fn(obj)
    return None


class RichDisplay:
    """Mixin: ``_repr_html_`` from the registered formatter."""

    def _repr_html_(self) -> str | None:
        return html(self)
