"""Name tables for rules: Lens's type names, aliases, and the codes compiled kernels dispatch on.

Each kind of rule (output functions, error functions, integrators, clamps) has one
:class:`Registry`. A rule class registers itself with a decorator in the module that
defines it; nothing else lists it. Looking up an unknown name is an error that lists
the known ones. Kernel codes are the positions in the table (registration order), so
the dispatch the compiled engine generates and the codes the builder writes come from
the same table.
"""
from __future__ import annotations

from typing import ClassVar, Generic, Iterator, TypeVar

from pdpsim.validation import PdpError

T = TypeVar("T")


class Rule:
    """What every rule class shares: its name in a table and its named options.

    ``options`` maps each option to its default; a rule with every option at its default is
    *plain*: its formulas exactly, which every engine runs (the other settings carry another
    simulator's conventions, e.g. Lens's, and run on the numpy engine).
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: what the rule is, for messages ("unit type", "error type")
    kind: ClassVar[str] = "rule"
    options: ClassVar[dict] = {}

    def _set_options(self, options: dict) -> None:
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise PdpError(f"{self.kind} {self.name}: unknown option(s) {', '.join(unknown)}; "
                           f"expected {', '.join(self.options) or 'none'}")
        for k, v in self.options.items():
            setattr(self, k, options.get(k, v))

    @property
    def plain(self) -> bool:
        """Every option at its default: the formulas exactly (what every engine runs)."""
        return all(getattr(self, k) == v for k, v in self.options.items())

    @property
    def option_values(self) -> dict:
        return {k: getattr(self, k) for k in self.options}


def _key(name: str) -> str:
    return str(name).strip().upper().replace("-", "_").replace(" ", "_")


class Registry(Generic[T]):
    """Rule classes of one kind, keyed by their Lens names.

    Parameters
    ----------
    kind : str
        What the rules are, for messages ("unit type", "error type").
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._classes: dict[str, type[T]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: add ``cls`` under ``cls.name`` (and ``cls.aliases``)."""
        name = _key(cls.name)
        if not name:
            raise TypeError(f"{cls.__name__}: a registered rule needs a name")
        if name in self._classes and self._classes[name] is not cls:
            raise TypeError(f"{self.kind} {name!r} is registered twice ({self._classes[name].__name__} "
                            f"and {cls.__name__})")
        self._classes[name] = cls
        for a in getattr(cls, "aliases", ()):
            self._aliases[_key(a)] = name
        return cls

    def resolve(self, name: str, where: str = "") -> str:
        """The registered name for ``name`` (case-insensitive; aliases allowed)."""
        key = _key(name)
        key = self._aliases.get(key, key)
        if key not in self._classes:
            prefix = f"{where}: " if where else ""
            raise PdpError(f"{prefix}unknown {self.kind} {name!r}; expected one of {', '.join(self._classes)}")
        return key

    def get(self, name: str, where: str = "") -> type[T]:
        """The rule class for ``name``."""
        return self._classes[self.resolve(name, where)]

    def code(self, name: str, where: str = "") -> int:
        """The kernel code of ``name``: its position in the table."""
        return list(self._classes).index(self.resolve(name, where))

    def names(self) -> list[str]:
        return list(self._classes)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._aliases.get(_key(name), _key(name)) in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def items(self):
        return self._classes.items()

    def __getitem__(self, name: str) -> type[T]:
        return self.get(name)

    def __repr__(self) -> str:
        return f"Registry({self.kind}: {', '.join(self._classes)})"
