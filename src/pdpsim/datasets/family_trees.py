"""Hinton's (1986) family trees: the 104 relationship cases.

The cases as encoded in CompCogNeuro/sims (BSD-3-Clause, shipped in
``pdpsim/data/family_trees`` with its licence): 24 people of two families, 12
relations. Nationality, generation and branch of each person are Hinton's figure 1,
checked against the relations in the data by the tests. The reproduction that trains
on them is :mod:`pdpsim.reproductions.family_trees`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.validation import PdpError

#: (name, nationality, generation, branch) in the data's unit order. Branch: the side of the tree as
#: Hinton drew it -- the left couple's children and their spouses, or the right couple's; the third
#: generation descends from both and has no branch.
PEOPLE = (
    ("Christopher", "English", 1, "left"), ("Penelope", "English", 1, "left"),
    ("Andrew", "English", 1, "right"), ("Christine", "English", 1, "right"),
    ("Margaret", "English", 2, "left"), ("Arthur", "English", 2, "left"),
    ("Victoria", "English", 2, "left"), ("James", "English", 2, "right"),
    ("Jennifer", "English", 2, "right"), ("Charles", "English", 2, "right"),
    ("Colin", "English", 3, None), ("Charlotte", "English", 3, None),
    ("Roberto", "Italian", 1, "left"), ("Maria", "Italian", 1, "left"),
    ("Pierro", "Italian", 1, "right"), ("Francesca", "Italian", 1, "right"),
    ("Gina", "Italian", 2, "left"), ("Emilio", "Italian", 2, "left"),
    ("Lucia", "Italian", 2, "left"), ("Marco", "Italian", 2, "right"),
    ("Angela", "Italian", 2, "right"), ("Tomaso", "Italian", 2, "right"),
    ("Alfonso", "Italian", 3, None), ("Sophia", "Italian", 3, None),
)
RELATIONS = ("father", "mother", "husband", "wife", "son", "daughter", "brother", "sister", "uncle", "aunt",
             "nephew", "niece")
#: the data file's abbreviations
_ABBREV = {"Christo": "Christopher", "Penny": "Penelope", "Andy": "Andrew", "Christi": "Christine",
           "Marge": "Margaret", "Art": "Arthur", "Vicky": "Victoria", "Jenn": "Jennifer", "Chuck": "Charles",
           "Charlot": "Charlotte", "Rob": "Roberto", "Robert": "Roberto", "Francy": "Francesca", "Alf": "Alfonso",
           "Fath": "father", "Moth": "mother", "Husb": "husband", "Wife": "wife", "Son": "son",
           "Daug": "daughter", "Bro": "brother", "Sis": "sister", "Uncle": "uncle", "Aunt": "aunt",
           "Nephew": "nephew", "Neice": "niece"}

@dataclass
class FamilyData:
    """The 104 cases.

    Attributes
    ----------
    examples : ExampleSet
        Inputs ``person`` (24) and ``relation`` (12), targets ``patient`` (24,
        summing to 1: .5 on each of two answers). Names ``"Colin uncle"``.
    answers : ndarray of bool (104, 24)
        The correct patients of each case.
    people, relations : list of str
    nationality, generation, branch : list
        Per person (branch None for the third generation).
    """

    examples: ExampleSet
    answers: np.ndarray
    people: list[str]
    relations: list[str]
    nationality: list[str]
    generation: list[int]
    branch: list[str | None]

    def multi_hot(self) -> ExampleSet:
        """The cases with target 1 on every answer and 0 on the other patients (Hinton's
        logistic output units; :attr:`examples` has .5 on each of two answers, for softmax)."""
        xs = self.examples
        return ExampleSet(dict(xs.inputs), {"patient": self.answers.astype(float)}, names=list(xs.names),
                          name=f"{xs.name}-multi-hot")

    def person_probe(self) -> ExampleSet:
        """Each person alone on the person units (no relation): for reading the person codes."""
        n = len(self.people)
        return ExampleSet({"person": np.eye(n), "relation": np.zeros((n, len(self.relations)))}, {},
                          names=self.people, name="people")


def data_path() -> Path:
    """The shipped copy of the 104 cases (CompCogNeuro/sims, BSD-3-Clause)."""
    return Path(str(resources.files("pdpsim") / "data" / "family_trees" / "family_trees.tsv"))


def _full(abbrev: str) -> str:
    return _ABBREV.get(abbrev, abbrev)


def load_data(path: str | Path | None = None) -> FamilyData:
    """Read the family-trees cases (default: the shipped copy) and check them against :data:`PEOPLE`.

    The file is an emergent table: a header row, then rows ``_D:``, a name
    ``Agent.Relation.Patient``, a group, and 24 + 12 + 24 values (person,
    relation, patient one-hot/multi-hot).
    """
    p = Path(path) if path is not None else data_path()
    if not p.is_file():
        raise PdpError(f"family trees data '{p}': no such file")
    with open(p, newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and r[0] == "_D:"]
    if len(rows) != 104:
        raise PdpError(f"family trees data '{p}': {len(rows)} cases, expected 104")
    try:
        v = np.array([[float(x) for x in r[3:]] for r in rows])
    except ValueError as e:
        raise PdpError(f"family trees data '{p}': non-numeric value ({e})") from None
    if v.shape[1] != 60:
        raise PdpError(f"family trees data '{p}': rows of {v.shape[1]} values, expected 24 + 12 + 24")
    person, relation, patient = v[:, :24], v[:, 24:36], v[:, 36:]
    people = [q[0] for q in PEOPLE]
    names = []
    for r, a, b in zip(rows, person, relation):
        parts = r[1].split(".")
        if len(parts) != 3 or a.sum() != 1 or b.sum() != 1:
            raise PdpError(f"family trees data '{p}': case {r[1]!r} is not one person and one relation")
        who, rel = _full(parts[0]), _full(parts[1])
        if people[int(a.argmax())] != who or RELATIONS[int(b.argmax())] != rel:
            raise PdpError(f"family trees data '{p}': case {r[1]!r} does not match the unit order "
                           f"(unit {int(a.argmax())} is {people[int(a.argmax())]}, relation unit "
                           f"{int(b.argmax())} is {RELATIONS[int(b.argmax())]})")
        names.append(f"{who} {rel}")
    answers = patient > 0.5
    if not np.all(answers.sum(axis=1) >= 1):
        raise PdpError(f"family trees data '{p}': a case has no answer")
    targets = answers / answers.sum(axis=1, keepdims=True)
    xs = ExampleSet({"person": person, "relation": relation}, {"patient": targets}, names=names,
                    name="family-trees")
    return FamilyData(xs, answers, people, list(RELATIONS), [q[1] for q in PEOPLE], [q[2] for q in PEOPLE],
                      [q[3] for q in PEOPLE])
