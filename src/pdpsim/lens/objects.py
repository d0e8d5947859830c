"""Lens's object paths for ``getObj`` / ``setObj`` (``getObject`` / ``setObject``).

A path names a field by walking from the current network: ``learningRate``,
``hidden.unit(0).output``, ``group(2).numUnits``, ``output:0.incoming(1).weight``,
``hidden.unit(3).incoming2(0).lastWeightDelta``, ``output.unit(0).block(1).min``,
``trainingSet.numExamples``, ``root.set(0).name``. As in Lens, a path is looked
up first among the network's fields, then the root's, then its first part is
taken as a network, group, unit or example-set name. Reals print as Lens
prints them (``%.7g``, NaN as ``-``); integers and names as they are.

Only fields pdpsim has are reachable; any other path stops the script with a
message naming it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from pdpsim.lens.functions import LensError, NeedsTime
from pdpsim.lens import kohonen
from pdpsim.lens.train import BLOCK_PARAMS, INT_PARAMS, NET_DEFAULTS, PROCS, LensExampleSet, LensGroup, LensNet

_TOKEN = re.compile(r"\.*(?:[(\[,]\s*(-?\d+)\s*[)\]]?|([^\[(.]+))")

# the unit fields Lens keeps per tick for networks in time
_HISTORY = ("inputHistory", "outputHistory", "targetHistory", "outputDerivHistory")
_GUI = {"autoPlot", "plotCols", "plotRows", "unitCellSize", "unitCellSpacing", "linkCellSize", "linkCellSpacing",
        "showIncoming", "showOutgoing", "numColumns", "neighborhood", "periodicBoundary", "plotRow", "plotCol"}
#: a group's display settings: kept, read back, used by the viewer only (Lens's defaults)
GROUP_DISPLAY = {"numColumns": 0, "showIncoming": 1, "showOutgoing": 1}
#: a unit's place in Lens's unit display (set by plotRow / autoPlot; read-only in Lens)
UNIT_DISPLAY = ("plotRow", "plotCol")


def group_display(g) -> dict:
    """The display settings of group ``g`` (made on first use)."""
    d = getattr(g, "display", None)
    if d is None:
        d = g.display = dict(GROUP_DISPLAY)
    return d


def parse_path(path: str) -> list[str | int]:
    """``hidden.unit(0).output`` -> ['hidden', 'unit', 0, 'output'] (Lens's parseMemberName)."""
    out: list[str | int] = []
    pos = 0
    path = path.strip()
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or m.end() == pos:
            raise LensError(f'bad object path "{path}" near "{path[pos:]}"')
        if m.group(1) is not None:
            out.append(int(m.group(1)))
        elif m.group(2):
            out.append(m.group(2))
        pos = m.end()
        while pos < len(path) and path[pos] == ".":
            pos += 1
    return out


@dataclass
class Field:
    """A leaf: how to read it and (if writable) write it."""

    kind: str                                   # int, real, flag, str, proc
    get: Callable[[], Any]
    set: Callable[[Any], None] | None = None

    def format(self, digits: int) -> str:
        v = self.get()
        if self.kind == "real":
            return format_real(v, digits)
        if self.kind in ("int", "flag"):
            return str(int(v))
        return "" if v is None else str(v)

    def parse(self, text: str, path: str):
        if self.kind == "real":
            if text.strip() == "-":
                return float("nan")
            try:
                return float(text)
            except ValueError:
                raise LensError(f'setObj {path}: expected a real number, got "{text}"') from None
        if self.kind in ("int", "flag"):
            try:
                v = float(text)
            except ValueError:
                raise LensError(f'setObj {path}: expected an integer, got "{text}"') from None
            if not v.is_integer():
                raise LensError(f'setObj {path}: expected an integer, got "{text}"')
            return int(v) if self.kind == "int" else int(v != 0)
        return text


def format_real(v: float, digits: int = 7) -> str:
    v = float(v)
    if math.isnan(v):
        return "-"
    return "%.*g" % (digits, v)


@dataclass
class Node:
    """An object on the way along a path."""

    type: str        # root, net, group, unit, link, link2, block, set, example, array
    obj: Any = None
    extra: Any = None


class ObjectSpace:
    """Resolves paths against a shell's networks and example sets."""

    def __init__(self, shell):
        self.shell = shell

    # ------------------------------------------------------------ entry points
    def lookup(self, path: str) -> Field | Node:
        tokens = parse_path(path)
        if not tokens:
            raise LensError("getObj of the whole network is not implemented in pdpsim (name a field)")
        sh = self.shell
        errors = []
        starts = []
        if sh.net is not None:
            starts.append(Node("net", sh.net))
        starts.append(Node("root"))
        for start in starts:
            try:
                return self._walk(start, tokens, path)
            except _Missing as e:
                errors.append(str(e))
        first = tokens[0]
        if isinstance(first, str):
            node = None
            if first in sh.nets:
                node = Node("net", sh.nets[first])
            elif sh.net is not None and first in sh.net.groups:
                node = Node("group", sh.net.groups[first])
            elif sh.net is not None and (u := self._unit_by_name(first)) is not None:
                node = Node("unit", u[0], u[1])
            elif first in sh.sets:
                node = Node("set", sh.sets[first])
            if node is not None:
                try:
                    return self._walk(node, tokens[1:], path)
                except _Missing as e:
                    raise LensError(f'object "{path}": {e}') from None
        why = errors[-1] if errors else "no such field"
        if sh.net is None:
            why += " (there is no current network)"
        raise LensError(f'object "{path}" not found: {why}')

    def get(self, path: str, digits: int) -> str:
        f = self.lookup(path)
        if isinstance(f, Node):
            return self._node_name(f, path)
        return f.format(digits)

    def set(self, path: str, text: str, digits: int) -> str:
        f = self.lookup(path)
        if isinstance(f, Node):
            raise LensError(f'setObj: "{path}" is not a basic type and cannot be set')
        if f.set is None:
            raise LensError(f"setObj: {path} is write-protected")
        f.set(f.parse(text, path))
        return f.format(digits)

    # ------------------------------------------------------------ walking
    def _walk(self, node: Node, tokens: list, path: str) -> Field | Node:
        cur: Field | Node = node
        k = 0
        while k < len(tokens):
            if isinstance(cur, Field):
                raise _Missing(f'"{tokens[k]}" after a basic field')
            tok = tokens[k]
            if cur.type == "array":
                if not isinstance(tok, int):
                    raise _Missing(f'field "{tok}" cannot be a child of an array')
                items = cur.obj()
                if not 0 <= tok < len(items):
                    raise _Missing(f"index {tok} out of bounds")
                cur = items[tok]
                k += 1
                continue
            if isinstance(tok, int):
                raise _Missing(f"index ({tok}) after an object that is not an array")
            cur = self._member(cur, tok, path)
            k += 1
        return cur

    def _node_name(self, node: Node, path: str) -> str:
        t = node.type
        if t == "net":
            return node.obj.name
        if t == "group":
            return node.obj.name
        if t == "unit":
            return f"{node.obj.name}:{node.extra}"
        if t == "set":
            return node.obj.name
        if t == "example":
            s, i = node.obj, node.extra
            rec = s.records[i]
            return rec.name if rec.name is not None else str(i)
        raise LensError(f'getObj "{path}": printing a whole {t} object is not implemented in pdpsim '
                        "(name one of its fields)")

    def _unit_by_name(self, name: str):
        net = self.shell.net
        for g in net.groups.values():         # Lens's lookupUnit: units by name ("group:N" unless renamed)
            if name in g.group.unit_names:
                return g, g.group.unit_names.index(name)
        return None

    # ------------------------------------------------------------ members by type
    def _member(self, node: Node, name: str, path: str) -> Field | Node:
        fn = getattr(self, f"_m_{node.type}")
        return fn(node, name, path)

    def _m_root(self, node, name, path):
        sh = self.shell
        if name == "numNetworks":
            return Field("int", lambda: len(sh.nets))
        if name == "net":
            return Node("array", lambda: [Node("net", n) for n in sh.nets.values()])
        if name == "numExampleSets":
            return Field("int", lambda: len(sh.sets))
        if name == "set":
            return Node("array", lambda: [Node("set", s) for s in sh.sets.values()])
        if name == "root":
            return Node("root")
        if name in ("numGraphs", "graph"):
            raise LensError(f'object "{path}": graphs are not implemented in pdpsim')
        raise _Missing(f'field "{name}" not found in object of type Root')

    def _m_net(self, node, name, path):
        sh = self.shell
        n: LensNet = node.obj
        ints_ro = {"num": lambda: list(sh.nets).index(n.name), "numGroups": lambda: len(n.groups),
                   "numUnits": n.n_units, "numInputs": lambda: sum(g.size for g in n.input_groups),
                   "numOutputs": lambda: sum(g.size for g in n.output_groups), "numLinks": n.n_links,
                   "timeIntervals": lambda: n.time_intervals, "ticksPerInterval": lambda: n.ticks_per_interval,
                   "maxTicks": lambda: n.max_ticks, "historyLength": lambda: n.history_length,
                   "ticksOnExample": lambda: n.ticks_on_example if n.ticks_on_example is not None else
                   (1 if n.current_example else 0), "currentTick": lambda: n.current_tick,
                   "exampleHistoryStart": lambda: 0}
        if name in ints_ro:
            return Field("int", ints_ro[name])
        if name == "name":
            return Field("str", lambda: n.name)
        if name == "totalUpdates":
            return Field("int", lambda: n.total_updates, lambda v: setattr(n, "total_updates", v))
        counters = {"error": "error", "weightCost": "weight_cost", "outputCost": "output_cost",
                    "gradientLinearity": "gradient_linearity"}
        if name in counters:
            a = counters[name]
            return Field("real", lambda: getattr(n, a), lambda v: setattr(n, a, v))
        if name in NET_DEFAULTS:
            kind = "int" if name in INT_PARAMS else "real"
            if name in ("groupCritRequired", "pseudoExampleFreq", "autoPlot"):
                kind = "flag"

            def setter(v, name=name):
                n.params[name] = v
            return Field(kind, lambda: n.params[name], setter)
        if name in PROCS:
            def set_proc(v, name=name):
                n.procs[name] = v
            return Field("proc", lambda: n.procs[name], set_proc)
        if name == "group":
            return Node("array", lambda: [Node("group", g) for g in n.groups.values()])
        if name in ("input", "output"):
            kind = "INPUT" if name == "input" else "OUTPUT"
            return Node("array", lambda: [Node("unit", g, j) for g in n.groups.values() if g.kind == kind
                                          for j in range(g.size)])
        if name in ("trainingSet", "testingSet"):
            S = n.training_set if name == "trainingSet" else n.testing_set
            if S is None:
                raise LensError(f'object "{path}": the network has no {name}')
            return Node("set", S)
        if name == "currentExample":
            if n.current_example is None:
                raise LensError(f'object "{path}": no example has been run')
            S, i = n.current_example
            return Node("example", S, i)
        if name == "root":
            return Node("root")
        if name == "type":
            raise LensError(f'object "{path}": type masks are not implemented in pdpsim')
        if name in ("eventHistory", "resetHistory"):
            raise NeedsTime(f'the object "{path}"')
        if name in ("ext", "outputFileName", "binaryOutputFile"):
            raise LensError(f'object "{path}" is not implemented in pdpsim')
        raise _Missing(f'field "{name}" not found in object of type Network')

    def _m_group(self, node, name, path):
        g: LensGroup = node.obj
        n = g.lnet
        if name in kohonen.FIELDS:                   # neighborhood, periodicBoundary: pdpsim.lens.kohonen
            return Field(*kohonen.field(g, name))
        if name == "name":
            return Field("str", lambda: g.name)
        if name == "num":
            return Field("int", lambda: g.num)
        if name == "numUnits":
            return Field("int", lambda: g.size)
        if name == "unit":
            return Node("array", lambda: [Node("unit", g, j) for j in range(g.size)])
        if name == "net":
            return Node("net", n)
        if name == "numIncoming":
            return Field("int", lambda: int(g.n_incoming().sum()))
        if name == "numOutgoing":
            return Field("int", lambda: int(g.n_outgoing().sum()))
        if name == "error":
            return Field("real", lambda: g.error_value, lambda v: setattr(g, "error_value", v))
        if name == "outputCost":
            return Field("real", lambda: g.output_cost, lambda v: setattr(g, "output_cost", v))
        if name == "output":
            return Node("array", lambda: [Field("real", (lambda j=j: g.state["output"][j]),
                                                (lambda v, j=j: g.state["output"].__setitem__(j, v)))
                                          for j in range(g.size)])
        if name in g.params and name not in _GUI:
            def setter(v, name=name):
                g.params[name] = v
            return Field("real", lambda: g.params[name], setter)
        if name in GROUP_DISPLAY:
            d = group_display(g)
            kind = "int" if name == "numColumns" else "flag"
            return Field(kind, lambda: d[name], lambda v: d.__setitem__(name, v))
        if name in ("polaritySum", "polarityNum"):
            raise LensError(f'object "{path}" is not implemented in pdpsim')
        if name in ("type", "inputType", "outputType", "costType", "inputProcs", "outputProcs", "costProcs",
                    "outputDeriv", "ext") or name in _GUI:
            raise LensError(f'object "{path}" is not implemented in pdpsim')
        raise _Missing(f'field "{name}" not found in object of type Group')

    def _m_unit(self, node, name, path):
        g: LensGroup = node.obj
        j: int = node.extra
        if name in g.state:
            arr = g.state[name]

            def setter(v, arr=arr):
                arr[j] = v
            return Field("real", lambda: arr[j], setter)
        if name == "name":
            return Field("str", lambda: g.group.unit_names[j], lambda v: g.group.unit_names.__setitem__(j, v))
        if name == "num":
            return Field("int", lambda: j)
        if name == "group":
            return Node("group", g)
        if name in UNIT_DISPLAY:
            return Field("int", lambda: 0)
        if name == "numIncoming":
            return Field("int", lambda: int(g.n_incoming()[j]))
        if name == "numOutgoing":
            return Field("int", lambda: int(g.n_outgoing()[j]))
        if name in ("incoming", "incoming2"):
            t = "link" if name == "incoming" else "link2"
            return Node("array", lambda: [Node(t, b, (int(i), j)) for b, i in g.unit_links(j)])
        if name in ("numBlocks", "block"):
            if any(b.mask is not None for b in g.blocks):
                raise LensError(f'object "{path}": link blocks of units with sparse (RANDOM / ONE_TO_ONE) '
                                "connections are not implemented in pdpsim")
            if name == "numBlocks":
                return Field("int", lambda: len(g.blocks))
            return Node("array", lambda: [Node("block", b, j) for b in g.blocks])
        if name == "gain":
            if "ADAPTIVE_GAIN" in g.flags:           # each unit's own gain
                return Field("real", lambda: g.unit_gain[j], lambda v: g.unit_gain.__setitem__(j, v))
            return Field("real", lambda: float(np.asarray(g.group.function.gain if hasattr(g.group.function, "gain")
                                                           else 1.0)))
        if name == "dtScale":
            return Field("real", lambda: g.unit_dt_scale[j], lambda v: g.unit_dt_scale.__setitem__(j, v))
        if name == "gainDeriv":
            return Field("real", lambda: g.gain_deriv[j], lambda v: g.gain_deriv.__setitem__(j, v))
        if name in _HISTORY:
            raise NeedsTime(f'the object "{path}"')
        if name in ("type", "ext") or name in _GUI:
            raise LensError(f'object "{path}" is not implemented in pdpsim')
        raise _Missing(f'field "{name}" not found in object of type Unit')

    def _m_link(self, node, name, path):
        b, (i, j) = node.obj, node.extra
        lb = b.block
        if name == "weight":
            return Field("real", lambda: lb.weights[i, j], lambda v: lb.weights.__setitem__((i, j), v))
        if name == "deriv":
            return Field("real", lambda: lb.weight_deriv[i, j])
        raise _Missing(f'field "{name}" not found in object of type Link')

    def _m_link2(self, node, name, path):
        b, (i, j) = node.obj, node.extra
        lb = b.block
        if name == "lastWeightDelta":
            return Field("real", lambda: lb.last_change[i, j], lambda v: lb.last_change.__setitem__((i, j), v))
        if name == "lastValue":
            return Field("real", lambda: b.rate_factor[i, j], lambda v: b.rate_factor.__setitem__((i, j), v))
        raise _Missing(f'field "{name}" not found in object of type Link2')

    def _m_block(self, node, name, path):
        b, j = node.obj, node.extra
        if name in BLOCK_PARAMS:
            arr = b.params[name]
            return Field("real", lambda: arr[j], lambda v: arr.__setitem__(j, v))
        if name == "numUnits":
            return Field("int", lambda: len(b.senders(j)))
        if name == "groupUnits":
            return Field("int", lambda: b.source.size)
        if name == "unit":
            return Node("unit", b.source, 0)
        raise LensError(f'object "{path}": the block field "{name}" is not implemented in pdpsim')

    def _m_set(self, node, name, path):
        S: LensExampleSet = node.obj
        sh = self.shell
        if name == "name":
            return Field("str", lambda: S.name)
        if name == "num":
            return Field("int", lambda: list(sh.sets).index(S.name))
        if name == "numExamples":
            return Field("int", lambda: len(S))
        if name == "numEvents":
            return Field("int", lambda: int(S.examples.n_events.sum()))
        if name == "currentExampleNum":
            return Field("int", lambda: S.current)
        if name == "mode":                     # Lens prints the mode's type mask
            return Field("str", lambda: "0x%x" % S.MODE_MASKS[S.mode])
        if name == "example":
            return Node("array", lambda: [Node("example", S, i) for i in range(len(S))])
        if name == "currentExample":
            if S.current_example is None:
                raise LensError(f'object "{path}": no example of set "{S.name}" has been loaded')
            return Node("example", S, S.current_example)
        if name == "firstExample":
            return Node("example", S, 0)
        if name == "lastExample":
            return Node("example", S, len(S) - 1)
        if name in S.params:                   # the set's times and default / active values
            return Field("real", lambda: S.params[name], lambda v: S.params.__setitem__(name, v))
        if name == "proc":
            return Field("proc", lambda: S.header.get("proc") or "",
                         lambda v: S.header.__setitem__("proc", v))
        if name == "permuted":
            return Node("array", lambda: [Node("example", S, i) for i in S.permuted])
        raise LensError(f'object "{path}": the example-set field "{name}" is not implemented in pdpsim')

    def _m_example(self, node, name, path):
        S, i = node.obj, node.extra
        rec = S.records[i]
        if name == "name":
            def set_name(v):
                rec.name = v
                S.changed()
            return Field("str", lambda: rec.name if rec.name is not None else str(i), set_name)
        if name == "num":
            return Field("int", lambda: i)
        if name == "numEvents":
            return Field("int", lambda: len(rec.events))
        if name == "frequency":
            def set_freq(v):
                rec.freq = v
                S.compile()
            return Field("real", lambda: float(np.float32(rec.freq)), set_freq)
        if name == "probability":
            return Field("real", lambda: float(S.probability[i]))
        if name == "proc":
            def set_proc(v):
                rec.proc = v or None
                S.changed()
            return Field("proc", lambda: rec.proc or "", set_proc)
        if name == "event":
            return Node("array", lambda: [Node("event", S, (i, e)) for e in range(len(rec.events))])
        if name == "set":
            return Node("set", S)
        if name == "next":
            if i + 1 >= len(S):
                raise LensError(f'object "{path}": the last example has no next')
            return Node("example", S, i + 1)
        raise LensError(f'object "{path}": the example field "{name}" is not implemented in pdpsim')

    def _m_event(self, node, name, path):
        S, (i, e) = node.obj, node.extra
        ev = S.records[i].events[e]
        if name in _EVENT_FIELDS:
            key = _EVENT_FIELDS[name]

            def set_field(v):
                ev.fields[key] = v
                S.changed()
            return Field("real", lambda: ev.fields[key], set_field)
        if name == "proc":
            def set_proc(v):
                ev.proc = v or None
                S.changed()
            return Field("proc", lambda: ev.proc or "", set_proc)
        if name in ("input", "target"):
            ranges = ev.inputs if name == "input" else ev.targets
            if not ranges:
                raise LensError(f'object "{path}": lookupObject: object does not exist')
            return Node("range", S, (ranges, 0))
        if name in ("sharedInputs", "sharedTargets"):
            return Field("flag", lambda: 0)
        if name == "example":
            return Node("example", S, i)
        raise LensError(f'object "{path}": the event field "{name}" is not implemented in pdpsim')

    def _m_range(self, node, name, path):
        """A range of an event's inputs or targets, as the file gave it (Lens's Range: a dense
        range's ``firstUnit`` and ``val``, a sparse one's ``unit`` list and ``value``)."""
        S, (ranges, k) = node.obj, node.extra
        r = ranges[k]

        def changed(fn):
            def setter(v):
                fn(v)
                S.changed()
            return setter
        if name == "groupName":
            return Field("str", lambda: r.group or "")
        if name == "numUnits":
            return Field("int", lambda: len(r.units) if r.sparse else len(r.values))
        if name == "firstUnit":
            return Field("int", lambda: r.first, changed(lambda v: setattr(r, "first", v)))
        if name == "value":
            return Field("real", lambda: float(np.float32(r.value)) if r.sparse else float("nan"),
                         changed(lambda v: setattr(r, "value", v)))
        if name == "val":
            if r.sparse:
                raise LensError(f'object "{path}": lookupObject: object does not exist')
            return Node("array", lambda: [Field("real", (lambda u=u: float(np.float32(r.values[u]))),
                                                changed(lambda v, u=u: r.values.__setitem__(u, v)))
                                          for u in range(len(r.values))])
        if name == "unit":
            if not r.sparse:
                raise LensError(f'object "{path}": lookupObject: object does not exist')
            return Node("array", lambda: [Field("int", (lambda u=u: r.units[u]),
                                                changed(lambda v, u=u: r.units.__setitem__(u, v)))
                                          for u in range(len(r.units))])
        if name == "next":
            if k + 1 >= len(ranges):
                raise LensError(f'object "{path}": lookupObject: object does not exist')
            return Node("range", S, (ranges, k + 1))
        raise _Missing(f'field "{name}" not found in object of type Range')


#: an event's fields (Lens's names -> the example file's)
_EVENT_FIELDS = {"maxTime": "max", "minTime": "min", "graceTime": "grace", "defaultInput": "defI",
                 "activeInput": "actI", "defaultTarget": "defT", "activeTarget": "actT"}


class _Missing(LensError):
    pass
