"""Training streams of Elman (1990), "Finding structure in time" (Cognitive Science 14, 179-211).

Two of the paper's simulations, generated from their definitions:

**Structure in letter sequences.** The consonants b, d, g are drawn at random
(uniformly, independently) and each is replaced by a fixed syllable::

    b -> ba      d -> dii      g -> guuu

so ``d b g b`` becomes ``diibaguuuba``. Which consonant comes next is
unpredictable; the vowels that follow it, and how many, are fully determined.
Every letter is a vector of six binary phonetic features, the paper's Table 1
(as best it can be established; the paper prints it as "Vector definitions of
alphabet")::

              consonantal  vowel  interrupted  high  back  voiced
        b          1         0         1        0     0      1
        d          1         0         1        1     0      1
        g          1         0         1        0     1      1
        a          0         1         0        0     1      1
        i          0         1         0        1     0      1
        u          0         1         0        1     1      1

So the three consonants share consonantal, interrupted and voiced and differ
only in high and back; a network can know *that* a consonant comes before it
can know *which* one.

**Discovering the notion "word".** A small grammar over a 15-word lexicon
(Elman used about 15 words and a 200-sentence stream; his own grammar is not
printed, so :func:`sentence` is our own) produces sentences such as
"many years ago a boy and girl lived by the sea" and "they played happily" (the
paper's Figure 6 example is one of its sentences). The sentences are
concatenated and broken into letters with no word or sentence boundary; each
letter becomes a fixed random 5-bit vector (distinct letters get distinct
vectors).

Streams are ExampleSets of **one example** whose events are the letters: event i
has letter i as input and letter i + 1 as target. The stream wraps around (the
last letter's target is the first letter), as Elman's did.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pdpsim.model.examples import ExampleSet

# ------------------------------------------------------------------ letters
#: the six phonetic features of Elman's Table 1, in order
LETTER_FEATURES = ("consonantal", "vowel", "interrupted", "high", "back", "voiced")

#: Elman's (1990) Table 1: each letter's features, in the order of LETTER_FEATURES
LETTER_CODES: dict[str, tuple[int, ...]] = {
    "b": (1, 0, 1, 0, 0, 1),
    "d": (1, 0, 1, 1, 0, 1),
    "g": (1, 0, 1, 0, 1, 1),
    "a": (0, 1, 0, 0, 1, 1),
    "i": (0, 1, 0, 1, 0, 1),
    "u": (0, 1, 0, 1, 1, 1),
}

CONSONANTS = ("b", "d", "g")
#: each consonant's fixed replacement
SYLLABLES = {"b": "ba", "d": "dii", "g": "guuu"}


def consonant_sequence(n: int, rng: np.random.Generator) -> str:
    """``n`` consonants drawn uniformly and independently from b, d, g."""
    return "".join(rng.choice(list(CONSONANTS), size=int(n)))


def letter_sequence(n_consonants: int, rng: np.random.Generator) -> str:
    """A stream of letters: random consonants, each replaced by its syllable
    (b -> ba, d -> dii, g -> guuu); about 3 letters per consonant."""
    return "".join(SYLLABLES[c] for c in consonant_sequence(n_consonants, rng))


def letter_vectors(text: str) -> np.ndarray:
    """The feature vectors of ``text``'s letters: (len(text), 6)."""
    return np.array([LETTER_CODES[c] for c in text], dtype=float)


def stream_examples(vectors: np.ndarray, name: str, input_group: str = "input",
                    output_group: str = "output") -> ExampleSet:
    """One example whose event i has input ``vectors[i]`` and target ``vectors[i + 1]``
    (the last event's target is ``vectors[0]``: the stream wraps around)."""
    x = np.asarray(vectors, dtype=float)
    return ExampleSet({input_group: x[None]}, {output_group: np.roll(x, -1, axis=0)[None]}, names=[name],
                      name=name)


def letter_examples(text: str, name: str = "letters") -> ExampleSet:
    """The letter-prediction stream of ``text`` (see :func:`stream_examples`)."""
    return stream_examples(letter_vectors(text), name)


# ------------------------------------------------------------------ words
#: the 15 words of the lexicon (Elman's Figure 6 sentence uses all but "dog")
LEXICON = ("many", "years", "ago", "a", "the", "boy", "girl", "dog", "and", "they", "lived", "played", "by",
           "sea", "happily")
NOUNS = ("boy", "girl", "dog")
DETERMINERS = ("a", "the")
VERB_PHRASES = (("lived", "by", "the", "sea"), ("played", "by", "the", "sea"), ("lived", "happily"),
                ("played", "happily"), ("played",))
#: Elman's (1990) Figure 6 example: two sentences our grammar can produce
ELMAN_SENTENCES = (("many", "years", "ago", "a", "boy", "and", "girl", "lived", "by", "the", "sea"),
                   ("they", "played", "happily"))


def sentence(rng: np.random.Generator) -> list[str]:
    """One sentence of the grammar::

        S   -> [many years ago] NP VP                ("many years ago": p = .3)
        NP  -> they | DET N | DET N and N            (p = .2, .56, .24)
        DET -> a | the          N -> boy | girl | dog
        VP  -> lived by the sea | played by the sea | lived happily | played happily | played

    (choices uniform unless stated).
    """
    words: list[str] = []
    if rng.random() < 0.3:
        words += ["many", "years", "ago"]
    if rng.random() < 0.2:
        words.append("they")
    else:
        words += [DETERMINERS[rng.integers(2)], NOUNS[rng.integers(3)]]
        if rng.random() < 0.3:
            words += ["and", NOUNS[rng.integers(3)]]
    words += VERB_PHRASES[rng.integers(len(VERB_PHRASES))]
    return words


def sentences(n: int, rng: np.random.Generator) -> list[list[str]]:
    return [sentence(rng) for _ in range(int(n))]


def letter_codes_5bit(letters, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Distinct random 5-bit vectors, one per letter (at most 32 letters)."""
    letters = sorted(set(letters))
    if len(letters) > 32:
        raise ValueError(f"{len(letters)} letters do not fit in distinct 5-bit codes")
    codes = rng.choice(32, size=len(letters), replace=False)
    return {c: np.array([(int(k) >> b) & 1 for b in range(4, -1, -1)], dtype=float) for c, k in zip(letters, codes)}


@dataclass
class WordStream:
    """A stream of letters without boundaries, and where its words begin.

    Attributes
    ----------
    words : list of str          the words in order
    text : str                   their letters, concatenated
    onset : ndarray of bool      (len(text),) True at each word's first letter
    position : ndarray of int    (len(text),) each letter's position within its word (0 = first)
    word_index : ndarray of int  (len(text),) which word each letter belongs to
    examples : ExampleSet        one example, an event per letter (target: the next letter)
    """

    words: list[str]
    text: str
    onset: np.ndarray
    position: np.ndarray
    word_index: np.ndarray
    examples: ExampleSet


def word_stream(sents: list[list[str]], codes: dict[str, np.ndarray], name: str = "words") -> WordStream:
    """Concatenate ``sents`` into one letter stream coded by ``codes``."""
    words = [w for s in sents for w in s]
    text = "".join(words)
    onset = np.zeros(len(text), dtype=bool)
    position = np.zeros(len(text), dtype=int)
    word_index = np.zeros(len(text), dtype=int)
    i = 0
    for k, w in enumerate(words):
        onset[i] = True
        position[i:i + len(w)] = np.arange(len(w))
        word_index[i:i + len(w)] = k
        i += len(w)
    x = np.array([codes[c] for c in text], dtype=float)
    return WordStream(words, text, onset, position, word_index, stream_examples(x, name))
