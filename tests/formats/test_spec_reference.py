"""docs/spec-reference.md is generated from the code that reads spec files, and is up to date."""
from pathlib import Path

import pytest

from pdpsim.formats import spec
from pdpsim.formats import spec_reference as ref
from pdpsim.training.params import TrainingParams

PAGE = Path(__file__).resolve().parents[2] / "docs" / "spec-reference.md"


def test_the_checked_in_page_is_the_generated_one():
    assert PAGE.read_text() == ref.generate(), (
        "docs/spec-reference.md is out of date: run "
        "`python -m pdpsim.formats.spec_reference docs/spec-reference.md`")


def test_every_key_the_validators_accept_is_on_the_page():
    text = ref.generate()
    keys = (spec.TOP_KEYS | spec.GROUP_KEYS | spec.LINK_KEYS | spec.TIME_KEYS
            | {f for f in TrainingParams.__dataclass_fields__})
    for section in ("init", "examples.file", "examples.written", "ensemble"):
        keys |= set(ref.validator_keys(section))
    assert {"range", "mean", "file", "inputs", "targets", "names", "frequencies", "seeds", "learning_rates"} <= keys
    missing = sorted(k for k in keys if f"| `{k}` |" not in text)
    assert missing == []


def test_choices_come_from_the_validators():
    assert ref.validator_choices(TrainingParams, "update") == ["batch", "event"]
    assert "momentum" in ref.validator_choices(TrainingParams, "algorithm")
    text = ref.generate()
    assert "One of `batch`, `event`." in text


def test_a_key_without_a_description_or_a_stale_description_is_an_error(monkeypatch):
    monkeypatch.setattr(spec, "GROUP_KEYS", spec.GROUP_KEYS | {"brand_new_key"})
    with pytest.raises(ref.SpecReferenceError, match="groups.brand_new_key: no description"):
        ref.generate()
    monkeypatch.setattr(spec, "GROUP_KEYS", spec.GROUP_KEYS - {"brand_new_key", "clamp_strength"})
    with pytest.raises(ref.SpecReferenceError, match="describes keys the code does not have: clamp_strength"):
        ref.generate()


def test_numpydoc_attributes_are_read():
    d = ref.docstring_attributes(TrainingParams)
    assert d["batch_size"].startswith("examples per update")
    assert "numba" in d["backend"]                         # a description on the lines below its name
    assert d["error_criterion"].startswith("stop when")


def test_main_writes_the_page(tmp_path, capsys):
    assert ref.main([str(tmp_path / "page.md")]) == 0
    assert (tmp_path / "page.md").read_text() == ref.generate()
    ref.main([])
    assert capsys.readouterr().out == ref.generate()
