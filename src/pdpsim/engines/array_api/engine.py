"""Training on any Python Array API namespace: CuPy or PyTorch on a GPU, numpy on the CPU.

The numpy path's feed-forward passes with the rules' Array API forms (:mod:`pdpsim.functions`,
:mod:`pdpsim.learning.rules`), run by the one training loop (:mod:`pdpsim.training.loop`), on
any namespace of the Array API standard (2023.12) through array-api-compat. It registers itself
as backend ``array:<namespace>``::

    pdpsim.train(net, examples, backend="array:cupy")      # spec files: training: {backend: array:cupy}
    pdpsim.train(net, examples, backend="array:torch")     # PDPSIM_DEVICE=cuda:1 picks the device
    ensemble.train(ens, backend="array:cupy")              # ensembles: a leading member axis

Weights, last changes, inputs and targets go to the device once; an update is one matrix
product per link block with the batch (and the members) as leading axes; an epoch's errors
come back once, at its end. Orders are drawn on the host from the same numpy generators in
the same sequence as the numpy path, so runs agree to rounding. At the end weights,
``last_change`` and ``weight_deriv`` are copied back into the Network (``test()``, saving
and checkpoints work). Device: the ``device`` argument, else (cupy, torch) the environment
variable ``PDPSIM_DEVICE`` (``cuda:1``, ``1``, ``cpu``), else torch's ``cuda`` if available
(else its ``cpu``) and cupy's current device. CONTINUOUS networks in time run through
:mod:`pdpsim.engines.array_api.time`. What it does not support (simple recurrent networks, ensembles
of networks in time, Lens's time options, the Hebb rule, delta-bar-delta, output noise,
other unit types and error functions, dtypes other than float32/float64, lesions in
ensembles) is refused with a PdpError, never run elsewhere.
"""
from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
from dataclasses import replace
import numpy as np

from pdpsim.dynamics.feedforward import feedforward_arrays
from pdpsim.functions import log_eps
from pdpsim.functions.forms import array_form
from pdpsim.functions.targets import array_effective_target
from pdpsim.learning.rules import dougs_scale, weight_change
from pdpsim.model.network import SET_FROM_OUTSIDE, Network
from pdpsim.training.engines import Engine, Members, register
from pdpsim.training.loop import batch_size
from pdpsim.validation import PdpError

#: namespaces ``backend: array:<name>`` may name
NAMESPACES = ("numpy", "cupy", "torch", "array_api_strict")
_INSTALL = {
    "numpy": "pip install 'pdpsim[gpu]'",
    "cupy": "pip install 'pdpsim[gpu]' cupy-cuda12x   (cupy-cuda11x for CUDA 11; see https://docs.cupy.dev)",
    "torch": "pip install 'pdpsim[gpu]' torch   (a CUDA build, see https://pytorch.org/get-started)",
    "array_api_strict": "pip install 'pdpsim[gpu]' array-api-strict",
}


def namespace_name(backend: str, where: str = "training.backend") -> str:
    """``"array:cupy"`` (or ``"cupy"``) -> ``"cupy"``; a PdpError for names it does not know."""
    key = str(backend).strip().lower()
    key = key[len("array:"):] if key.startswith("array:") else key
    key = key.replace("-", "_")
    if key not in NAMESPACES:
        raise PdpError(f"{where}: unknown array namespace {backend!r}; expected "
                       + ", ".join(f"array:{n}" for n in NAMESPACES))
    return key


def namespace(name: str):
    """Import the Array API namespace ``name`` (numpy, cupy, torch or array_api_strict; numpy,
    cupy and torch through array-api-compat). A PdpError says what to install if it is missing."""
    key = namespace_name(name)
    try:
        import array_api_compat  # noqa: F401
    except ImportError:
        raise PdpError(f"training.backend array:{key} needs the array-api-compat package, which is not "
                       f"installed; install it with: {_INSTALL[key]}") from None
    try:
        if key == "array_api_strict":
            return importlib.import_module("array_api_strict")
        importlib.import_module(key)
        return importlib.import_module(f"array_api_compat.{key}")
    except ImportError as e:
        raise PdpError(f"training.backend array:{key}: the array library '{key}' cannot be imported ({e}); "
                       f"install it with: {_INSTALL[key]}") from None


def resolve_device(key: str, xp, device=None):
    """The device to train on (see the module docstring)."""
    if device is None and key in ("cupy", "torch"):
        device = os.environ.get("PDPSIM_DEVICE") or None
    try:
        if key == "torch":
            import torch
            if device is None:
                device = "cuda" if torch.cuda.is_available() else "cpu"
            return torch.device(device) if isinstance(device, (str, int)) else device
        if key == "cupy":
            import cupy
            if device is None:
                return cupy.cuda.Device()
            if isinstance(device, str):
                tail = device.rsplit(":", 1)[-1]
                device = 0 if tail.lower() in ("cuda", "gpu") else int(tail)
            return cupy.cuda.Device(device) if isinstance(device, int) else device
        if key == "array_api_strict":
            return xp.Device(device) if isinstance(device, str) else device
    except Exception as e:  # a bad name, no driver, no such GPU
        raise PdpError(f"training.backend array:{key}: cannot use device {device!r}: {e}") from None
    if device not in (None, "cpu"):
        raise PdpError(f"training.backend array:numpy runs on the CPU; got device {device!r}")
    return None


def to_numpy(x) -> np.ndarray:
    """A numpy copy of a device array from any supported namespace."""
    import array_api_compat as compat
    if compat.is_cupy_array(x):
        return x.get()
    if compat.is_torch_array(x):
        return x.detach().cpu().numpy().copy()
    if compat.is_numpy_array(x):
        return np.array(x, copy=True)
    dev = getattr(x, "device", None)                        # array_api_strict: to its CPU device first
    if dev is not None and dev != type(dev)("CPU_DEVICE"):
        x = x.to_device(type(dev)("CPU_DEVICE"))
    return np.array(np.from_dlpack(x), copy=True)


def unsupported(net: Network, params, ensemble: bool = False) -> str | None:
    """Why this backend cannot train ``net`` with ``params`` (None if it can)."""
    if net.time is not None:                                 # CONTINUOUS networks: pdpsim.engines.array_api.time
        from pdpsim.engines.array_api.time import unsupported as in_time
        why = in_time(net, params)
        if why:
            return why
        if ensemble:
            return "ensembles of networks in time; use backend numpy or auto"
    elif any(g.kind == "CONTEXT" for g in net.groups.values()):
        return "CONTEXT groups (simple recurrent networks)"
    if params.rule != "backprop":
        return f"the {params.rule} rule (only rule: backprop)"
    if params.example_frequency == "scale":
        return "example_frequency: scale (use backend numpy or auto)"
    if params.algorithm not in ("steepest", "momentum", "dougs_momentum"):
        return f"the {params.algorithm} algorithm (steepest, momentum or dougs_momentum)"
    if net.dtype not in (np.float32, np.float64):
        return f"dtype {net.dtype} (float32 or float64)"
    if ensemble and (any(b.mask is not None for b in net.blocks)
                     or any(g.unit_mask is not None for g in net.groups.values())):
        return "lesions in ensembles"
    for g in net.groups.values():
        if g.output_noise:
            return f"output noise (group '{g.name}')"
        if g.kind not in SET_FROM_OUTSIDE and not g.function.plain:
            return f"{g.function.describe()} units (group '{g.name}')"
        if g.has_targets and not (g.error.plain and g.error.elementwise):
            return f"the {g.error!r} error function (group '{g.name}')"
    return None


class Device:
    """The network's arrays on the device, and one update of a batch."""

    def __init__(self, net: Network, xp, dev, inputs: dict, targets: dict, params, members: int | None = None):
        self.net, self.xp, self.E = net, xp, members
        self.dev = None if _is_cupy(dev) else dev            # cupy: the current device (the engine enters it)
        self.dt = xp.float32 if net.dtype == np.float32 else xp.float64
        self.log_eps = log_eps(net.dtype)
        self.zero, self.one = self.put(0.0), self.put(1.0)
        self.blocks = list(net.blocks)
        self.index = {id(b): k for k, b in enumerate(self.blocks)}
        self.W = [self.put(b.weights) for b in self.blocks]
        self.LC = [self.put(b.last_change) for b in self.blocks]
        self.dW = None
        self.masks = {k: self.put(b.mask) for k, b in enumerate(self.blocks) if b.mask is not None}
        self.unit_masks = {g.name: self.put(g.unit_mask) for g in net.groups.values() if g.unit_mask is not None}
        self.comp = [g for g in net.order if g.kind not in SET_FROM_OUTSIDE]
        self.outs = net.output_groups
        self.fused = {g.name for g in self.comp if g.has_targets and not g.outgoing
                      and g.function.name in g.error.fused}
        self.X = {g: self.put(x) for g, x in inputs.items()}
        self.T = {g: self.put(t) for g, t in targets.items()}
        self.algorithm = params.algorithm
        self.live = [k for k, b in enumerate(self.blocks) if not b.frozen]
        self.change = array_form(weight_change, xp)
        self.dougs = array_form(dougs_scale, xp)
        self.set_rates(params.learning_rate, params.momentum, params.weight_decay)

    def put(self, a):
        return self.xp.asarray(np.asarray(a, dtype=self.net.dtype), device=self.dev)

    def set_rates(self, lr, momentum, decay) -> None:
        """The network's eps, alpha and d: floats, or (E,) numpy arrays (one per member)."""
        self.hyper = []
        for b in self.blocks:
            row = []
            for own, val in ((b.learning_rate, lr), (b.momentum, momentum), (b.weight_decay, decay)):
                v = own if own is not None else val
                if isinstance(v, np.ndarray):
                    row.append(self.put(v.reshape(-1, 1, 1)))
                else:
                    row.append(float(v))
            self.hyper.append(row)

    # ---- forward
    def forward(self, feed: dict) -> tuple[dict, dict]:
        """n_j = sum_i a_i w_ij (one product per block), a_j = f(n_j); every group's a and n."""
        xp = self.xp
        a, nets = dict(feed), {}
        batch = next(iter(feed.values())).shape[-2]
        for g in self.comp:
            n = None
            for b in g.incoming:
                if b.source.kind != "BIAS":
                    p = xp.matmul(a[b.source.name], self.W[self.index[id(b)]])
                    n = p if n is None else n + p
            if n is None:
                n = xp.zeros(((self.E,) if self.E else ()) + (batch, g.size), dtype=self.dt, device=self.dev)
            for b in g.incoming:
                if b.source.kind == "BIAS":
                    n = n + self.W[self.index[id(b)]][..., 0:1, :]     # the bias unit's output is 1
            out = g.function.array_forward(xp, n)
            if g.name in self.unit_masks:
                out = out * self.unit_masks[g.name]
            a[g.name], nets[g.name] = out, n
        return a, nets

    # ---- error
    def target(self, g, a, t):
        """Lens's target and zero-error radii (NaN: no target, which the error functions skip)."""
        return array_effective_target(self.xp, a, t, g.target_radius, g.zero_error_radius)

    def error(self, g, a, t):
        """E per example ([E,] B)."""
        return g.error.array_error(self.xp, a, t, self.log_eps)

    def error_deriv(self, g, a, t):
        """dE/da, the output derivative."""
        return g.error.array_output_deriv(self.xp, a, t, self.log_eps)

    # ---- backward
    def backward(self, a: dict, nets: dict, teff: dict) -> list:
        """dE/da, dE/dn from the outputs down; returns dE/dw of every block (summed over the batch)."""
        xp = self.xp
        da, dn = {}, {}
        for g in self.comp:
            if g.has_targets:
                t = teff[g.name]
                da[g.name] = self.error_deriv(g, a[g.name], t)
                if g.name in self.fused:        # a pair that cancels: logistic with cross-entropy, dE/dn = s (a - t)
                    dn[g.name] = g.error.array_fused(xp, g.function.name, a[g.name], t)
        dW = [None] * len(self.blocks)
        for g in reversed(self.comp):
            if g.name not in da:
                da[g.name] = xp.zeros_like(a[g.name])                   # no path to the error
            d = dn[g.name] if g.name in dn else g.function.array_backward(xp, a[g.name], da[g.name], nets[g.name])
            if g.name in self.unit_masks:
                d = d * self.unit_masks[g.name]
            for b in g.incoming:
                k, src = self.index[id(b)], b.source
                if src.kind == "BIAS":
                    dW[k] = xp.sum(d, axis=-2, keepdims=True)
                    continue
                dW[k] = xp.matmul(xp.matrix_transpose(a[src.name]), d)    # dE/dw_ij = dE/dn_j a_i
                if src.kind not in SET_FROM_OUTSIDE:
                    back = xp.matmul(d, xp.matrix_transpose(self.W[k]))   # dE/da_i = sum_j dE/dn_j w_ij
                    da[src.name] = da[src.name] + back if src.name in da else back
        return dW

    # ---- learning
    def update(self, dW: list) -> None:
        """pdpsim.learning.rules.update_weights, on the device."""
        xp = self.xp
        scale = None
        if self.algorithm == "dougs_momentum" and self.live:
            axes = (-2, -1) if self.E else None
            scale = self.dougs(sum(xp.sum(dW[k] * dW[k], axis=axes) for k in self.live))
            if self.E:
                scale = xp.reshape(scale, (-1, 1, 1))
        for k in self.live:
            b = self.blocks[k]
            eps, alpha, decay = self.hyper[k]
            if self.algorithm == "steepest":
                alpha = 0.0
            dw = self.change(dW[k], self.LC[k], self.W[k], eps * scale if scale is not None else eps, alpha, decay)
            if b.min_weight is None and b.max_weight is None:
                self.W[k] = self.W[k] + dw
            else:
                new = xp.clip(self.W[k] + dw, min=b.min_weight, max=b.max_weight)
                dw = new - self.W[k]
                self.W[k] = new
            self.LC[k] = dw
        for k, m in self.masks.items():
            self.W[k] = self.W[k] * m                                    # lesioned links stay 0

    def gather(self, order):
        """Inputs and targets in the epoch's order: order None, (n,) or (E, n) example indices."""
        if order is None:
            return self.X, self.T
        xp = self.xp
        idx = xp.asarray(np.ascontiguousarray(order, dtype=np.int64).reshape(-1), device=self.dev)

        def take(x):
            y = xp.take(x, idx, axis=0)
            return xp.reshape(y, tuple(order.shape) + (x.shape[-1],)) if order.ndim == 2 else y
        return {g: take(x) for g, x in self.X.items()}, {g: take(t) for g, t in self.T.items()}

    def step(self, X: dict, T: dict, sl: slice, want_distance: bool):
        """One update on the batch ``sl`` of the epoch's arrays. Returns the batch's summed error
        and the largest output distance (device)."""
        xp = self.xp
        a, nets = self.forward({g: x[..., sl, :] for g, x in X.items()})
        axes = -1 if self.E else None
        total, worst, teff = None, None, {}
        for g in self.outs:
            t = T[g.name][..., sl, :]
            teff[g.name] = te = self.target(g, a[g.name], t)
            e = self.error(g, a[g.name], te)
            total = e if total is None else total + e
            if want_distance:
                d = xp.abs(a[g.name] - t)
                d = xp.max(xp.where(xp.isnan(d), self.zero, d), axis=(-2, -1) if self.E else None)
                worst = d if worst is None else xp.maximum(worst, d)
        self.dW = self.backward(a, nets, teff)
        self.update(self.dW)
        return xp.sum(total, axis=axes), worst

    def epoch(self, order, n: int, bs: int, want_distance: bool):
        """Every batch of an epoch; their errors (and the largest output distance) come back at once."""
        X, T = self.gather(order)
        errs, worsts = [], []
        for start in range(0, n, bs):
            e, w = self.step(X, T, slice(start, min(start + bs, n)), want_distance)
            errs.append(e)
            worsts.append(w)
        worst = to_numpy(self.xp.stack(worsts)).max(axis=0) if want_distance else None
        return to_numpy(self.xp.stack(errs)), worst

    def copy_back(self) -> None:
        """Weights, last changes and the last weight derivatives back into the Network."""
        for k, b in enumerate(self.blocks):
            b.weights[...] = to_numpy(self.W[k])
            b.last_change[...] = to_numpy(self.LC[k])
            if self.dW is not None:
                b.weight_deriv[...] = to_numpy(self.dW[k])
            b.rule_state.clear()


def _is_cupy(dev) -> bool:
    return type(dev).__module__.startswith("cupy")


@register
class ArrayEngine(Engine):
    """array:<namespace>: the numpy path's equations on an Array API namespace (a GPU)."""

    name = "array"
    priority = 90
    takes_argument = True

    @classmethod
    def check_argument(cls, argument, where):
        return namespace_name(f"array:{argument}", where)

    @classmethod
    def unsupported(cls, net, examples, params, members: Members, argument) -> str | None:
        return unsupported(net, params, members.ensemble)

    def __init__(self, net, examples, params, members: Members, argument=None):
        super().__init__(net, examples, params, members, argument)
        self.key = namespace_name(argument)
        module = namespace(self.key)
        dev = resolve_device(self.key, module, _DEVICE.get())
        self.context = dev if _is_cupy(dev) else contextlib.nullcontext()
        self.context.__enter__()
        self.n, self.bs = len(examples), batch_size(params, len(examples))
        self.ensemble = members.ensemble
        if net.time is not None:
            from pdpsim.engines.array_api.time import make_engine
            self.dev = make_engine(Device, net, module, dev, examples, params)
        else:
            inputs, targets = feedforward_arrays(net, examples)
            self.dev = Device(net, module, dev, inputs, targets, params, members=members.size if self.ensemble else None)
        if self.ensemble:
            M = members.size
            self.rates = members.rates.astype(float).copy()
            self.mom, self.decay = np.full(M, params.momentum), np.full(M, params.weight_decay)
            self.dev.set_rates(self.rates, self.mom, self.decay)

    def epochs(self, orders, k):
        M = self.members.size
        want = self.params.output_criterion is not None
        errors, dists = np.zeros((k, M)), np.zeros((k, M))
        for e in range(k):
            order = None if orders is None else (orders[:, e] if self.ensemble else orders[0, e])
            errs, worst = self.dev.epoch(order, self.n, self.bs, want)
            total = np.zeros(M) if self.ensemble else 0.0
            for x in errs:                                   # summed as the numpy path sums them
                total = total + (x if self.ensemble else float(x))
            errors[e] = total
            if want:
                dists[e] = np.maximum(0.0, worst)
        return np.full(M, k), errors, dists

    def stop(self, member: int) -> None:
        if self.ensemble:                                    # a stopped network changes no more
            self.rates[member] = self.mom[member] = self.decay[member] = 0.0
            self.dev.set_rates(self.rates, self.mom, self.decay)

    def sync(self) -> None:
        self.dev.copy_back()

    def close(self) -> None:
        try:
            self.sync()
        finally:
            self.context.__exit__(None, None, None)


#: the device :func:`train` and :func:`train_ensemble` were asked for (else PDPSIM_DEVICE, else the default)
_DEVICE: contextvars.ContextVar = contextvars.ContextVar("pdpsim_array_device", default=None)


def _with_namespace(params, xp: str | None, overrides: dict):
    from pdpsim.training.params import TrainingParams
    params = replace(params or TrainingParams(), **overrides)
    if xp is not None:
        params = replace(params, backend=f"array:{namespace_name(xp)}")
    elif not str(params.backend).strip().lower().startswith("array:"):
        raise PdpError("array backend: name the namespace, xp='cupy', 'torch', 'numpy' or 'array_api_strict' "
                       "(or set backend: array:<namespace>)")
    return params


def train(net: Network, examples, params=None, *, xp: str | None = None, device=None, **kwargs):
    """:func:`pdpsim.train` with backend ``array:<xp>`` on ``device`` ("cuda:1", a torch or cupy
    device; default: PDPSIM_DEVICE, else the namespace's own)."""
    from pdpsim.training.loop import train as run
    loop_args = {k: kwargs.pop(k) for k in ("callbacks", "progress", "start_epoch", "checkpoint_every",
                                            "on_checkpoint") if k in kwargs}
    params = _with_namespace(params, xp, kwargs)
    token = _DEVICE.set(device)
    try:
        return run(net, examples, params, **loop_args)
    finally:
        _DEVICE.reset(token)


def train_ensemble(ens, params=None, learning_rates=None, *, xp: str | None = None, device=None, **overrides):
    """:func:`pdpsim.training.ensemble.train` with backend ``array:<xp>`` on ``device``."""
    from pdpsim.training.ensemble import train as run
    params = _with_namespace(params or ens.training, xp, overrides)
    token = _DEVICE.set(device)
    try:
        return run(ens, params, learning_rates)
    finally:
        _DEVICE.reset(token)
