"""Plaut & Shallice's (1993) 40 words: orthography, semantic features, and the close-word lists.

The word set as encoded in the emergent simulation (BSD-3-Clause, shipped in
``pdpsim/data/deep_dyslexia`` with its licence): 20 concrete and 20 abstract words,
their letters on 48 orthography units and their meanings on 118 semantic features,
and the lists of words scored as visually and semantically close. The reproduction
that trains and lesions the attractor network is :mod:`pdpsim.reproductions.plaut_shallice`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.validation import PdpError

ENV = "PDPSIM_DEEP_DYSLEXIA_DATA"
FILES = {"patterns": "emergent_train_pats.tsv", "features": "emergent_semantics.tsv",
         "close_orthography": "emergent_close_orthos.tsv", "close_semantics": "emergent_close_sems.tsv"}


@dataclass
class DyslexiaData:
    """The 40-word concrete/abstract set.

    Attributes
    ----------
    words : list of str                  the 40 words (20 concrete, then 20 abstract)
    concrete : ndarray of bool (40,)
    orthography : ndarray (40, 48)       0/1 letter units (4 active per word)
    semantics : ndarray (40, 118)        0/1 semantic features
    feature_names, feature_classes : list of str (118)   name and "con"/"abs" of each feature
    close_orthography, close_semantics : dict word -> set of words
        The words scored as orthographically (visually) / semantically close to each word.
    source : str                          where the files were read
    """

    words: list[str]
    concrete: np.ndarray
    orthography: np.ndarray
    semantics: np.ndarray
    feature_names: list[str]
    feature_classes: list[str]
    close_orthography: dict[str, set[str]]
    close_semantics: dict[str, set[str]]
    source: str = ""

    def __len__(self) -> int:
        return len(self.words)

    def examples(self) -> ExampleSet:
        """One event per word: orthography in, semantics as target."""
        return ExampleSet({"orthography": self.orthography}, {"semantics": self.semantics},
                          names=list(self.words), name="deep-dyslexia")

    def index(self, word: str) -> int:
        try:
            return self.words.index(word)
        except ValueError:
            raise PdpError(f"deep dyslexia data: no word '{word}'") from None


def shipped_data_dir() -> Path:
    """The copy of the data shipped inside the package."""
    from importlib import resources
    return Path(str(resources.files("pdpsim") / "data" / "deep_dyslexia"))


def data_dir(path=None) -> Path:
    """The folder holding the four ``emergent_*.tsv`` files: ``path`` (the folder itself or
    a folder with a ``deep_dyslexia`` subfolder), else ``$PDPSIM_DEEP_DYSLEXIA_DATA``, else
    the shipped copy."""
    if path is None:
        path = os.environ.get(ENV) or shipped_data_dir()
    p = Path(path)
    for cand in (p, p / "deep_dyslexia"):
        if all((cand / f).is_file() for f in FILES.values()):
            return cand
    missing = [f for f in FILES.values() if not (p / f).is_file()]
    raise PdpError(f"deep dyslexia data: '{p}' lacks {', '.join(missing)} (expected the emergent "
                   f"dyslexia files {', '.join(FILES.values())}, or a folder with a deep_dyslexia subfolder)")


def _rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PdpError(f"deep dyslexia data: cannot read '{path}': {e}") from None
    return [line.rstrip("\r\n").split("\t") for line in text.splitlines() if line.strip()]


def _word(name: str) -> str:
    """'tart_tttartt' -> 'tart'; '$lass_lll_sss' -> 'lass'."""
    return name.strip().lstrip("$").split("_")[0]


def _close_lists(path: Path, words: Sequence[str]) -> dict[str, set[str]]:
    rows = _rows(path)
    if not rows or rows[0][0] != "_H:":
        raise PdpError(f"deep dyslexia data: '{path}' has no '_H:' header row")
    heads = [_word(h) for h in rows[0][1:]]
    known = set(words)
    bad = [h for h in heads if h not in known]
    if bad or sorted(heads) != sorted(words):
        raise PdpError(f"deep dyslexia data: '{path}': columns {bad or heads} do not match the 40 words")
    close: dict[str, set[str]] = {w: set() for w in heads}
    for r in rows[1:]:
        if r[0] != "_D:":
            continue
        for w, v in zip(heads, r[1:]):
            v = v.strip()
            if v:
                c = _word(v)
                if c not in known:
                    raise PdpError(f"deep dyslexia data: '{path}': unknown word '{v}' in column '{w}'")
                close[w].add(c)
    return close


def load_data(path=None) -> DyslexiaData:
    """Read the word set (see :func:`data_dir` for where)."""
    d = data_dir(path)
    rows = _rows(d / FILES["patterns"])
    head = rows[0] if rows else [""]
    if head[0] != "_H:" or "$Name" not in head:
        raise PdpError(f"deep dyslexia data: '{d / FILES['patterns']}' has no '_H:' header with $Name")
    name_col = head.index("$Name")
    o_cols = [i for i, h in enumerate(head) if h.startswith("%Orthography[")]
    s_cols = [i for i, h in enumerate(head) if h.startswith("%Semantics[")]
    data_rows = [r for r in rows[1:] if r[0] == "_D:"]
    try:
        orth = np.array([[float(r[i]) for i in o_cols] for r in data_rows])
        sem = np.array([[float(r[i]) for i in s_cols] for r in data_rows])
    except (ValueError, IndexError) as e:
        raise PdpError(f"deep dyslexia data: '{d / FILES['patterns']}': bad pattern value ({e})") from None
    words = [_word(r[name_col]) for r in data_rows]
    feats = [r for r in _rows(d / FILES["features"])[1:] if r[0] == "_D:"]
    if not feats or any(len(r) < 2 for r in feats):
        raise PdpError(f"deep dyslexia data: '{d / FILES['features']}' has no '_D:' rows of feature names")
    names = [r[1].strip() for r in feats]
    classes = [r[3].strip() if len(r) > 3 else "" for r in feats]
    nf = len(names)
    if len(words) != 40 or orth.shape[1] != 48 or sem.shape[1] < nf:
        raise PdpError(f"deep dyslexia data: expected 40 words, 48 orthography units and >= {nf} semantic "
                       f"slots; got {len(words)}, {orth.shape[1]}, {sem.shape[1]}")
    if np.any(sem[:, nf:] != 0):
        raise PdpError(f"deep dyslexia data: semantic slots beyond the {nf} named features are used")
    sem = sem[:, :nf]                   # the unnamed trailing slots of the 10x12 grid are never on
    if not (np.isin(orth, (0, 1)).all() and np.isin(sem, (0, 1)).all()):
        raise PdpError("deep dyslexia data: patterns must be 0/1")
    concrete = np.arange(len(words)) < 20          # the emergent sim: the first 20 rows are concrete
    return DyslexiaData(words, concrete, orth, sem, names, classes,
                        _close_lists(d / FILES["close_orthography"], words),
                        _close_lists(d / FILES["close_semantics"], words), str(d))
