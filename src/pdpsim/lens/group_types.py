"""Lens's group types: the names, what Lens's type cleanup makes of a group's list, and what
pdpsim runs.

:func:`group_spec` checks a group's flags and its input, output and cost procedures (in Lens's
order, after the cleanup ``addGroup`` does, or after ``changeGroupType``) and returns what the
group is in pdpsim (:class:`GroupSpec`), stopping on what pdpsim does not implement;
:func:`type_text` is Lens's printGroupType.
"""
from __future__ import annotations

from dataclasses import dataclass

from pdpsim.lens.copies import COPY_TYPES
from pdpsim.lens.costs import UNIT_COSTS
from pdpsim.lens.damage import NOISE_TYPES
from pdpsim.lens.functions import ERROR_FUNCTIONS, OUTPUT_FUNCTIONS, LensError, NeedsTime

GROUP_FLAGS = ("BIAS", "INPUT", "OUTPUT", "ELMAN", "USE_INPUT_HIST", "USE_OUTPUT_HIST", "USE_TARGET_HIST",
               "USE_OUT_DERIV_HIST", "BIASED", "RESET_ON_EXAMPLE", "ADAPTIVE_GAIN", "DERIV_NOISE",
               "EXT_INPUT_NOISE", "WRITE_OUTPUTS", "LESIONED", "FROZEN", "STANDARD_CRIT", "MAX_CRIT")
INPUT_TYPES = ("DOT_PRODUCT", "DISTANCE", "PRODUCT", "IN_BOLTZ", "SOFT_CLAMP", "IN_INTEGR", "IN_NORM",
               "IN_NOISE", "IN_DERIV_NOISE", "IN_COPY", "INCR_CLAMP")
OUTPUT_TYPES = ("LINEAR", "LOGISTIC", "TERNARY", "TANH", "EXPONENTIAL", "GAUSSIAN", "SOFT_MAX", "KOHONEN",
                "OUT_BOLTZ", "HARD_CLAMP", "BIAS_CLAMP", "ELMAN_CLAMP", "WEAK_CLAMP", "OUT_INTEGR", "OUT_NORM",
                "OUT_NOISE", "OUT_DERIV_NOISE", "OUT_CROPPED", "OUT_COPY", "OUT_WINNER", "INTERACT_INTEGR")
COST_TYPES = ("SUM_SQUARED", "CROSS_ENTROPY", "DIVERGENCE", "COSINE", "TARGET_COPY", "LINEAR_COST",
              "QUADRATIC_COST", "CONV_QUAD_COST", "LOGISTIC_COST", "COSINE_COST", "DELTA_COST")
_BASIC_INPUT = {"DOT_PRODUCT", "DISTANCE", "PRODUCT", "IN_BOLTZ", "IN_COPY"}
_BASIC_OUTPUT = {"LINEAR", "LOGISTIC", "TERNARY", "TANH", "GAUSSIAN", "EXPONENTIAL", "SOFT_MAX", "KOHONEN",
                 "OUT_BOLTZ", "OUT_COPY", "INTERACT_INTEGR"}
_CLAMPING = {"HARD_CLAMP", "BIAS_CLAMP", "ELMAN_CLAMP", "WEAK_CLAMP"}
_ERRORS = {"SUM_SQUARED", "CROSS_ENTROPY", "DIVERGENCE", "COSINE"}
_NET_INPUTS = ("DOT_PRODUCT", "DISTANCE", "PRODUCT")
_AFTER_FUNCTION = ("OUT_NORM", "OUT_CROPPED", "OUT_WINNER")
_TIME_TYPES = {"ELMAN", "IN_INTEGR", "OUT_INTEGR", "INTERACT_INTEGR", "ELMAN_CLAMP", "SOFT_CLAMP", "WEAK_CLAMP",
               "USE_INPUT_HIST", "USE_OUTPUT_HIST", "USE_TARGET_HIST", "USE_OUT_DERIV_HIST", "INCR_CLAMP"}


def _estimated_init_output(outputs: list[str], units: int) -> float:
    """A new group's initOutput, as Lens's type cleanup sets it from the group's output types (in
    their order): 0.5 for LOGISTIC-like groups and hard-clamped inputs, 1/units for SOFT_MAX, 1 for the
    bias, 0 for TANH, TERNARY, LINEAR, EXPONENTIAL and ELMAN groups. The group's value always wins
    over the network's initOutput afterwards (Lens never leaves it unset)."""
    return estimated_bounds(outputs, units)[2]


def estimated_bounds(outputs: list[str], units: int) -> tuple[float, float, float]:
    """Lens's estimateOutputBounds: a new group's minOutput, maxOutput (NaN where no output type
    bounds it; the tightest bounds of its output types) and initOutput."""
    nan = float("nan")
    low = high = nan
    init = 0.0

    def lower(v, new):
        return new if v != v or new > v else v

    def upper(v, new):
        return new if v != v or new < v else v
    for t in outputs:
        if t == "BIAS_CLAMP":
            low, high, init = 0.0, 1.0, 1.0
        elif t in ("LOGISTIC", "GAUSSIAN", "SOFT_MAX", "KOHONEN", "OUT_BOLTZ", "OUT_NORM"):
            low, high = lower(low, 0.0), upper(high, 1.0)
            init = 1.0 / units if t == "SOFT_MAX" else 0.5
        elif t in ("TERNARY", "TANH"):
            low, high, init = lower(low, -1.0), upper(high, 1.0), 0.0
        elif t == "EXPONENTIAL":
            low = lower(low, 0.0)
    if low != low and high != high and set(outputs) & (_CLAMPING - {"ELMAN_CLAMP"}):
        low, high, init = 0.0, 1.0, 0.5
    return low, high, init


def _noise_types(name: str, kind: str, ins: list[str], outs: list[str], flags: set[str]) -> list[str]:
    """A group's noise types (Lens's noisy input and output procedures), refusing where pdpsim
    would not run them as Lens does: before the group's input or output function (Lens would
    overwrite or misplace the noise), on the bias or an ELMAN group."""
    noise = [t for t in ins + outs if t in NOISE_TYPES]
    extra = sorted({"DERIV_NOISE", "EXT_INPUT_NOISE"} & flags)
    if (noise or extra) and kind in ("BIAS", "ELMAN"):
        raise LensError(f"group '{name}': noise ({(noise + extra)[0]}) on a {kind} group is not implemented in "
                        "pdpsim")
    for procs in (ins, outs):
        basic = [k for k, t in enumerate(procs) if t not in NOISE_TYPES]
        for k, t in enumerate(procs):
            if t in NOISE_TYPES and basic and k < basic[0]:
                raise LensError(f"group '{name}': {t} before {procs[basic[0]]} (noise that the group's own "
                                "procedure would overwrite) is not implemented in pdpsim; list it after")
    return noise


def _continuous_clamps(name: str, flags: set[str], ins: list[str], outs: list[str]) -> list[str]:
    """SOFT_CLAMP, INCR_CLAMP and WEAK_CLAMP of a CONTINUOUS network's INPUT group, and the rest
    of such a group's procedures (run by :mod:`pdpsim.lens.ticks`): its input is its external
    input (SOFT_CLAMP, INCR_CLAMP) added to the net input of its incoming links if it has
    DOT_PRODUCT (an INPUT group may receive links, as in Lens), and its output comes from its
    output function (LOGISTIC by default with SOFT_CLAMP; none with WEAK_CLAMP alone) or from
    Lens's interactive activation (INTERACT_INTEGR), and may be integrated. Refused elsewhere
    (pdpsim's example files give external inputs to INPUT groups only) and in combinations
    whose order Lens would make pointless."""
    clamps = [t for t in ins if t in ("SOFT_CLAMP", "INCR_CLAMP")] + [t for t in outs if t == "WEAK_CLAMP"]
    if not clamps and not ("INPUT" in flags and "INTERACT_INTEGR" in outs):
        return []
    if "INPUT" not in flags:
        raise LensError(f"group '{name}': {clamps[0]} on a group that is not INPUT is not implemented in pdpsim "
                        "(its example files give external inputs to INPUT groups only)")
    funcs = [t for t in outs if t in OUTPUT_FUNCTIONS or t == "INTERACT_INTEGR"]
    core = [t for t in outs if t not in NOISE_TYPES and t != "OUT_INTEGR"]
    plain = [t for t in ins if t not in NOISE_TYPES and t != "IN_INTEGR"]
    want = funcs[:1] + (["WEAK_CLAMP"] if "WEAK_CLAMP" in outs else [])
    net_in = plain[:1] == ["DOT_PRODUCT"]
    in_clamps = plain[1:] if net_in else plain
    if (len(funcs) > 1 or core != want or in_clamps not in ([], ["SOFT_CLAMP"], ["INCR_CLAMP"])
            or (not funcs and (in_clamps or net_in)) or (funcs == ["INTERACT_INTEGR"] and "OUT_INTEGR" in outs)):
        raise LensError(f"group '{name}': the input types {ins} and output types {outs} on a clamped INPUT group "
                        "are not implemented in pdpsim (DOT_PRODUCT, then SOFT_CLAMP or INCR_CLAMP; one output "
                        "function or INTERACT_INTEGR, WEAK_CLAMP after it or alone; an integrator, noise)")
    return clamps + (["INTERACT_INTEGR"] if "INTERACT_INTEGR" in funcs else [])


@dataclass
class GroupSpec:
    """What a group is in pdpsim: its kind (INPUT, OUTPUT, BIAS, HIDDEN, ELMAN), output function and
    error (Lens names or None), integrator, noise types, criterion, flags and Lens's procedure lists."""

    kind: str
    function: str | None
    error: str | None
    integration: str | None
    noise: list
    crit: str | None
    flags: set
    in_procs: list
    out_procs: list
    cost_procs: list


def group_spec(name: str, flags, ins: list, outs: list, costs: list, continuous: bool) -> GroupSpec:
    """Check a group's types (Lens's lists, in order) and return what pdpsim makes of them."""
    flags = set(flags)
    sets = {"input": list(ins), "output": list(outs), "cost": list(costs)}
    in_procs, out_procs = list(sets["input"]), list(sets["output"])
    every = flags | set(sets["input"]) | set(sets["output"]) | set(sets["cost"])
    integration = None
    clamps = []
    if continuous:
        clamps = _continuous_clamps(name, flags, sets["input"], sets["output"])
        every = every - set(clamps)
        integ = [t for t in sets["input"] if t == "IN_INTEGR"] + [t for t in sets["output"] if t == "OUT_INTEGR"]
        if len(integ) > 1:
            raise LensError(f"group '{name}': both IN_INTEGR and OUT_INTEGR is not implemented in pdpsim")
        if integ:
            integration = integ[0]
            (sets["input"] if integration == "IN_INTEGR" else sets["output"]).remove(integration)
            every = every - {integration}
    elman = "ELMAN" in flags and not continuous and not {"BIAS", "INPUT", "OUTPUT"} & flags
    if elman:
        if sets["output"] != ["ELMAN_CLAMP"] or sets["input"] or sets["cost"]:
            extra = [t for t in sets["input"] + sets["output"] + sets["cost"] if t != "ELMAN_CLAMP"]
            raise LensError(f"group '{name}': an ELMAN group with the type "
                            f"{extra[0] if extra else 'ELMAN_CLAMP twice'} is not implemented in pdpsim")
        every = every - {"ELMAN", "ELMAN_CLAMP"}
    timed = sorted(every & _TIME_TYPES)
    if timed:
        raise NeedsTime(f"group '{name}' of type {timed[0]}")
    if "INPUT" in flags and "OUTPUT" in flags:
        raise LensError(f"group '{name}': a group both INPUT and OUTPUT is not implemented in pdpsim")
    kind = ("BIAS" if "BIAS" in flags else "INPUT" if "INPUT" in flags else
            "OUTPUT" if "OUTPUT" in flags else "ELMAN" if elman else "HIDDEN")
    ins, outs, costs = sets["input"], sets["output"], sets["cost"]
    noise = _noise_types(name, kind, ins, outs, flags)
    ins = [t for t in ins if t not in NOISE_TYPES]
    outs = [t for t in outs if t not in NOISE_TYPES]
    if kind == "ELMAN":
        function = None
    elif kind == "INPUT" and clamps:
        funcs = [t for t in outs if t in OUTPUT_FUNCTIONS]
        function = funcs[0] if funcs else None
    elif kind in ("INPUT", "BIAS"):
        expected = "HARD_CLAMP" if kind == "INPUT" else "BIAS_CLAMP"
        if outs != [expected] or ins:
            extra = [t for t in ins + outs if t != expected]
            raise LensError(f"group '{name}': the type {extra[0] if extra else outs} on a {kind} group is "
                            "not implemented in pdpsim")
        function = None
    else:
        for t in COPY_TYPES:
            if (ins + outs + costs).count(t) > 1:
                raise LensError(f"group '{name}': {t} twice is not implemented in pdpsim")
        copy_in = ins[:1] == ["IN_COPY"]
        if copy_in:
            ins = ["DOT_PRODUCT"] + ins[1:]          # (checked as a basic input type)
        others = [t for t in ins if t not in _NET_INPUTS and t != "IN_NORM"]
        if others:
            raise LensError(f"group '{name}': the input type {others[0]} is not implemented in pdpsim "
                            f"(input types: {', '.join(_NET_INPUTS)}, IN_NORM, IN_INTEGR, the noise types)")
        basic = [t for t in ins if t in _NET_INPUTS]
        if len(basic) != 1 or ins[0] != basic[0]:
            raise LensError(f"group '{name}': the input types {ins} are not implemented in pdpsim (one of "
                            f"{', '.join(_NET_INPUTS)}, first, then IN_NORM)")
        funcs = [t for t in outs if t in OUTPUT_FUNCTIONS or t in ("OUT_COPY", "KOHONEN")]   # KOHONEN: pdpsim.lens.kohonen
        others = [t for t in outs if t not in OUTPUT_FUNCTIONS and t not in _AFTER_FUNCTION
                  and t not in ("OUT_COPY", "KOHONEN")]
        if others:
            raise LensError(f"group '{name}': the output type {others[0]} is not implemented in pdpsim "
                            f"(output functions: {', '.join(OUTPUT_FUNCTIONS)}; after one: "
                            f"{', '.join(_AFTER_FUNCTION)}, OUT_INTEGR, the noise types)")
        if len(funcs) != 1:
            raise LensError(f"group '{name}': one output function expected, got {funcs or 'none'}")
        if outs[0] != funcs[0]:
            raise LensError(f"group '{name}': {outs[0]} before the output function {funcs[0]} (which would "
                            "overwrite it) is not implemented in pdpsim; list it after")
        function = None if funcs[0] in ("OUT_COPY", "KOHONEN") else funcs[0]
    errors = [t for t in costs if t in ERROR_FUNCTIONS]
    others = [t for t in costs if t not in ERROR_FUNCTIONS and t not in UNIT_COSTS and t != "TARGET_COPY"]
    if others:
        raise LensError(f"group '{name}': the error/cost type {others[0]} is not implemented in pdpsim "
                        f"(error types: {', '.join(ERROR_FUNCTIONS)}; unit costs: {', '.join(UNIT_COSTS)})")
    unit_costs = [t for t in costs if t in UNIT_COSTS]
    if unit_costs and kind == "BIAS":
        raise LensError(f"group '{name}': the cost type {unit_costs[0]} on the bias group is not implemented "
                        "in pdpsim")
    if kind != "OUTPUT" and errors:
        raise LensError(f"group '{name}': an error type on a group that is not OUTPUT is not implemented")
    if kind == "OUTPUT" and len(errors) != (0 if not errors and not continuous else 1):   # none: kohonen.loops
        raise LensError(f"group '{name}': one error type expected, got {errors or 'none'}")
    error = errors[0] if errors else None
    crit = next((f for f in ("STANDARD_CRIT", "MAX_CRIT") if f in flags), None)
    return GroupSpec(kind, function, error, integration, noise, crit, flags, in_procs, out_procs, list(costs))


#: Lens's group-class type names (printGroupType lists them in the type table's order, by name)
_BASE = ("BIAS", "ELMAN", "INPUT", "OUTPUT")
_HIST = ("USE_INPUT_HIST", "USE_OUTPUT_HIST", "USE_OUT_DERIV_HIST", "USE_TARGET_HIST")


def type_text(flags, crit_flags, in_procs: list, out_procs: list, cost_procs: list) -> str:
    """Lens's printGroupType: the base type, the input, output and cost procedures in order, the
    criterion, history and other group types (each group-class list sorted by name)."""
    out = []

    def block(label, names):
        if names:
            out.append(label)
            out.extend("  " + n for n in names)
    block("Base Type", sorted(f for f in flags if f in _BASE))
    block("Input Type", in_procs)
    block("Output Type", out_procs)
    block("Cost Type", cost_procs)
    block("Group Criterion Type", sorted(crit_flags))
    block("History Types", sorted(f for f in flags if f in _HIST))
    block("Other Types", sorted(f for f in flags if f not in _BASE + _HIST + ("STANDARD_CRIT", "MAX_CRIT")))
    return "".join(line + "\n" for line in out)
