"""LINEAR: a = n; da/dn = 1."""
from __future__ import annotations


from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction


@OUTPUT_FUNCTIONS.register
class Linear(OutputFunction):
    """a = n; da/dn = 1. (Lens gives LINEAR units no gain: the option is kept and unused.)"""

    name = "LINEAR"
    aliases = ("IDENTITY",)
    formula = ("n", "1")

    @staticmethod
    def f(n):
        return n

    @staticmethod
    def slope(a, n):
        return 1.0 + 0.0 * a

    def forward(self, net_input, out):
        out[...] = net_input
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        out[...] = output_deriv
        return out

    @property
    def plain(self) -> bool:
        return not self.lens
