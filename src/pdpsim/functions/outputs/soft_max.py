"""SOFT_MAX: a_j = exp(n_j) / sum_k exp(n_k) over the group."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction


@OUTPUT_FUNCTIONS.register
class SoftMax(OutputFunction):
    """a_j = exp(n_j) / sum_k exp(n_k);  dE/dn_j = a_j (dE/da_j - sum_k a_k dE/da_k).

    Not elementwise: each output depends on the whole group (the sums run over the units,
    the last axis). exp is taken of n_j - m with m = max_k n_k (Lens: max(0, max_k n_k)
    with the option ``lens``), which leaves a unchanged and keeps exp from overflowing.
    """

    name = "SOFT_MAX"
    aliases = ("SOFTMAX",)
    elementwise = False
    resting_output = 0.5
    lens_default_error = "DIVERGENCE"
    output_range = (0.0, 1.0)
    formula = ("exp(n) / sum exp(n)", "(softmax: dE/dn_j = a_j (dE/da_j - sum_k a_k dE/da_k))")

    def forward(self, net_input, out):
        m = net_input.max(axis=-1, keepdims=True)
        if self.lens:
            np.maximum(m, 0.0, out=m)
        np.subtract(net_input, m, out=out)
        np.exp(out, out=out)
        if self.lens:
            out *= 1.0 / out.sum(axis=-1, keepdims=True)
        else:
            out /= out.sum(axis=-1, keepdims=True)
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        s = (output * output_deriv).sum(axis=-1, keepdims=True)
        np.subtract(output_deriv, s, out=out)
        out *= output
        return out

    def array_forward(self, xp, n):
        e = xp.exp(n - xp.max(n, axis=-1, keepdims=True))
        return e / xp.sum(e, axis=-1, keepdims=True)

    def array_backward(self, xp, a, output_deriv, n=None):
        return (output_deriv - xp.sum(a * output_deriv, axis=-1, keepdims=True)) * a

    @property
    def plain(self) -> bool:
        return not self.lens
