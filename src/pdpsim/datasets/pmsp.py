"""The Plaut, McClelland, Seidenberg & Patterson (1996) reading corpus and test sets.

The files carry no licence, so pdpsim does not ship them. :func:`load_pmsp` reads
``pmsp96_corpus_compact.tsv`` (2998 words; per word its index, spelling,
pronunciation, scaled log frequency, and the active grapheme (105) and phoneme
(61) units). Units are binary: listed units are 1, all others 0.

:func:`read_xerion` reads the Xerion example files of the PMSP distribution (the
corpus ``xerion_SM-nsyl.ex.gz`` and the test sets: Glushko's nonwords, Taraban &
McClelland's words, ...) into an :class:`ItemSet`; :func:`load_items` finds them
by name in the data folder. :data:`GRAPHEMES` and :data:`PHONEMES` name the units
(the names the files' own comments give), :data:`GRAPHEME_SLOTS` and
:data:`PHONEME_SLOTS` give the onset, vowel and coda slots.
"""
from __future__ import annotations

import csv
import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.validation import PdpError, readable_file

N_GRAPHEMES = 105
N_PHONEMES = 61


def load_pmsp(path: str | Path) -> ExampleSet:
    """Read the compact PMSP corpus into an ExampleSet (groups ``orthography`` and ``phonology``)."""
    p = Path(path)
    if p.is_dir():
        p = p / "pmsp96_corpus_compact.tsv"
    p = readable_file(p, "PMSP corpus")
    names, freqs, ins, outs = [], [], [], []
    with open(p, newline="") as f:
        numbered = [(n, line) for n, line in enumerate(f, start=1) if not line.startswith("#")]
        reader = csv.DictReader((line for _, line in numbered), delimiter="\t")
        need = {"word", "freq_scaled", "active_input_units", "active_output_units"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise PdpError(f"PMSP corpus '{p}': expected the columns {', '.join(sorted(need))}")
        for (line, _), row in zip(numbered[1:], reader):
            try:
                i_units = [int(u) for u in row["active_input_units"].split()]
                o_units = [int(u) for u in row["active_output_units"].split()]
                freq = float(row["freq_scaled"])
            except (ValueError, AttributeError):
                raise PdpError(f"PMSP corpus '{p}', line {line}: expected unit numbers and a frequency") from None
            if any(not 0 <= u < N_GRAPHEMES for u in i_units) or any(not 0 <= u < N_PHONEMES for u in o_units):
                raise PdpError(f"PMSP corpus '{p}', line {line}: a unit number is out of range "
                               f"(grapheme units 0-{N_GRAPHEMES - 1}, phoneme units 0-{N_PHONEMES - 1})")
            x = np.zeros(N_GRAPHEMES)
            x[i_units] = 1.0
            t = np.zeros(N_PHONEMES)
            t[o_units] = 1.0
            names.append(row["word"])
            freqs.append(freq)
            ins.append(x)
            outs.append(t)
    if not names:
        raise PdpError(f"PMSP corpus '{p}': no words")
    return ExampleSet({"orthography": np.array(ins)}, {"phonology": np.array(outs)}, names=names,
                      frequencies=np.array(freqs), name="pmsp96")


# ---------------------------------------------------------------- the units
#: where each slot's units lie: name -> (first, end)
GRAPHEME_SLOTS = {"onset": (0, 30), "vowel": (30, 57), "coda": (57, 105)}
PHONEME_SLOTS = {"onset": (0, 23), "vowel": (23, 37), "coda": (37, 61)}

#: the 105 grapheme units, as the comments of the Xerion files name them (coda unit 69, never
#: active in the corpus, is named 'j' by xerion_graphemes-nsyl.ex)
GRAPHEMES = tuple(
    "y s p t k q c b d g f v j z l m n r w h ch gh gn ph ps rh sh th ts wh".split()
    + "e i o u a y ai au aw ay ea ee ei eu ew ey ie oa oe oi oo ou ow oy ue ui uy".split()
    + "h r l m n b d g c x f v j s z p t k q bb ch ck dd dg ff gg gh gn ks ll ng nn ph pp ps rr sh "
      "sl ss tch th ts tt zz u e es ed".split())

#: the 61 phoneme units in the paper's notation (/@/ as in "cat", /^/ "cut", /A/ "cake", /E/ "keep",
#: /I/ "bike", /O/ "hope", /U/ "boot", /W/ "how", /Y/ "boy"; /S/ "sh", /C/ "ch", /T/ "th" in "thin",
#: /D/ "th" in "then", /N/ "ng", /j/ "j"). Within the onset and within the coda the units stand in
#: the order the phonemes are spoken, except that the coda puts /s/ before /p k t/ ("lisp", "ask",
#: "list"); the cluster units /ps/, /ks/, /ts/ (the files' P, K and +) are on, beside /s/ and the
#: stop, when the stop comes first ("lapse", "box", "its").
PHONEMES = tuple(
    "s S C z Z j f v T D p b t d k g m n h l r w y".split()
    + "a e i o u @ ^ A E I O U W Y".split()
    + "r l m n N b g d ps ks ts s z f v p k t S Z T D C j".split())

#: cluster unit -> the stop it puts before /s/
CLUSTERS = {"ps": "p", "ks": "k", "ts": "t"}
#: how the Xerion files' comments name the cluster units
FILE_LABELS = {"ps": "P", "ks": "K", "ts": "+"}

#: the item sets in the data folder: name -> file
ITEM_FILES = {
    "corpus": "xerion_SM-nsyl.ex.gz",
    "glushko": "xerion_glushkoNW-nsyl.ex",
    "besner": "xerion_besnerNW-nsyl.ex",
    "taraban": "xerion_taraban-nsyl.ex",
    "taraban_all": "xerion_tarabanALL-nsyl.ex",
    "jared1": "xerion_jared1-nsyl.ex",
    "jared2": "xerion_jared2-nsyl.ex",
    "surface": "xerion_surface-nsyl.ex",
}
#: the per-word results file (pmsp-torch's copy of the paper's item data)
ITEM_DATA = "pmsptorch_pmsp-data.tsv"


@dataclass
class ItemSet:
    """Words or nonwords with their spellings and pronunciations as unit patterns.

    ``phon`` is the file's pronunciation (for nonwords: the regular one), ``kind`` the file's
    type column (Glushko: ``GPR`` consistent, ``GPE`` inconsistent; Taraban: ``H-E`` ...),
    ``freq`` the file's frequency (ln(KF + 2) / 12 for the corpus, 1 for nonwords).
    ``labels`` holds the unit names the file's comments give, per unit (None where a unit is
    never on in the file): (graphemes, phonemes).
    """

    name: str
    words: list[str]
    phon: list[str]
    freq: np.ndarray
    kind: list[str]
    orthography: np.ndarray
    phonology: np.ndarray
    source: str = ""
    labels: tuple[list, list] = field(default_factory=lambda: ([], []))

    def __len__(self) -> int:
        return len(self.words)

    def examples(self) -> ExampleSet:
        """An ExampleSet (groups ``orthography`` and ``phonology``; frequencies ``freq``)."""
        return ExampleSet({"orthography": self.orthography}, {"phonology": self.phonology},
                          names=list(self.words), frequencies=self.freq, name=self.name)

    def select(self, mask) -> "ItemSet":
        """The items where ``mask`` (booleans or indices) selects them."""
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask, dtype=int)
        return ItemSet(self.name, [self.words[i] for i in idx], [self.phon[i] for i in idx], self.freq[idx],
                       [self.kind[i] for i in idx], self.orthography[idx], self.phonology[idx], self.source,
                       self.labels)


_HEADER = re.compile(r"^#\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(\S+))?\s*$")


def read_xerion(path: str | Path, name: str | None = None) -> ItemSet:
    """Read a Xerion example file of the PMSP distribution (``.ex``, or gzipped ``.ex.gz``).

    Each item is a header comment ``# index word pronunciation frequency [type]``, the 105
    grapheme values, a ``,``, the 61 phoneme values and a ``;``. Values may be spread over
    lines; a comment after a value names the unit that is on in that line.
    """
    p = readable_file(path, "PMSP item file")
    opener = gzip.open if p.suffix == ".gz" else open
    items: list[dict] = []
    cur = None
    g_lab: list = [None] * N_GRAPHEMES
    p_lab: list = [None] * N_PHONEMES
    try:
        with opener(p, "rt") as f:
            for n, line in enumerate(f, start=1):
                text = line.strip()
                if cur is None:
                    m = _HEADER.match(text)
                    if m:
                        try:
                            freq = float(m[4])
                        except ValueError:
                            raise PdpError(f"PMSP item file '{p}', line {n}: the frequency {m[4]!r} "
                                           "is not a number") from None
                        cur = {"line": n, "word": m[2], "phon": m[3], "freq": freq, "kind": m[5] or "",
                               "values": [[], []], "part": 0}
                    elif text and not text.startswith("#"):
                        raise PdpError(f"PMSP item file '{p}', line {n}: expected '# index word "
                                       f"pronunciation frequency [type]' before the values")
                    continue
                if text == ",":
                    cur["part"] = 1
                    continue
                if text == ";":
                    _finish(cur, p)
                    items.append(cur)
                    cur = None
                    continue
                body, _, comment = text.partition("#")
                try:
                    vals = [float(v) for v in body.split()]
                except ValueError:
                    raise PdpError(f"PMSP item file '{p}', line {n}: expected unit values") from None
                part = cur["values"][cur["part"]]
                on = [len(part) + i for i, v in enumerate(vals) if v == 1.0]
                part.extend(vals)
                label = comment.strip()
                if label and len(on) == 1:
                    labels = p_lab if cur["part"] else g_lab
                    if on[0] < len(labels):
                        labels[on[0]] = label
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise PdpError(f"PMSP item file '{p}': cannot be read ({e})") from None
    if cur is not None:
        raise PdpError(f"PMSP item file '{p}': the item starting at line {cur['line']} has no ';'")
    if not items:
        raise PdpError(f"PMSP item file '{p}': no items")
    stem = p.name[:-3] if p.suffix == ".gz" else p.name
    return ItemSet(name or stem.rsplit(".", 1)[0], [i["word"] for i in items], [i["phon"] for i in items],
                   np.array([i["freq"] for i in items]), [i["kind"] for i in items],
                   np.array([i["values"][0] for i in items]), np.array([i["values"][1] for i in items]),
                   str(p), (g_lab, p_lab))


def _finish(cur: dict, p: Path) -> None:
    g, ph = cur["values"]
    if len(g) != N_GRAPHEMES or len(ph) != N_PHONEMES:
        raise PdpError(f"PMSP item file '{p}', item '{cur['word']}' (line {cur['line']}): {len(g)} grapheme and "
                       f"{len(ph)} phoneme values, expected {N_GRAPHEMES} and {N_PHONEMES}")


def data_folder(data_dir: str | Path | None = None) -> Path:
    """The folder holding the PMSP files: ``data_dir`` (the folder itself or a folder holding
    ``pmsp96_reading``), else ``$PDPSIM_PMSP_DATA``."""
    if data_dir is None:
        data_dir = os.environ.get("PDPSIM_PMSP_DATA")
        if not data_dir:
            raise PdpError("the PMSP data were not found: give --data, the folder holding "
                           "pmsp96_corpus_compact.tsv and the xerion_*.ex files (pmsp96_reading/), or set "
                           "PDPSIM_PMSP_DATA")
    p = Path(data_dir)
    if (p / "pmsp96_reading").is_dir():
        p = p / "pmsp96_reading"
    if not p.is_dir():
        raise PdpError(f"PMSP data folder '{p}': no such folder")
    if not (p / ITEM_FILES["glushko"]).exists():
        raise PdpError(f"PMSP data folder '{p}': {ITEM_FILES['glushko']} is missing (expected the "
                       "pmsp96_reading folder: pmsp96_corpus_compact.tsv and the xerion_*.ex files)")
    return p


def load_items(name: str, data_dir: str | Path | None = None) -> ItemSet:
    """One of the item sets of :data:`ITEM_FILES` (``corpus``, ``glushko``, ``taraban`` ...)."""
    if name not in ITEM_FILES:
        raise PdpError(f"unknown PMSP item set {name!r}; expected one of {', '.join(ITEM_FILES)}")
    return read_xerion(data_folder(data_dir) / ITEM_FILES[name], name)


def load_item_data(data_dir: str | Path | None = None) -> dict[tuple[str, str], dict[str, float]]:
    """The per-word results file: (word, pronunciation) -> {``sim1_error``, ``sim2_raw_error``,
    ``sim2_sqrt_error``, ``sim3_rt``} (alternative pronunciations, marked ``*``, under their word
    without the mark). Its header is one column out of line: the four numbers follow the type."""
    p = readable_file(data_folder(data_dir) / ITEM_DATA, "PMSP item data")
    keys = ("sim1_error", "sim2_raw_error", "sim2_sqrt_error", "sim3_rt")
    out: dict[tuple[str, str], dict[str, float]] = {}
    with open(p, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            cells = line.rstrip("\n").split("\t")
            if n == 1 or not line.strip():
                continue
            try:
                word, phon = cells[0].lstrip("*"), cells[1].strip("/")
                out[(word, phon)] = {k: float(v) for k, v in zip(keys, cells[3:7])}
            except (IndexError, ValueError):
                raise PdpError(f"PMSP item data '{p}', line {n}: expected word, /pronunciation/, type and "
                               "four numbers") from None
    return out
