"""Each rule once: output functions, error functions, integrators, clamps and targets.

Every rule lives in one module, its forward beside its backward, written once in the
vocabulary of :mod:`pdpsim.functions.forms`; the numpy, compiled and Array API forms all
run that one definition. The tables (:class:`~pdpsim.functions.registry.Registry`) use
Lens's type names, so files and scripts round-trip, and give the compiled kernels their
codes (:mod:`pdpsim.functions.codes`). An unknown name is an error listing the known ones.

=====================  ===========================================================
``outputs/``           a = f(n) and da/dn: LOGISTIC, TANH, LINEAR, SOFT_MAX, ...
``errors/``            E(a, t) and dE/da: SUM_SQUARED, CROSS_ENTROPY, DIVERGENCE, ...
``integrators``        OUT_INTEGR, IN_INTEGR: the state from tick to tick, and back
``clamps``             HARD, SOFT: external input on a group's output, and back
``targets``            missing targets and Lens's target and zero-error radii
``forms``              the vocabulary, and the three forms of one definition
``codes``              kernel codes and the compiled dispatch, from the tables
=====================  ===========================================================
"""
from pdpsim.functions.clamps import CLAMPS, clamp, clamp_name
from pdpsim.functions.errors import ERROR_FUNCTIONS, LOG_EPS, LOG_EPS32, ErrorFunction, error_function, log_eps
from pdpsim.functions.integrators import INTEGRATORS, integration_name, integrator
from pdpsim.functions.outputs import OUTPUT_FUNCTIONS, OutputFunction, output_function
from pdpsim.functions.registry import Registry
from pdpsim.functions.targets import effective_target, lens_effective_target, radius_target

__all__ = ["CLAMPS", "clamp", "clamp_name", "ERROR_FUNCTIONS", "LOG_EPS", "LOG_EPS32", "ErrorFunction",
           "error_function", "log_eps", "INTEGRATORS", "integration_name", "integrator", "OUTPUT_FUNCTIONS",
           "OutputFunction", "output_function", "Registry", "effective_target", "lens_effective_target",
           "radius_target"]
