"""The Plaut, McClelland, Seidenberg & Patterson (1996) reading corpus.

The corpus carries no licence, so pdpsim does not ship it: give the path of
``pmsp96_corpus_compact.tsv`` (2998 words; per word its index, spelling,
pronunciation, scaled log frequency, and the active grapheme (105) and phoneme
(61) units). Units are binary: listed units are 1, all others 0.
"""
from __future__ import annotations

import csv
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
