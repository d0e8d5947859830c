"""Lens's copy group types: IN_COPY, OUT_COPY and TARGET_COPY, and ``copyConnect``.

``copyConnect <source> <copy> <field>`` fills the first empty copy slot of the copy group (its
IN_COPY input procedure, else its OUT_COPY output procedure, else its TARGET_COPY cost
procedure) with a source group of the same size and one of the units' fields. Lens matches the
field name by prefix: ``externalInputs`` (from "ex"), ``targets`` (from "ta"), ``inputDerivs``
(from "inputDe") and ``outputDerivs`` (from "outputDe"); its ``inputs`` and ``outputs`` can
never match (Lens asks for one character more than the word has) and are refused with Lens's
message. Filling an OUT_COPY slot gives the copy group the source's minOutput and maxOutput
where its own are unset.

When the procedure runs, in the group's place in Lens's order (:mod:`pdpsim.lens.steps`,
:mod:`pdpsim.lens.ticks`), each of the copy group's units takes the field of the source unit at
the same place as that unit holds it then: IN_COPY sets the input (then the group's output
function runs on it), OUT_COPY the output, TARGET_COPY the target (an error listed after it
uses the copy). A copy slot left empty does nothing. None of them has a backward procedure:
nothing goes back through the copy (an OUT_COPY group's input derivatives stay as they were, so
its incoming links are credited with those).
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens.functions import LensError

COPY_TYPES = ("IN_COPY", "OUT_COPY", "TARGET_COPY")

#: Lens's field names, in the order it tries them, with the characters a name must match
_FIELDS = (("inputs", 7, "input"), ("externalInputs", 2, "externalInput"), ("outputs", 8, "output"),
           ("targets", 2, "target"), ("inputDerivs", 7, "inputDeriv"), ("outputDerivs", 8, "outputDeriv"))


def _matches(text: str, name: str, need: int) -> bool:
    """Lens's subString: ``text`` agrees with ``name`` on at least ``need`` leading characters."""
    n = 0
    while n < len(text) and n < len(name) and text[n] == name[n]:
        n += 1
    return n >= need


def field_of(text: str) -> str | None:
    """The unit field Lens's copyConnect makes of ``text`` (None: a bad field type)."""
    for name, need, field in _FIELDS:
        if _matches(text, name, need):
            return field
    return None


class CopyCommands:
    """``copyConnect`` (mixed into :class:`~pdpsim.lens.shell.LensShell`)."""

    def c_copyConnect(self, *args):
        usage = "copyConnect <source-group> <copy-group> <field>"
        if len(args) != 3:
            raise self._usage("copyConnect", usage)
        net = self._need_net("copyConnect")
        for g in args[:2]:
            if g not in net.groups:
                raise LensError(f'copyConnect: group "{g}" doesn\'t exist')
        source, copy = net.groups[args[0]], net.groups[args[1]]
        if source.size != copy.size:
            raise LensError("copyConnect: source and copy groups aren't the same size")
        field = field_of(args[2])
        if field is None:
            raise LensError(f"copyConnect: bad field type: {args[2]}\n")
        slots = getattr(copy, "copy_slots", None)
        if slots is None:
            slots = copy.copy_slots = {}
        for procs, proc in ((copy.in_procs, "IN_COPY"), (copy.out_procs, "OUT_COPY"),
                            (copy.cost_procs, "TARGET_COPY")):
            free = procs.count(proc) - len(slots.get(proc, []))
            if free > 0:
                break
        else:
            raise LensError(f'Group "{copy.name}" has no empty *_COPY slots.')
        slots.setdefault(proc, []).append((source.name, field))
        if proc == "OUT_COPY":
            for p in ("minOutput", "maxOutput"):
                if np.isnan(copy.params[p]):
                    copy.params[p] = source.params[p]
        return ""


def run_copy(u, proc: str) -> None:
    """The filled slot of ``proc`` in group run ``u`` (a ``ticks._Unit``): its units' input,
    output or target set to the source units' field as it is now."""
    slots = getattr(u.g, "copy_slots", {}).get(proc, [])
    if not slots:
        return
    src_name, field = slots[0]
    src = u.lnet.groups[src_name].state[field]
    dest = u.s[{"IN_COPY": "input", "OUT_COPY": "output", "TARGET_COPY": "target"}[proc]]
    dest[u.k] = src[u.k]
