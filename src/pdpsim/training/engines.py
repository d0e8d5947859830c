"""Engines: what runs a network's epochs, and the one place ``backend: auto`` is decided.

An engine is a class that registers itself here (:func:`register`) from its own module;
the training loop (:mod:`pdpsim.training.loop`) imports none of them, it asks this
registry. Each engine says whether it can run a network with given parameters, and if
not why (:meth:`Engine.unsupported`), and whether it is worth choosing when the user
asked for ``auto`` (:meth:`Engine.worth_it`). ``auto`` takes the first engine, by
``priority``, that supports the run and is worth it; the numpy reference
(:mod:`pdpsim.engines.reference`) supports everything and is always worth it, so it is
the last resort. A backend written ``name:argument`` (``array:cupy``) passes the argument
to the engine.

An engine object runs epochs: :meth:`Engine.epochs` gets each member's example orders
for up to ``k`` epochs and returns how many epochs each member ran (a member stops early
when it reaches a criterion, :func:`pdpsim.training.criteria.reached`), with the errors and
output distances of each. A single network is an ensemble of one member.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pdpsim.validation import PdpError


@dataclass
class Members:
    """The networks an engine trains at once: one, or an ensemble's members.

    Attributes
    ----------
    rngs : list of numpy Generators      each member's example orders
    rates : ndarray (M,)                 each member's learning rate
    ensemble : bool                      the network holds M members along a leading axis
    """

    rngs: list
    rates: np.ndarray
    ensemble: bool = False

    @property
    def size(self) -> int:
        return len(self.rngs)


class Engine:
    """Base class of the engines (see the module docstring)."""

    #: the backend name users write
    name: ClassVar[str] = ""
    #: ``auto`` tries engines in increasing priority
    priority: ClassVar[int] = 50
    #: whether the backend is written ``name:argument``
    takes_argument: ClassVar[bool] = False
    #: epochs per call to :meth:`epochs` when nothing needs to see each epoch
    chunk: ClassVar[int] = 1

    @classmethod
    def check_argument(cls, argument: str | None, where: str) -> str | None:
        """The normalised argument (``array:CuPy`` -> ``cupy``), or an error."""
        if argument is not None:
            raise PdpError(f"{where}: backend {cls.name} takes no argument (got '{cls.name}:{argument}')")
        return None

    @classmethod
    def available(cls) -> str | None:
        """Why the engine cannot run on this machine (a missing package), or None."""
        return None

    @classmethod
    def unsupported(cls, net, examples, params, members: Members, argument: str | None) -> str | None:
        """Why the engine cannot train ``net`` with ``params`` (None if it can)."""
        return None

    @classmethod
    def worth_it(cls, net, examples, params, members: Members, start_epoch: int) -> bool:
        """Whether ``auto`` should take this engine for the run (it supports it)."""
        return False

    def __init__(self, net, examples, params, members: Members, argument: str | None = None):
        self.net, self.examples, self.params, self.members, self.argument = net, examples, params, members, argument

    def epochs(self, orders: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run up to ``k`` epochs. ``orders``: (members, k, examples) example indices, or None for
        the examples in order. Returns (epochs run per member (M,), errors (k, M), largest output
        distances (k, M)); a member that stops early has its rows after its last epoch unused.
        The arrays are new at every call: the loop keeps them and writes into them."""
        raise NotImplementedError  # pragma: no cover

    def stop(self, member: int) -> None:
        """Member ``member`` has stopped: change its weights no more."""

    def sync(self) -> None:
        """Bring the network's arrays up to date (before callbacks, checkpoints and at the end)."""

    def close(self) -> None:
        self.sync()


_ENGINES: dict[str, type[Engine]] = {}


def register(cls: type[Engine]) -> type[Engine]:
    """Class decorator: make ``cls`` a backend by its ``name``."""
    if not cls.name:
        raise TypeError(f"{cls.__name__}: an engine needs a name")
    _ENGINES[cls.name] = cls
    return cls


def names() -> list[str]:
    """The registered backends' names, by priority (the order ``auto`` tries them)."""
    return sorted(_ENGINES, key=lambda n: _ENGINES[n].priority)


def engine_class(name: str) -> type[Engine]:
    return _ENGINES[split(name)[0]]


def _known() -> str:
    return ", ".join(["auto"] + [f"{n}:<...>" if _ENGINES[n].takes_argument else n for n in names()])


def split(backend: str) -> tuple[str, str | None]:
    name, _, arg = str(backend).strip().partition(":")
    return name.strip().lower(), (arg.strip() or None) if _ else None


def backend_name(backend: str, where: str = "training.backend") -> str:
    """The normalised backend string, or an error listing the known ones."""
    name, arg = split(backend)
    if name == "auto" and arg is None:
        return "auto"
    cls = _ENGINES.get(name)
    if cls is None:
        raise PdpError(f"{where}: unknown backend {backend!r}; expected one of {_known()}")
    if cls.takes_argument and arg is None:
        raise PdpError(f"{where}: backend {name} needs an argument ({name}:<...>), got {backend!r}")
    arg = cls.check_argument(arg, where)
    return name if arg is None else f"{name}:{arg}"


def engine(backend: str) -> tuple[type[Engine], str | None]:
    name, arg = split(backend_name(backend))
    return _ENGINES[name], arg


def single(net) -> Members:
    """The members of a run of one network."""
    return Members([net.rng], np.zeros(1))


def choose(net, examples, params, members: Members | None = None,
           start_epoch: int = 0) -> tuple[type[Engine], str | None]:
    """The engine that trains this run: the one asked for (an error if it cannot), or for ``auto``
    the first, by priority, that supports the run and is worth it."""
    members = members or single(net)
    if params.backend != "auto":
        cls, arg = engine(params.backend)
        why = cls.available() or cls.unsupported(net, examples, params, members, arg)
        if why:
            raise PdpError(f"training.backend {params.backend} does not support {why}; use backend numpy or auto")
        return cls, arg
    for name in names():
        cls = _ENGINES[name]
        if cls.takes_argument or cls.available():
            continue
        if cls.unsupported(net, examples, params, members, None) is None and \
                cls.worth_it(net, examples, params, members, start_epoch):
            return cls, None
    reference = _ENGINES[names()[-1]]             # supports whatever any engine does: its reason
    why = reference.unsupported(net, examples, params, members, None)
    raise PdpError(f"network '{net.name}' cannot be trained with {why}")


def resolve_backend(net, examples, params, start_epoch: int = 0, members: Members | None = None) -> str:
    """Which backend ``train`` would run (decide once for a run trained in chunks, and pass it as
    ``backend=`` so every chunk takes the same path)."""
    params = params.validated()
    if params.backend != "auto":
        return params.backend
    cls, _ = choose(net, examples, params, members, start_epoch)
    return cls.name
