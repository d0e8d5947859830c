"""Lens commands on a network's structure and files, checked against real Lens.

Lesions (``lesionLinks``, ``lesionUnits``, ``healUnits``), noise (the noisy group types and
``noiseType``), ``connectUnits`` / ``disconnectGroups``, ``disconnectUnits``, ``deleteLinks``,
``orderGroups`` and ``changeGroupType`` (``structure.tcl``), and the files Lens writes
(``printUnitValues``, ``printLinkValues``, ``openNetOutputFile``, ``saveExamples``). The
reference scripts under tests/lens/lens_reference/ were run in Lens 2.63 (double-precision build,
17-digit ``getObj``); Lens draws lesions and noise from its own generator, so pdpsim must hit
the same links and units and draw the same noise to agree.
"""
from __future__ import annotations

import io
import re
import shutil

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from pdpsim.lens.functions import LensRandom

from test_lens_shell import REF, compare_outputs, run

SCRIPTS = ["lesion_ff", "lesion_srn", "noise_types", "connect_units", "structure"]
#: the largest relative difference allowed here (the largest seen is below 4e-15)
TIGHT = 1e-12
WRITTEN = sorted(p.name for p in (REF / "written").iterdir())


@pytest.fixture
def ref_dir(tmp_path, monkeypatch):
    d = tmp_path / "ref"
    shutil.copytree(REF, d)
    monkeypatch.chdir(d)
    return d


@pytest.mark.parametrize("name", SCRIPTS)
def test_reference_script_reproduces_lens(name, ref_dir):
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")
    assert worst < TIGHT


def test_files_written_as_lens_writes_them(ref_dir):
    """printLinkValues, openNetOutputFile (text and binary) and saveExamples (text, -append,
    -binary) write Lens's bytes; printUnitValues writes what Lens 2.63 writes to the file (the
    Tcl 8.6 port used for the reference prints it to standard output instead: that part of its
    output is the expected file)."""
    for name in WRITTEN:
        (ref_dir / name).unlink(missing_ok=True)
    ours = run("files_out.tcl", digits=17)
    lens = (ref_dir / "files_out.lens.out").read_text()
    seg = re.search(r"PU-BEGIN\n(.*?)PU-END\n", lens, re.S)
    assert (ref_dir / "written_units.txt").read_text() == seg.group(1)
    assert compare_outputs(lens[:seg.start(1)] + lens[seg.end(1):], ours) == 0.0
    for name in WRITTEN:
        assert (ref_dir / name).read_bytes() == (REF / "written" / name).read_bytes(), name


# ---------------------------------------------------------------- details
def _enc(tmp_path, extra: str = "", seed: int = 3) -> LensShell:
    shell = LensShell(stdout=io.StringIO(), seed=seed, real_digits=17)
    shell.eval(f"cd {{{REF}}}; addNet e 4 3 4; loadExamples enc4.ex -s data; cd {{{tmp_path}}}; {extra}")
    return shell


def test_lens_gaussian_keeps_its_spare_value():
    r = LensRandom(5)
    a = r.rand_gaussian(0.0, 1.0)
    spare = r._gauss[0]
    assert r.rand_gaussian(0.0, 1.0) == spare and r._gauss is None
    r2 = LensRandom(5)
    assert r2.rand_gaussian(0.0, 1.0) == a
    r2.rand_gaussian(1.0, 0.5)              # another mean: the spare is dropped, a new pair drawn
    assert r2._gauss is not None and r2._gauss[1:] == (1.0, 0.5)


def test_lesioned_unit_state_and_reset(tmp_path):
    shell = _enc(tmp_path, "train 2; lesionUnits {hidden:1}")
    get = lambda p: shell.eval(f"getObj {p}")  # noqa: E731
    assert [get(f"hidden.unit(1).{f}") for f in ("output", "input", "outputDeriv", "inputDeriv")] == \
        ["0", "-", "0", "-"]
    d = get("hidden.unit(1).incoming(1).deriv")
    shell.eval("resetNet; test")
    assert get("hidden.unit(1).incoming(1).deriv") == d        # resetNet leaves a lesioned unit's links
    assert get("hidden.unit(1).output") == "0"
    shell.eval("healUnits hidden 1.0")                          # as in Lens: heals nothing
    assert shell.net.groups["hidden"].lesioned[1]
    shell.eval("healUnits; test")
    assert not shell.net.groups["hidden"].lesioned.any() and get("hidden.unit(1).input") != "-"


def test_deleted_links_stay_deleted(tmp_path):
    shell = _enc(tmp_path, "seed 4; lesionLinks output -proportion 0.5")
    n = int(shell.eval("getObj numLinks"))
    assert n < 3 * 5 + 4 * 4
    b = shell.net.groups["output"].blocks[1]
    shell.eval("train 5; randWeights; resetNet; train 3")
    assert int(shell.eval("getObj numLinks")) == n
    assert np.all(b.block.weights[~b.mask] == 0.0)


def test_refusals(tmp_path):
    shell = _enc(tmp_path)
    with pytest.raises(ScriptError, match="OUT_NOISE before LOGISTIC"):
        shell.eval("addGroup bad 2 OUT_NOISE LOGISTIC")
    with pytest.raises(ScriptError, match="noise .* on a BIAS group"):
        shell.eval("addGroup b2 1 BIAS OUT_NOISE")
    with pytest.raises(ScriptError, match="pipe"):
        shell.eval("proc p {g u} {return x}; printUnitValues {|cat} p hidden")
    with pytest.raises(ScriptError, match="proportion of units"):
        shell.eval("lesionUnits hidden 1.5")
    with pytest.raises(ScriptError, match="link type nope doesn't exist"):
        shell.eval("lesionLinks hidden -type nope")
    shell.eval("lesionUnits {hidden:0}")
    shell.eval("doExample 0 -train")         # Lens's training tick through its unit loops (types_srn.tcl)
    assert shell.eval("getObj output.unit(0).outputDeriv") != "0"
    assert shell.eval("getObj hidden.unit(0).output") == "0"
    ct = LensShell(stdout=io.StringIO(), seed=1)
    ct.eval(f"cd {{{REF}}}; addNet c -i 2 -t 2 CONTINUOUS 3 4 3; loadExamples ct.ex; lesionUnits {{hidden:1}}")
    ct.eval("test")                          # lesions on CONTINUOUS networks run (ct_lesion.tcl)
    assert ct.eval("getObj hidden.unit(1).output") == "0"
    with pytest.raises(ScriptError, match="OUT_NOISE before LOGISTIC"):
        ct.eval("addGroup bad 2 OUT_NOISE LOGISTIC")


def test_print_unit_values_to_stdout_and_append(tmp_path):
    out = io.StringIO()
    shell = LensShell(stdout=out, seed=2)
    shell.eval(f"cd {{{REF}}}; addNet e 4 3 4; loadExamples enc4.ex; cd {{{tmp_path}}}; test")
    shell.eval('proc pv {g u} {return "[getObj $u.name]\\n"}')
    shell.eval("printUnitValues - pv hidden")
    assert out.getvalue().endswith("hidden:0\nhidden:1\nhidden:2\n")
    shell.eval("printUnitValues f.txt pv output; printUnitValues f.txt pv hidden -append")
    assert (tmp_path / "f.txt").read_text().split() == [f"output:{i}" for i in range(4)] + \
        [f"hidden:{i}" for i in range(3)]


def test_connect_units_refuses_another_link_order(tmp_path):
    shell = _enc(tmp_path, "addGroup h2 2; connectUnits input:0 h2:0; connectGroups hidden h2")
    with pytest.raises(ScriptError, match="another order"):
        shell.eval("connectUnits input:1 h2:1")
    shell.eval("connectUnits input:1 h2:0")                     # next to its block: Lens's order
    assert shell.eval("getObj h2.unit(0).numIncoming") == str(1 + 2 + 3)


# ---------------------------------------------------------------- structure commands
def _shell(extra: str = ""):
    shell = LensShell(stdout=io.StringIO(), seed=4, real_digits=17)
    shell.eval(f"cd {{{REF}}}; addNet e 4 3 4; {extra}")
    return shell


def test_disconnect_units_and_delete_links():
    shell = _shell()
    n = int(shell.eval("getObj numLinks"))
    assert shell.eval("disconnectUnits input:1 hidden:0") == "0"          # a run of links cut in two
    assert shell.eval("disconnectUnits input:1 hidden:0") == ""           # no such link any more
    assert shell.eval("disconnectUnits input:0 hidden:0") == ""
    assert int(shell.eval("getObj numLinks")) == n - 2
    assert shell.eval("getObj hidden.unit(0).numIncoming") == "3"
    shell.eval("deleteLinks -type bias")
    assert int(shell.eval("getObj numLinks")) == n - 2 - 7
    shell.eval("deleteLinks")
    assert shell.eval("getObj numLinks") == "0"
    for bad, msg in (("disconnectUnits input:9 hidden:0", 'unit "input:9" doesn\'t exist'),
                     ("disconnectUnits input:0 hidden:0 -type nope", 'link type "nope" doesn\'t exist'),
                     ("deleteLinks -x bias", "usage")):
        with pytest.raises(ScriptError, match=msg):
            shell.eval(bad)


def test_order_groups_swaps_as_lens_does():
    shell = _shell("addGroup a 2; addGroup b 2")
    shell.eval("orderGroups bias b")
    assert [shell.eval(f"getObj group({i}).name") for i in range(6)] == ["bias", "b", "hidden", "output", "a",
                                                                        "input"]
    with pytest.raises(ScriptError, match='group "b" was listed twice'):
        shell.eval("orderGroups b b")
    shell.eval("loadExamples enc4.ex; addGroup in2 2 INPUT")
    # as in Lens, a set's examples apply to the groups in their order when the set is used
    assert list(shell.sets["enc4"].examples.inputs) == ["input", "in2"]
    shell.eval("orderGroups bias in2")
    assert list(shell.sets["enc4"].examples.inputs) == ["in2", "input"]
    assert shell.sets["enc4"].examples.inputs["in2"][0, 0].tolist() == [1.0, 0.0]


def test_change_group_type():
    shell = _shell()
    text = shell.eval("changeGroupType hidden -LOGISTIC +TANH")
    assert text.split("\n")[:4] == ["Input Type", "  DOT_PRODUCT", "Output Type", "  TANH"]
    assert shell.net.groups["hidden"].group.function.name == "TANH"
    assert shell.eval("getObj hidden.initOutput") == "0.5"                # no type cleanup
    shell.eval("changeGroupType hidden LOGISTIC")                         # still in Lens's mask: removed
    assert shell.net.groups["hidden"].out_procs == ["TANH"]
    for bad, msg in (("changeGroupType hidden OUTPUT", "changing the type OUTPUT"),
                     ("changeGroupType hidden -TANH", "one output function expected"),
                     ("changeGroupType hidden +NOPE", 'Invalid group type: "NOPE"'),
                     ("changeGroupType output +SUM_SQUARED", "one error type expected")):
        with pytest.raises(ScriptError, match=msg):
            shell.eval(bad)
