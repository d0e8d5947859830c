"""The PMSP 1996 corpus (read from the path the user gives; tests take it from ../shared/data)."""
import numpy as np
import pytest

import pdpsim
from pdpsim.datasets.pmsp import load_pmsp


def test_pmsp_corpus_loads(shared_data):
    xs = load_pmsp(shared_data / "pmsp96_reading")
    assert len(xs) == 2998
    assert xs.inputs["orthography"].shape == (2998, 1, 105)
    assert xs.targets["phonology"].shape == (2998, 1, 61)
    i = xs.names.index("ace")
    assert np.flatnonzero(xs.inputs["orthography"][i, 0]).tolist() == [34, 65, 102]
    assert np.flatnonzero(xs.targets["phonology"][i, 0]).tolist() == [30, 48]
    assert xs.frequencies[i] == pytest.approx(0.236101)


def test_pmsp_errors(tmp_path):
    with pytest.raises(pdpsim.PdpError, match="no such file"):
        load_pmsp(tmp_path / "nothing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("idx\tword\tphon\tfreq_scaled\tactive_input_units\tactive_output_units\n0\tace\tAs\t0.2\t34 999\t30\n")
    with pytest.raises(pdpsim.PdpError, match=r"bad.tsv', line 2: a unit number is out of range"):
        load_pmsp(bad)
