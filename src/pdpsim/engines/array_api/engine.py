"""Training on any Python Array API namespace: CuPy or PyTorch on a GPU, numpy on the CPU.

The numpy path's feed-forward equations, update rules and example orders
(:mod:`pdpsim.model.network`, :mod:`pdpsim.learning.rules`, :func:`pdpsim.training.loop.train`), written
against the Array API standard (2023.12) through array-api-compat::

    pdpsim.train(net, examples, backend="array:cupy")      # spec files: training: {backend: array:cupy}
    array_backend.train(net, examples, params, xp="torch", device="cuda:1")
    array_backend.train_ensemble(ens, xp="cupy")           # ensembles: a leading member axis

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
import importlib
import os
from dataclasses import replace

import numpy as np

from pdpsim.functions.errors import LOG_EPS, LOG_EPS32, CrossEntropy, Divergence, SumSquared
from pdpsim.model.network import SET_FROM_OUTSIDE, Network
from pdpsim.functions.units import Linear, Logistic, SoftMax, Tanh
from pdpsim.validation import PdpError

#: namespaces ``backend: array:<name>`` may name
NAMESPACES = ("numpy", "cupy", "torch", "array_api_strict")
_INSTALL = {
    "numpy": "pip install 'pdpsim[gpu]'",
    "cupy": "pip install 'pdpsim[gpu]' cupy-cuda12x   (cupy-cuda11x for CUDA 11; see https://docs.cupy.dev)",
    "torch": "pip install 'pdpsim[gpu]' torch   (a CUDA build, see https://pytorch.org/get-started)",
    "array_api_strict": "pip install 'pdpsim[gpu]' array-api-strict",
}
_FUNCTIONS, _ERRORS = (Logistic, Tanh, Linear, SoftMax), (SumSquared, CrossEntropy, Divergence)


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


def unsupported(net: Network, params) -> str | None:
    """Why this backend cannot train ``net`` with ``params`` (None if it can)."""
    if net.time is not None:                                 # CONTINUOUS networks: pdpsim.engines.array_api.time
        from pdpsim.engines.array_api.time import unsupported as in_time
        why = in_time(net, params)
        if why:
            return why
    elif any(g.kind == "CONTEXT" for g in net.groups.values()):
        return "CONTEXT groups (simple recurrent networks)"
    if params.rule != "backprop":
        return f"the {params.rule} rule (only rule: backprop)"
    if params.algorithm not in ("steepest", "momentum", "dougs_momentum"):
        return f"the {params.algorithm} algorithm (steepest, momentum or dougs_momentum)"
    if net.dtype not in (np.float32, np.float64):
        return f"dtype {net.dtype} (float32 or float64)"
    for g in net.groups.values():
        if g.output_noise:
            return f"output noise (group '{g.name}')"
        if g.kind not in SET_FROM_OUTSIDE and not _known(g.function, _FUNCTIONS, ("forward", "backward")):
            return f"{type(g.function).__name__} units (group '{g.name}')"
        if g.has_targets and not _known(g.error, _ERRORS, ("error", "output_deriv")):
            return f"the {type(g.error).__name__} error function (group '{g.name}')"
    return None


def _known(obj, classes, methods) -> bool:
    """One of pdpsim's own functions (a subclass that keeps its equations, as LensLinear, is too)."""
    return any(isinstance(obj, c) and all(getattr(type(obj), m) is getattr(c, m) for m in methods) for c in classes)


class _Engine:
    """The network's arrays on the device, and one update of a batch."""

    def __init__(self, net: Network, xp, dev, inputs: dict, targets: dict, params, members: int | None = None):
        self.net, self.xp, self.E = net, xp, members
        self.dev = None if _is_cupy(dev) else dev            # cupy: the current device (train() enters it)
        self.dt = xp.float32 if net.dtype == np.float32 else xp.float64
        self.log_eps = LOG_EPS32 if net.dtype == np.float32 else LOG_EPS
        self.exp_cap = 80.0 if net.dtype == np.float32 else 700.0
        self.zero, self.one = self.put(0.0), self.put(1.0)
        self.cap, self.eps_c = self.put(self.exp_cap), self.put(self.log_eps)
        self.one_less = self.put(1.0 - self.log_eps)
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
                      and isinstance(g.function, Logistic) and isinstance(g.error, CrossEntropy)}
        self.X = {g: self.put(x) for g, x in inputs.items()}
        self.T = {g: self.put(t) for g, t in targets.items()}
        self.has_nan = {g: bool(np.isnan(t).any()) for g, t in targets.items()}
        #: per example: every target of the group 0 or 1 (the cross-entropy fast path, as numpy takes it)
        self.row_binary = {g: np.all((t == 0) | (t == 1), axis=-1) for g, t in targets.items()}
        self.algorithm = params.algorithm
        self.live = [k for k, b in enumerate(self.blocks) if not b.frozen]
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
                    row.append((self.put(v.reshape(-1, 1, 1)), bool(np.any(v != 0))))
                else:
                    row.append((float(v), float(v) != 0))
            self.hyper.append(row)

    # ---- forward
    def f(self, g, n):
        xp = self.xp
        fn = g.function
        if isinstance(fn, Logistic):
            return 1.0 / (1.0 + xp.exp(xp.minimum(-n, self.cap)))
        if isinstance(fn, Tanh):
            return xp.tanh(n)
        if isinstance(fn, SoftMax):
            e = xp.exp(n - xp.max(n, axis=-1, keepdims=True))
            return e / xp.sum(e, axis=-1, keepdims=True)
        return n

    def forward(self, feed: dict) -> dict:
        """n_j = sum_i a_i w_ij (one product per block), a_j = f(n_j); returns every group's a."""
        xp = self.xp
        a = dict(feed)
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
            out = self.f(g, n)
            if g.name in self.unit_masks:
                out = out * self.unit_masks[g.name]
            a[g.name] = out
        return a

    # ---- error
    def target(self, g, a, t):
        """NaN targets -> the output (no error); Lens's target and zero-error radii."""
        xp = self.xp
        if self.has_nan[g.name] or g.target_radius > 0 or g.zero_error_radius > 0:
            t = xp.where(xp.isnan(t), a, t)
        if g.target_radius > 0 or g.zero_error_radius > 0:
            diff = a - t
            dist = xp.abs(diff)
            if g.target_radius > 0:
                t = xp.where(dist <= g.target_radius, a, t + xp.sign(diff) * g.target_radius)
            if g.zero_error_radius > 0:
                t = xp.where(dist <= g.zero_error_radius, a, t)
        return t

    def error(self, g, a, t, binary: bool):
        """E per example ([E,] B)."""
        xp, s, err, eps = self.xp, g.error.error_scale, g.error, self.log_eps
        if isinstance(err, SumSquared):
            d = t - a
            return s * xp.sum(d * d, axis=-1)
        if isinstance(err, CrossEntropy) and binary:
            d = xp.minimum(xp.abs(t - a), self.one_less)
            return -s * xp.sum(xp.log1p(-d), axis=-1)
        on = t > 0
        if isinstance(err, CrossEntropy):
            a = xp.clip(a, min=eps, max=1.0 - eps)
            off = t < 1
            e = (xp.where(on, t * xp.log(xp.where(on, t, self.one) / a), self.zero)
                 + xp.where(off, (1 - t) * xp.log(xp.where(off, 1 - t, self.one) / (1 - a)), self.zero))
        else:
            a = xp.maximum(a, self.eps_c)
            e = xp.where(on, t * xp.log(xp.where(on, t, self.one) / a), self.zero)
        return s * xp.sum(e, axis=-1)

    def error_deriv(self, g, a, t):
        """dE/da, the output derivative."""
        xp, s, err = self.xp, g.error.error_scale, g.error
        if isinstance(err, SumSquared):
            return (a - t) * (2.0 * s)
        if isinstance(err, CrossEntropy):
            a = xp.clip(a, min=self.log_eps, max=1.0 - self.log_eps)
            d = (a - t) / a / (1.0 - a)
            return d * s if s != 1.0 else d
        return (t / xp.maximum(a, self.eps_c)) * -s

    # ---- backward
    def fprime(self, g, a, da):
        """dE/dn = dE/da f'(n), the input derivative."""
        fn = g.function
        if isinstance(fn, Logistic):
            return (1.0 - a) * a * da
        if isinstance(fn, Tanh):
            return da * (1.0 - a * a)
        if isinstance(fn, SoftMax):
            return (da - self.xp.sum(a * da, axis=-1, keepdims=True)) * a
        return da

    def backward(self, a: dict, teff: dict) -> list:
        """dE/da, dE/dn from the outputs down; returns dE/dw of every block (summed over the batch)."""
        xp = self.xp
        da, dn = {}, {}
        for g in self.comp:
            if g.has_targets:
                t = teff[g.name]
                da[g.name] = self.error_deriv(g, a[g.name], t)
                if g.name in self.fused:        # logistic with cross-entropy: dE/dn = s (a - t)
                    s = g.error.error_scale
                    dn[g.name] = (a[g.name] - t) * s if s != 1.0 else a[g.name] - t
        dW = [None] * len(self.blocks)
        for g in reversed(self.comp):
            if g.name not in da:
                da[g.name] = xp.zeros_like(a[g.name])                   # no path to the error
            d = dn[g.name] if g.name in dn else self.fprime(g, a[g.name], da[g.name])
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
            norm = xp.sqrt(sum(xp.sum(dW[k] * dW[k], axis=axes) for k in self.live))
            big = norm > 1.0
            scale = xp.where(big, 1.0 / xp.where(big, norm, self.one), self.one)
            if self.E:
                scale = xp.reshape(scale, (-1, 1, 1))
        for k in self.live:
            b = self.blocks[k]
            (eps, _), (alpha, alpha_nz), (decay, decay_nz) = self.hyper[k]
            step = dW[k] * (-(eps * scale) if scale is not None else -eps)
            if self.algorithm != "steepest" and alpha_nz:
                dw = self.LC[k] * alpha + step
            else:
                dw = step
            if decay_nz:
                dw = dw - decay * self.W[k]
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

    def step(self, X: dict, T: dict, sl: slice, rows, want_distance: bool):
        """One update on the batch ``sl`` of the epoch's arrays; ``rows`` are its example indices
        (host). Returns the batch's summed error and the largest output distance (device)."""
        xp = self.xp
        a = self.forward({g: x[..., sl, :] for g, x in X.items()})
        axes = -1 if self.E else None
        total, worst, teff = None, None, {}
        for g in self.outs:
            t = T[g.name][..., sl, :]
            teff[g.name] = te = self.target(g, a[g.name], t)
            plain = g.target_radius <= 0 and g.zero_error_radius <= 0
            binary = plain and isinstance(g.error, CrossEntropy) and bool(self.row_binary[g.name][rows].all())
            e = self.error(g, a[g.name], te, binary)
            total = e if total is None else total + e
            if want_distance:
                d = xp.abs(a[g.name] - t)
                d = xp.max(xp.where(xp.isnan(d), self.zero, d), axis=(-2, -1) if self.E else None)
                worst = d if worst is None else xp.maximum(worst, d)
        self.dW = self.backward(a, teff)
        self.update(self.dW)
        return xp.sum(total, axis=axes), worst

    def epoch(self, order, n: int, bs: int, want_distance: bool):
        """Every batch of an epoch; their errors (and the largest output distance) come back at once."""
        X, T = self.gather(order)
        errs, worsts = [], []
        for start in range(0, n, bs):
            sl = slice(start, min(start + bs, n))
            e, w = self.step(X, T, sl, sl if order is None else order[..., sl], want_distance)
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
            b.rule_state.pop("step", None)


def _setup(net: Network, params, xp, device):
    if xp is None and not params.backend.startswith("array:"):
        raise PdpError("array_backend: name the namespace, xp='cupy', 'torch', 'numpy' or 'array_api_strict' "
                       "(or set backend: array:<namespace>)")
    key = namespace_name(xp if isinstance(xp, str) else params.backend)
    why = unsupported(net, params)
    if why:
        raise PdpError(f"training.backend array:{key} does not support {why}")
    module = namespace(key)
    return key, module, resolve_device(key, module, device)


def _is_cupy(dev) -> bool:
    return type(dev).__module__.startswith("cupy")


def _context(dev):
    return dev if _is_cupy(dev) else contextlib.nullcontext()


def _orders(rng, order: str, n: int, probs):
    if order == "ordered":
        return None
    return rng.permutation(n) if order == "permuted" else rng.choice(n, size=n, p=probs)


def train(net: Network, examples, params=None, *, xp: str | None = None, device=None, callbacks=(),
          progress: bool = False, start_epoch: int = 0, **overrides):
    """Train ``net`` as :func:`pdpsim.training.loop.train` does, on the namespace ``xp`` ("cupy",
    "torch", "numpy", "array_api_strict"; default: from ``params.backend = "array:<name>"``)."""
    from pdpsim.training.loop import TrainingParams, TrainingResult, _stop_reason, feedforward_arrays
    if net.ensemble:
        raise PdpError("train(): an ensemble network is trained with pdpsim.training.ensemble.train "
                       "(or pdpsim.engines.array_api.engine.train_ensemble)")
    params = replace(params or TrainingParams(), **overrides)
    if xp is not None:
        params = replace(params, backend=f"array:{namespace_name(xp)}")
    params = params.validated()
    key, module, dev = _setup(net, params, xp, device)
    n = len(examples)
    if n == 0:
        raise PdpError(f"example set '{examples.name}' is empty")
    inputs, targets = feedforward_arrays(net, examples) if net.time is None else ({}, {})
    bs = n if params.batch_size == 0 or params.batch_size >= n else params.batch_size
    probs = examples.frequencies / examples.frequencies.sum() if params.order == "random" else None
    want = params.output_criterion is not None
    cbs = list(callbacks)
    epochs, errors, distances = [], [], []
    stopped = "max_epochs"
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=params.max_epochs, initial=start_epoch, unit="epoch", leave=False, dynamic_ncols=True)
    with _context(dev):
        if net.time is not None:
            from pdpsim.engines.array_api.time import make_engine
            eng = make_engine(_Engine, net, module, dev, examples, params)
        else:
            eng = _Engine(net, module, dev, inputs, targets, params)
        try:
            for epoch in range(start_epoch + 1, params.max_epochs + 1):
                order = _orders(net.rng, params.order, n, probs)
                errs, worst = eng.epoch(order, n, bs, want)
                total = 0.0
                for e in errs:                                   # summed as the numpy path sums them
                    total += float(e)
                if want:
                    worst = max(0.0, float(worst))
                    distances.append(worst)
                epochs.append(epoch)
                errors.append(total)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix_str(f"error {total:.5g}", refresh=False)
                if cbs:
                    eng.copy_back()                              # callbacks see the current weights
                why = _stop_reason(params, total, worst, epoch, net, cbs)
                if why:
                    stopped = why
                    break
        finally:
            if bar is not None:
                bar.close()
            eng.copy_back()
    return TrainingResult(np.asarray(epochs, dtype=int), np.asarray(errors), stopped, params,
                          np.asarray(distances))


def train_ensemble(ens, params=None, learning_rates=None, *, xp: str | None = None, device=None, **overrides):
    """Train an :class:`pdpsim.training.ensemble.Ensemble` as :func:`pdpsim.training.ensemble.train` does (each member
    its own orders, learning rate and stop), every member at once on the device."""
    from pdpsim.training.ensemble import EnsembleResult
    from pdpsim.training.loop import feedforward_arrays
    net, xs = ens.network, ens.examples
    params = replace(params or ens.training, **overrides)
    if xp is not None:
        params = replace(params, backend=f"array:{namespace_name(xp)}")
    params = params.validated()
    key, module, dev = _setup(net, params, xp, device)
    if net.time is not None:
        raise PdpError(f"training.backend array:{key} does not support ensembles of networks in time; "
                       "use backend numpy or auto")
    if any(b.mask is not None for b in net.blocks) or any(g.unit_mask is not None for g in net.groups.values()):
        raise PdpError(f"training.backend array:{key} does not support lesions in ensembles")
    E = ens.size
    rates = np.full(E, params.learning_rate) if learning_rates is None else np.asarray(learning_rates, float)
    if rates.shape != (E,):
        raise PdpError(f"ensemble: {len(rates)} learning rates for {E} networks")
    inputs, targets = feedforward_arrays(net, xs)
    n = len(xs)
    bs = n if params.batch_size == 0 or params.batch_size >= n else params.batch_size
    probs = xs.frequencies / xs.frequencies.sum() if params.order == "random" else None
    want = params.output_criterion is not None
    active = np.ones(E, dtype=bool)
    stopped = ["max_epochs"] * E
    epochs_to_stop = np.full(E, params.max_epochs)
    errors = np.full((params.max_epochs, E), np.nan)
    eff_rates, mom, decay = rates.copy(), np.full(E, params.momentum), np.full(E, params.weight_decay)
    last_epoch = 0
    with _context(dev):
        eng = _Engine(net, module, dev, inputs, targets, params, members=E)
        eng.set_rates(eff_rates, mom, decay)
        try:
            for epoch in range(1, params.max_epochs + 1):
                order = None
                if params.order != "ordered":
                    order = np.stack([_orders(r, params.order, n, probs) if on else np.arange(n)
                                      for r, on in zip(ens.rngs, active)])
                errs, worst = eng.epoch(order, n, bs, want)
                total = np.zeros(E)
                for e in errs:
                    total += e
                errors[epoch - 1, active] = total[active]
                last_epoch = epoch
                changed = False
                for k in np.flatnonzero(active):
                    why = ("diverged" if not np.isfinite(total[k]) else
                           "error_criterion" if params.error_criterion is not None
                           and total[k] <= params.error_criterion else
                           "output_criterion" if want and worst[k] <= params.output_criterion else None)
                    if why:
                        active[k], stopped[k], epochs_to_stop[k] = False, why, epoch
                        eff_rates[k] = mom[k] = decay[k] = 0.0       # a stopped network changes no more
                        changed = True
                if not active.any():
                    break
                if changed:
                    eng.set_rates(eff_rates, mom, decay)
        finally:
            eng.copy_back()
    return EnsembleResult(errors[:last_epoch], stopped, epochs_to_stop, list(ens.seeds), rates)
