"""The exercises of the teaching notebooks, and the functions that check the answers.

Each notebook (``pdpsim course DIR`` copies them out) has a :class:`Lesson` here with
numbered exercises. The notebook asks the question in a text cell; the student writes the
answer into a variable and calls the lesson's checker::

    from pdpsim.teaching.exercises import lecture as ex
    answer_1 = "b"
    ex.check_answer_1(answer_1)     # prints "Right." and why, or "Not yet." and a hint; returns True/False

Nothing is hidden: the answers are written out below, for a teacher to read and change.
Numeric answers that the simulator computes (the lecture's worked example) are taken
from the simulator when checked, so they cannot disagree with what the notebook shows.

Kinds of answer:

- :class:`Choice` -- a letter (``"b"``) or the option's words;
- :class:`Truth` -- ``True``/``False`` (or ``"true"``, ``"false"``, ``"t"``, ``"f"``);
- :class:`Number` -- within a tolerance, with hints for likely slips (a wrong sign);
- :class:`Words` -- any of a few accepted words (``"vowels"``, ``"vowel"``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Choice", "Truth", "Number", "Words", "Exercise", "Lesson", "LESSONS", "lesson",
           "lecture", "handbook", "srn", "attractors", "hidden"]


def _norm(x: Any) -> str:
    return " ".join(str(x).strip().lower().replace("_", " ").replace("-", " ").split())


def _blank(answer: Any) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


# ---------------------------------------------------------------- kinds of answer
@dataclass
class Choice:
    """One option of several, given by its letter or its words."""

    options: dict[str, str]
    right: str

    def matches(self, answer: Any) -> bool:
        a = _norm(answer).strip("().")
        return a == self.right or a == _norm(self.options[self.right])

    def hint(self, answer: Any) -> str | None:
        a = _norm(answer).strip("().")
        if a not in self.options and a not in (_norm(v) for v in self.options.values()):
            return f"answer with one letter: {', '.join(self.options)}"
        return None

    def describe(self) -> str:
        return "\n".join(f"  ({k}) {v}" for k, v in self.options.items())


@dataclass
class Truth:
    """True or False."""

    right: bool

    @staticmethod
    def value(answer: Any) -> bool | None:
        if isinstance(answer, bool):
            return answer
        return {"true": True, "t": True, "yes": True, "false": False, "f": False, "no": False}.get(_norm(answer))

    def matches(self, answer: Any) -> bool:
        return self.value(answer) is self.right

    def hint(self, answer: Any) -> str | None:
        return "answer True or False" if self.value(answer) is None else None

    def describe(self) -> str:
        return "  True or False?"


@dataclass
class Number:
    """A number within ``tolerance`` of ``value`` (a number, or a function that computes it)."""

    value: float | Callable[[], float]
    tolerance: float
    #: (test, hint): a hint for a wrong answer that passes the test, e.g. the right size with the wrong sign
    slips: list[tuple[Callable[[float, float], bool], str]] = field(default_factory=list)

    def target(self) -> float:
        return float(self.value() if callable(self.value) else self.value)

    def _number(self, answer: Any) -> float | None:
        if isinstance(answer, bool):
            return None
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None

    def matches(self, answer: Any) -> bool:
        x = self._number(answer)
        return x is not None and abs(x - self.target()) <= self.tolerance

    def hint(self, answer: Any) -> str | None:
        x = self._number(answer)
        if x is None:
            return f"answer with a number, not {answer!r}"
        for test, text in self.slips:
            if test(x, self.target()):
                return text
        return None

    def describe(self) -> str:
        return "  (a number)"


@dataclass
class Words:
    """Any of a few accepted words or phrases."""

    accepted: tuple[str, ...]

    def matches(self, answer: Any) -> bool:
        return _norm(answer) in {_norm(a) for a in self.accepted}

    def hint(self, answer: Any) -> str | None:
        return None

    def describe(self) -> str:
        return "  (a word)"


def _sign_slip(x: float, v: float) -> bool:
    return v != 0 and abs(x + v) <= 1e-3 * abs(v) + 1e-9


# ---------------------------------------------------------------- exercises and lessons
@dataclass
class Exercise:
    """One question: what counts as right, a hint for a wrong answer, and why the answer is right."""

    number: int
    question: str
    answer: Choice | Truth | Number | Words
    hint: str
    why: str


class Lesson:
    """The exercises of one notebook; ``check_answer_N(answer)`` checks exercise N."""

    def __init__(self, notebook: str, title: str, exercises: list[Exercise]):
        self.notebook = notebook
        self.title = title
        self.exercises = {e.number: e for e in exercises}

    def exercise(self, number: int) -> Exercise:
        try:
            return self.exercises[int(number)]
        except (KeyError, ValueError):
            raise ValueError(f"{self.title}: no exercise {number!r}; exercises are "
                             f"{', '.join(map(str, self.exercises))}") from None

    def show(self, number: int) -> None:
        """Print exercise ``number`` and its options."""
        e = self.exercise(number)
        print(f"Exercise {e.number}. {e.question}\n{e.answer.describe()}")

    def is_right(self, number: int, answer: Any) -> bool:
        """Whether ``answer`` answers exercise ``number`` (no printing)."""
        return not _blank(answer) and self.exercise(number).answer.matches(answer)

    def check(self, number: int, answer: Any) -> bool:
        """Check ``answer`` to exercise ``number``; print right/wrong (with the reason or a hint)."""
        e = self.exercise(number)
        if _blank(answer):
            print(f"Exercise {e.number}: no answer yet. Write it into answer_{e.number} and run the cell again.")
            return False
        if e.answer.matches(answer):
            print(f"Exercise {e.number}: right. {e.why}")
            return True
        specific = e.answer.hint(answer)
        print(f"Exercise {e.number}: not yet ({answer!r}). Hint: {specific or e.hint}")
        return False

    def __getattr__(self, name: str):
        if name.startswith("check_answer_"):
            number = name[len("check_answer_"):]
            if number.isdigit() and int(number) in self.exercises:
                return lambda answer: self.check(int(number), answer)
        raise AttributeError(f"{type(self).__name__} {self.title!r} has no attribute {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | {f"check_answer_{n}" for n in self.exercises})

    def __repr__(self) -> str:
        return f"Lesson({self.notebook!r}, {len(self.exercises)} exercises)"


def _worked(key: str) -> Callable[[], float]:
    def value() -> float:
        from pdpsim.teaching.explain import explain_lecture
        return explain_lecture().values[key]
    return value


# ---------------------------------------------------------------- 01: the lecture
lecture = Lesson("01_lecture", "The lecture: Delta, Hebb, XOR, the worked example, momentum", [
    Exercise(1, "The Delta rule is guaranteed to succeed (reach zero error) when the input patterns are ...",
             Choice({"a": "orthogonal", "b": "linearly independent", "c": "any set of patterns"}, "b"),
             "look at the Delta column of the quiz table: which sets reach (almost) zero error?",
             "Any linearly independent set can be mapped exactly by some weights, and the Delta rule "
             "(gradient descent on a quadratic error) finds them; orthogonal sets are only a special case."),
    Exercise(2, "True or False: linear independence and orthogonality mean the same thing.",
             Truth(False),
             "the 'independent' set has full rank; are its patterns orthogonal (zero dot products)?",
             "Orthogonal patterns are always linearly independent, but not the other way round: the "
             "'independent' set has rank 4 and non-zero dot products, and Hebb shows crosstalk on it."),
    Exercise(3, "The Hebb rule and the Delta rule make the same weights when ...",
             Choice({"a": "the inputs are linearly independent",
                     "b": "the weights start at zero and the inputs are orthogonal",
                     "c": "the learning rate is small enough"}, "b"),
             "look at the last column of the quiz table, and think about what the output is for a new "
             "pattern when the others are orthogonal to it.",
             "From zero weights, each orthogonal pattern's output is 0 when it is presented, so the "
             "error t - a is just t and the Delta rule's change eps t a equals Hebb's."),
    Exercise(4, "Without hidden units, what does the trained network answer (its output) for every XOR input?",
             Number(0.5, 0.02), "print the outputs of the xor-no-hidden network after training.",
             "No line separates {01, 10} from {00, 11}; the least sum-squared error a single logistic unit "
             "can reach is to answer 0.5 to everything."),
    Exercise(5, "In the worked example, what is dE/dw1 (the input-to-hidden weight's derivative), sign included?",
             Number(_worked("dE/dw[input:0->hidden:0]"), 5e-7,
                    [(_sign_slip, "right size, wrong sign: dE/da_output = -(t - a), which is negative here.")]),
             "multiply the chain: dE/da * da/dn (output) * w2 * da/dn (hidden) * a_input.",
             "dE/dw1 = -(1 - .54) * .2484 * .32 * .25 * .03 = -0.000274: negative, so gradient descent "
             "makes w1 larger."),
    Exercise(6, "In the worked example, what is the new w1 after one step of steepest descent (eps = .5)?",
             Number(_worked("new w[input:0->hidden:0]"), 5e-7,
                    [(lambda x, v: abs(x - 0.129863) < 2e-6,
                      "that is the slide's number: it steps uphill. New w = w - eps dE/dw, with dE/dw < 0.")]),
             "new w1 = w1 - eps * dE/dw1, with the sign of dE/dw1 from exercise 5.",
             "w1 = .13 - .5 * (-.000274) = .130137: the weight grows, as w2 does."),
    Exercise(7, "With momentum alpha = 0.9 and the same gradient at every step, the weight change grows to how "
                "many times the change without momentum?",
             Number(10.0, 0.01, [(lambda x, v: abs(x - 1.9) < 0.01, "that is only the second step; let it run on.")]),
             "write dw(t) = -eps g + alpha dw(t-1) and let t grow: a geometric series.",
             "dw -> -eps g (1 + alpha + alpha^2 + ...) = -eps g / (1 - alpha) = 10 times -eps g."),
])

# ---------------------------------------------------------------- 02: the PDP handbook
handbook = Lesson("02_handbook", "The PDP handbook's backpropagation exercises", [
    Exercise(1, "The handbook's tss (total sum of squares) is how many times pdpsim's error E?",
             Number(2.0, 1e-9, [(lambda x, v: abs(x - 0.5) < 1e-9, "the other way round: E has the 1/2.")]),
             "compare the lecture's E = 1/2 sum (t - a)^2 with tss = sum (t - a)^2.",
             "pdpsim's E has the lecture's 1/2; bp's tss has none, so tss = 2 E."),
    Exercise(2, "What does bp's 'reset' command give the network?",
             Choice({"a": "new random weights", "b": "the same starting weights again (from the same seed)",
                     "c": "all weights zero"}, "b"),
             "print the weights after two resets and compare.",
             "reset draws the starting weights again from the same seed, so runs with different learning "
             "rates start from the same place and differ only by the setting; newstart takes a new seed."),
    Exercise(3, "With 'set mode lgrain pattern', how many times are the 4-2-4 encoder's weights changed in "
                "10 epochs (4 patterns)?",
             Number(40, 0.0, [(lambda x, v: x == 10, "that is lgrain epoch: one change per epoch.")]),
             "lgrain pattern changes the weights after every pattern.",
             "One change per pattern: 4 patterns x 10 epochs = 40 (lgrain epoch would make 10)."),
    Exercise(4, "After training, the 4-2-4 encoder's two hidden units code the four patterns ...",
             Choice({"a": "as a one-hot code, one unit per pattern",
                     "b": "each near a different corner of the unit square (a binary code)",
                     "c": "all alike: the output units do the work"}, "b"),
             "plot the hidden units' activations for the four patterns.",
             "Two units can tell four patterns apart only by using both, as a two-bit code: each pattern "
             "goes to its own corner of the square."),
])

# ---------------------------------------------------------------- 03: simple recurrent networks
srn = Lesson("03_srn", "Simple recurrent networks: Elman's letters and words", [
    Exercise(1, "Which letters does the trained network predict well: the consonants or the vowels?",
             Words(("vowels", "vowel", "the vowels")),
             "compare the mean error where a consonant is predicted with the mean where a vowel is.",
             "The consonants are drawn at random; the vowels (and how many) follow from the consonant."),
    Exercise(2, "What is the least mean RMS error any predictor can reach where a consonant comes "
                "(two decimals)?",
             Number(0.268, 0.012),
             "the best guess of a random consonant is the mean of b, d and g; letter_metrics reports it.",
             "Outputting the mean of b, d, g leaves errors only on 'high' and 'back': about 0.27, and the "
             "trained network gets there and no lower."),
    Exercise(3, "What do the context units hold when the first letter of a stream comes in?",
             Number(0.5, 1e-9, [(lambda x, v: x == 0, "not zero: a logistic unit's resting value.")]),
             "look at build_srn's description of the context group.",
             "The context copies the hidden layer's previous output; before the first letter there is "
             "none, and it holds 0.5."),
    Exercise(4, "In the word stream (no spaces), where does the prediction error peak?",
             Choice({"a": "at the last letter of each word", "b": "at the first letter of each word",
                     "c": "at the vowels"}, "b"),
             "look at where the red word boundaries fall in the error plot.",
             "Within a word the next letter is predictable; the next word is not, so the error peaks at its "
             "first letter: the error marks word boundaries the input never shows."),
])

# ---------------------------------------------------------------- 04: attractors
attractors = Lesson("04_attractors", "Attractor networks, settling and lesions: deep dyslexia", [
    Exercise(1, "With dt = 1/4 (4 ticks per interval) and 4 intervals, over how many ticks does the network "
                "settle?",
             Number(16, 0.0), "ticks = ticks_per_interval x intervals.", "4 x 4 = 16 ticks."),
    Exercise(2, "A reader with deep dyslexia (or a lesioned network) reads TART as \"flan\". "
                "What kind of error is that?",
             Choice({"a": "visual", "b": "semantic", "c": "mixed", "d": "other"}, "b"),
             "is flan close to tart in spelling, in meaning, or both? (data.close_orthography, data.close_semantics)",
             "flan is close in meaning (both are food) and not in spelling: a semantic error, the "
             "hallmark of deep dyslexia."),
    Exercise(3, "Which words does damage hurt more (at most lesion sites): concrete or abstract?",
             Words(("abstract", "abstract words", "the abstract words")),
             "compare correct_concrete with correct_abstract in the lesion table.",
             "Abstract words have fewer semantic features, so their attractors are weaker and damage "
             "moves them more easily (Plaut & Shallice found the reverse only for clean-up lesions)."),
    Exercise(4, "Spelling and meaning are unrelated in this word set. The hidden (intermediate) layer's "
                "similarity structure ...",
             Choice({"a": "follows spelling only", "b": "follows meaning only",
                     "c": "correlates with both: it splits the difference"}, "c"),
             "look at both RSA curves over the ticks.",
             "The hidden patterns correlate with spelling and with meaning, which do not correlate with "
             "each other: the hidden layer lies between them."),
])

# ---------------------------------------------------------------- 05: hidden representations
hidden = Lesson("05_hidden", "What hidden units learn: recording, similarity, clustering, RSA", [
    Exercise(1, "True or False: after training, one straight line separates XOR's two classes in the hidden "
                "units' space.",
             Truth(True), "look at linear_separability of the hidden patterns.",
             "The hidden units re-represent the inputs so that the output unit, a single line, can "
             "separate them."),
    Exercise(2, "How many distinct pairs (entries of one triangle of the dissimilarity matrix) do 8 items have?",
             Number(28, 0.0, [(lambda x, v: x == 64, "that counts every cell, the diagonal and both triangles."),
                              (lambda x, v: x == 56, "each pair is counted twice: take one triangle.")]),
             "n (n - 1) / 2.", "8 x 7 / 2 = 28 pairs: what RSA correlates."),
    Exercise(3, "RSA compares two dissimilarity matrices with which correlation?",
             Choice({"a": "Pearson's, on the raw distances", "b": "Spearman's, on their ranks",
                     "c": "none: it subtracts them"}, "b"),
             "read the docstring: help(analysis.rsa).",
             "Spearman's rank correlation needs no assumption that the two spaces' distances are on "
             "the same scale, only that their orders agree."),
    Exercise(4, "In Rumelhart's semantic network, which distinction do the item representations make first?",
             Choice({"a": "plant vs animal", "b": "tree vs flower, bird vs fish", "c": "one item from another"}, "a"),
             "look at the half-maximum onsets of the three levels.",
             "Progressive differentiation: the broadest distinction first, then the basic categories, "
             "then the items."),
])

#: every lesson, by its notebook's name
LESSONS: dict[str, Lesson] = {x.notebook: x for x in (lecture, handbook, srn, attractors, hidden)}


def lesson(notebook: str) -> Lesson:
    """The lesson of a notebook, by its name (``"01_lecture"``) or its number (``"01"``, ``1``)."""
    key = str(notebook)
    for name, x in LESSONS.items():
        if key == name or (key.isdigit() and name.startswith(f"{int(key):02d}_")):
            return x
    raise ValueError(f"no lesson {notebook!r}; lessons are {', '.join(LESSONS)}")
