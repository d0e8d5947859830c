"""Output functions a = f(n): each forward rule beside its backward rule.

The backward rule turns the output derivative dE/da into the input
derivative dE/dn ("input derivative" in Lens):

    dE/dn_j = dE/da_j * f'(n_j)          e.g. logistic: f'(n) = a (1 - a)

Names follow Lens (``LOGISTIC``, ``TANH``, ``LINEAR``, ``SOFT_MAX``) so files
and scripts round-trip. Arrays have any leading axes ([ensemble,] batch) and
units last.
"""
from __future__ import annotations

import numpy as np

from pdpsim.validation import PdpError


class OutputFunction:
    """a = f(n) and dE/dn from dE/da. Subclasses fill ``forward`` and ``backward``."""

    name = ""
    #: natural error function for this output function (as Lens chooses it)
    lens_default_error = "CROSS_ENTROPY"

    def forward(self, net_input: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def backward(self, output: np.ndarray, output_deriv: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class Logistic(OutputFunction):
    """a = 1 / (1 + exp(-n));  da/dn = a (1 - a)."""

    name = "LOGISTIC"

    def forward(self, net_input, out):
        # 1/(1+exp(-n)); -n is capped so that exp cannot overflow (a is then 1e-304, or 1e-35 in float32)
        np.negative(net_input, out=out)
        np.minimum(out, 700.0 if out.dtype != np.float32 else 80.0, out=out)
        np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)
        return out

    def backward(self, output, output_deriv, out):
        # dE/dn = dE/da * a * (1 - a)
        np.subtract(1.0, output, out=out)
        out *= output
        out *= output_deriv
        return out


class Tanh(OutputFunction):
    """a = tanh(n);  da/dn = 1 - a^2."""

    name = "TANH"
    lens_default_error = "SUM_SQUARED"

    def forward(self, net_input, out):
        return np.tanh(net_input, out=out)

    def backward(self, output, output_deriv, out):
        np.multiply(output_deriv, 1.0 - output * output, out=out)
        return out


class Linear(OutputFunction):
    """a = n;  da/dn = 1."""

    name = "LINEAR"
    lens_default_error = "SUM_SQUARED"

    def forward(self, net_input, out):
        out[...] = net_input
        return out

    def backward(self, output, output_deriv, out):
        out[...] = output_deriv
        return out


class SoftMax(OutputFunction):
    """a_j = exp(n_j) / sum_k exp(n_k) over the group;
    dE/dn_j = a_j (dE/da_j - sum_k a_k dE/da_k)."""

    name = "SOFT_MAX"
    lens_default_error = "DIVERGENCE"

    def forward(self, net_input, out):
        np.subtract(net_input, net_input.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def backward(self, output, output_deriv, out):
        s = (output * output_deriv).sum(axis=-1, keepdims=True)
        np.subtract(output_deriv, s, out=out)
        out *= output
        return out


OUTPUT_FUNCTIONS: dict[str, type[OutputFunction]] = {
    cls.name: cls for cls in (Logistic, Tanh, Linear, SoftMax)
}
_ALIASES = {"SIGMOID": "LOGISTIC", "SOFTMAX": "SOFT_MAX", "IDENTITY": "LINEAR"}


def output_function(name: str, where: str = "") -> OutputFunction:
    """Look up an output function by its Lens name (case-insensitive)."""
    key = str(name).upper().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in OUTPUT_FUNCTIONS:
        prefix = f"{where}: " if where else ""
        raise PdpError(f"{prefix}unknown unit type {name!r}; expected one of {', '.join(OUTPUT_FUNCTIONS)}")
    return OUTPUT_FUNCTIONS[key]()
