"""Small training environments defined by the papers, generated from their definitions.

Each generator returns an :class:`~pdpsim.model.examples.ExampleSet`; spec files
name them with ``examples: {generate: NAME, ...}``.
"""
from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.validation import PdpError, positive_int


def xor() -> ExampleSet:
    """Exclusive or: output 1 when exactly one of the two inputs is 1."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    t = (x[:, :1] != x[:, 1:]).astype(float)
    return ExampleSet({"input": x}, {"output": t}, names=["00", "01", "10", "11"], name="xor")


def boolean(function: str = "and") -> ExampleSet:
    """A two-input Boolean function (``and``, ``or``, ``xor``) on the four input pairs."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    ops = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}
    if function not in ops:
        raise PdpError(f"boolean: unknown function {function!r}; expected one of {', '.join(ops)}")
    t = ops[function](x[:, 0], x[:, 1]).astype(float)[:, None]
    return ExampleSet({"input": x}, {"output": t}, names=["00", "01", "10", "11"], name=function)


def parity(bits: int = 3) -> ExampleSet:
    """n-bit parity: output 1 when an odd number of inputs are 1."""
    bits = positive_int(bits, "parity.bits")
    x = np.array(list(itertools.product([0, 1], repeat=bits)), float)
    t = (x.sum(axis=1) % 2)[:, None]
    return ExampleSet({"input": x}, {"output": t}, names=["".join(str(int(v)) for v in r) for r in x],
                      name=f"parity{bits}")


def encoder(units: int = 8) -> ExampleSet:
    """The N-M-N encoder (Ackley, Hinton & Sejnowski 1985; Rumelhart, Hinton & Williams
    1986): N one-hot patterns, each its own target, squeezed through fewer hidden units."""
    units = positive_int(units, "encoder.units")
    eye = np.eye(units)
    return ExampleSet({"input": eye}, {"output": eye.copy()}, names=[f"p{i}" for i in range(units)],
                      name=f"encoder{units}")


def _hadamard(n: int) -> np.ndarray:
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


#: targets shared by the three pattern-associator sets: four +-1 patterns over 8 units
_PA_TARGETS = np.array([
    [1, -1, 1, -1, 1, 1, -1, -1],
    [-1, -1, 1, 1, 1, -1, 1, -1],
    [1, 1, -1, -1, 1, -1, -1, 1],
    [-1, 1, 1, -1, -1, 1, 1, 1],
], float)


def pattern_associator(kind: str = "orthogonal") -> ExampleSet:
    """Four input patterns over 8 units paired with four +-1 target patterns.

    ``orthogonal``
        Rows 1-4 of the 8x8 Hadamard matrix (+-1): every pair has dot product 0,
        every pattern squared length 8.
    ``independent``
        Linearly independent (rank 4) but not orthogonal: +-1 patterns whose
        pairwise dot products are 4 or 0.
    ``dependent``
        Linearly dependent (rank 3): the fourth input is the sum of the first
        two minus the third, while its target is not the same combination of
        theirs, so no linear mapping is exact.
    """
    if kind == "orthogonal":
        x = _hadamard(8)[1:5]
    elif kind == "independent":
        x = np.array([
            [1, 1, 1, 1, 1, 1, 1, 1],
            [1, 1, 1, 1, -1, -1, 1, 1],
            [1, 1, -1, -1, 1, 1, 1, 1],
            [1, -1, 1, -1, 1, 1, 1, 1],
        ], float)
    elif kind == "dependent":
        base = np.array([
            [1, 1, 1, 1, -1, -1, -1, -1],
            [1, 1, -1, -1, 1, 1, -1, -1],
            [1, -1, 1, -1, 1, -1, 1, -1],
        ], float)
        x = np.vstack([base, base[0] + base[1] - base[2]])
    else:
        raise PdpError(f"pattern_associator: unknown kind {kind!r}; expected orthogonal, independent or dependent")
    return ExampleSet({"input": x}, {"output": _PA_TARGETS.copy()}, names=[f"p{i}" for i in range(4)],
                      name=f"pa-{kind}")


def family_trees() -> ExampleSet:
    """Hinton's (1986) 104 family relationships: inputs ``person`` (24) and ``relation`` (12),
    targets ``patient`` (24, summing to 1 over the answers); the copy shipped in pdpsim/data."""
    from pdpsim.datasets.family_trees import load_data
    return load_data().examples


def deep_dyslexia() -> ExampleSet:
    """Plaut & Shallice's (1993) 40 words (20 concrete, then 20 abstract): inputs
    ``orthography`` (48), targets ``semantics`` (118 features); the copy shipped in pdpsim/data."""
    from pdpsim.datasets.deep_dyslexia import load_data
    d = load_data()
    return ExampleSet({"orthography": d.orthography}, {"semantics": d.semantics}, names=list(d.words),
                      name="deep-dyslexia")


def elman_letters(consonants: int = 1000, seed: int = 0) -> ExampleSet:
    """Elman's (1990) letter stream: ``consonants`` random consonants b, d, g, each followed by
    its vowels (ba, dii, guuu), letters as 6 features; one example whose event i has letter i
    as ``input`` and letter i+1 as the ``output`` target."""
    from pdpsim.datasets.elman import letter_examples, letter_sequence
    n = positive_int(consonants, "elman_letters: consonants")
    return letter_examples(letter_sequence(n, np.random.default_rng(int(seed))))


GENERATORS: dict[str, Callable[..., ExampleSet]] = {
    "xor": xor,
    "boolean": boolean,
    "parity": parity,
    "encoder": encoder,
    "pattern_associator": pattern_associator,
    "family_trees": family_trees,
    "deep_dyslexia": deep_dyslexia,
    "elman_letters": elman_letters,
}


def generate(name: str, **params) -> ExampleSet:
    """Run the generator ``name`` with ``params`` (as a spec's ``examples: {generate: ...}``)."""
    if name not in GENERATORS:
        raise PdpError(f"examples.generate: unknown generator {name!r}; expected one of {', '.join(GENERATORS)}")
    try:
        return GENERATORS[name](**params)
    except TypeError as e:
        raise PdpError(f"examples.generate: {name}: {e}") from None
