"""`pdpsim view` end to end: the real server, the page in headless Chromium, driven by Playwright.

Needs Playwright for Python (pdpsim[test]) and Debian's Chromium (`apt-get install -y chromium`), or any
Chromium named by PDPSIM_CHROMIUM; Playwright's own browser downloads are never used. Skipped, with the
reason, when either is missing.

Screenshots are saved under the pytest temporary folder; to refresh the one in the docs::

    PDPSIM_SCREENSHOT_DIR=docs/img .venv/bin/python -m pytest tests/viewer/test_viewer_browser.py -q
"""
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pdpsim[test])")
pytest.importorskip("starlette", reason="the viewer needs starlette")
pytest.importorskip("uvicorn", reason="the viewer needs uvicorn")

from pdpsim import build_spec, load  # noqa: E402
from pdpsim.viewer.server import ServerThread  # noqa: E402
from pdpsim.viewer.session import ViewerSession  # noqa: E402

pytestmark = pytest.mark.slow          # (make test-fast leaves these out)

CHROMIUM = os.environ.get("PDPSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set PDPSIM_CHROMIUM)",
                allow_module_level=True)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

CONTINUOUS = {
    "name": "settling", "seed": 1,
    "groups": {"input": {"units": 3, "type": "INPUT"},
               "hidden": {"units": 4, "integration": "OUT_INTEGR"},
               "output": {"units": 3, "type": "OUTPUT", "integration": "OUT_INTEGR", "error": "CROSS_ENTROPY"}},
    "links": ["input -> hidden", "hidden -> output", "output -> output"],
    "time": {"mode": "continuous", "ticks_per_interval": 3, "intervals": 2},
    "examples": {"names": ["a", "b", "c"], "inputs": [[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]],
                 "targets": [[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]]},
}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        except Exception as e:  # noqa: BLE001
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {e}")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 820})
    pg = ctx.new_page()
    problems = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.set_default_timeout(15_000)
    pg.expected_errors = []           # console messages a test provokes on purpose
    yield pg
    ctx.close()
    problems = [m for m in problems if not any(e in m for e in pg.expected_errors)]
    assert not problems, problems


def unit_value(page, group, index):
    return page.get_attribute(f"#units .unit[data-group='{group}'][data-index='{index}']", "data-value")


def wait_shown(page, version):
    page.wait_for_function(f"() => document.body.dataset.shown === '{version}'")


def test_feedforward_page_trains_and_follows_the_weights(page, tmp_path_factory, record_property):
    model = load("encoder-8-3-8")
    model.training = replace(model.training, output_criterion=None)    # so that a long run runs until paused
    session = ViewerSession(model, source="shipped spec encoder-8-3-8")
    with ServerThread(session) as srv:
        page.goto(srv.url)
        wait_shown(page, 0)
        assert page.title() == "pdpsim view: encoder-8-3-8"
        assert page.text_content("#epoch") == "0"
        assert page.locator("#units .unit").count() == 8 + 3 + 8 + 1
        out0 = unit_value(page, "output", 0)
        assert float(out0) == pytest.approx(session.state("p0")["groups"]["output"]["output"][0])

        # step: the error appears and changes, the units follow the new weights
        page.click("#step")
        page.wait_for_function("() => document.getElementById('epoch').textContent === '1'")
        wait_shown(page, 1)
        e1 = page.get_attribute("#error-value", "data-value")
        assert float(e1) == pytest.approx(session.errors[0][1])
        assert unit_value(page, "output", 0) != out0
        page.click("#step")
        page.wait_for_function("() => document.getElementById('epoch').textContent === '2'")
        wait_shown(page, 2)
        assert page.get_attribute("#error-value", "data-value") != e1
        assert page.locator("#error-line").count() == 1

        # a spec's session has no Lens script: the Lens bar stays hidden (a class that sets display once showed it)
        assert not page.is_visible("#lens-info")

        # another example: the input units show its pattern
        assert unit_value(page, "input", 3) == "0"
        page.select_option("#example-select", "p3")
        page.wait_for_function("() => document.querySelector(\"#units .unit[data-group='input'][data-index='3']\")"
                               ".dataset.value === '1'")
        assert unit_value(page, "input", 0) == "0"

        # another value: dE/dn; input groups have none
        page.select_option("#value-select", "input_deriv")
        assert float(unit_value(page, "hidden", 1)) == pytest.approx(
            session.state("p3")["groups"]["hidden"]["input_deriv"][1])
        assert unit_value(page, "input", 0) == ""
        assert "nan" in page.get_attribute("#units .unit[data-group='input'][data-index='0']", "class")

        # hovering a unit names it and gives its exact values
        page.hover("#units .unit[data-group='hidden'][data-index='2']")
        tip = page.locator("#tooltip")
        assert tip.is_visible()
        text = tip.inner_text()
        assert "hidden:2" in text and "example p3" in text and "dE/dn" in text
        assert repr(float(session.state("p3")["groups"]["hidden"]["output"][2])) in text

        # link view: weights, then derivatives
        w = page.get_attribute("#hinton rect.link[data-row='0'][data-col='0']", "data-value")
        assert float(w) == session.net.block("input", "hidden").weights[0, 0]
        page.check("input[name=block-view][value=deriv]")
        page.wait_for_function(f"() => document.querySelector(\"#hinton rect.link[data-row='0'][data-col='0']\")"
                               f".dataset.value !== '{w}'")
        page.select_option("#block-select", "hidden->output")
        page.wait_for_function("() => document.querySelectorAll('#hinton rect.link').length === 24")

        # a bad number: the server's message shows in the status line
        page.expected_errors.append("status of 400")
        page.fill("#run-epochs", "0")
        page.click("#run")
        page.wait_for_function("() => document.getElementById('status').classList.contains('error')")
        assert "epochs must be between 1 and" in page.text_content("#status")

        # run in the background; the page stays live, the curve grows, pause stops it
        page.select_option("#value-select", "output")
        page.fill("#run-epochs", "100000")
        page.click("#run")
        page.wait_for_function("() => !document.getElementById('pause').disabled")
        page.wait_for_function("() => +document.getElementById('epoch').textContent > 20")
        page.select_option("#example-select", "p5")                  # the views answer while training runs
        page.wait_for_function("() => document.querySelector(\"#units .unit[data-group='input'][data-index='5']\")"
                               ".dataset.value === '1'")
        page.click("#pause")
        page.wait_for_function("() => document.getElementById('pause').disabled")
        assert page.text_content("#stopped").startswith("paused")
        assert not session.running
        shown = session.version
        wait_shown(page, shown)
        assert len(page.get_attribute("#error-line", "d").split("L")) > 20

        # representations: every example placed
        page.select_option("#rep-method", "pca")
        page.wait_for_function("() => document.getElementById('rep-info').textContent.includes('PCA')")
        assert page.locator("#rep-plot circle.point").count() == 8
        assert page.locator("#rep-matrix rect.dcell").count() == 64

        page.hover("#units .unit[data-group='hidden'][data-index='0']")
        shot = tmp_path_factory.mktemp("viewer") / "viewer.png"
        page.screenshot(path=str(shot))
        record_property("screenshot", str(shot))
        assert shot.stat().st_size > 10_000
        _copy_for_docs(shot)

        # reset with a seed: back to epoch 0, curve cleared
        page.fill("#seed", "7")
        page.click("#reset")
        page.wait_for_function("() => document.getElementById('epoch').textContent === '0'")
        assert page.locator("#error-line").count() == 0
        page.goto("about:blank")                                     # stop polling before the server stops


def test_network_in_time_tick_slider(page):
    session = ViewerSession(build_spec(CONTINUOUS))
    with ServerThread(session) as srv:
        page.goto(srv.url)
        wait_shown(page, 0)
        assert page.is_visible("#tick-box")
        assert page.text_content("#tick-word") == "tick"
        assert page.text_content("#tick-label") == "6 of 6"
        last = unit_value(page, "hidden", 0)
        slider = page.locator("#tick-slider")
        slider.focus()
        page.keyboard.press("Home")                                  # tick 0: the initial state
        page.wait_for_function("() => document.getElementById('tick-label').textContent === '0 of 6'")
        page.wait_for_function("() => document.querySelector(\"#units .unit[data-group='hidden'][data-index='0']\")"
                               ".dataset.value === '0.5'")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.getElementById('tick-label').textContent === '1 of 6'")
        page.wait_for_function("() => document.querySelector(\"#units .unit[data-group='hidden'][data-index='0']\")"
                               ".dataset.value !== '0.5'")
        assert float(unit_value(page, "hidden", 0)) == pytest.approx(
            session.state("a", 1)["groups"]["hidden"]["output"][0])
        assert unit_value(page, "hidden", 0) != last
        page.select_option("#example-select", "c")                    # another example: back to its last tick
        page.wait_for_function("() => document.getElementById('tick-label').textContent === '6 of 6'")
        page.wait_for_function("() => document.querySelector(\"#units .unit[data-group='input'][data-index='2']\")"
                               ".dataset.value === '1'")
        page.click("#step")
        page.wait_for_function("() => document.getElementById('epoch').textContent === '1'")
        wait_shown(page, 1)
        assert float(unit_value(page, "output", 2)) == pytest.approx(
            session.state("c")["groups"]["output"]["output"][2])
        page.goto("about:blank")


def _copy_for_docs(shot: Path) -> None:
    """With PDPSIM_SCREENSHOT_DIR set, write a small copy there (64 colours) as viewer.png."""
    target = os.environ.get("PDPSIM_SCREENSHOT_DIR")
    if not target:
        return
    dest = Path(target) / "viewer.png"
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        from PIL import Image
        with Image.open(shot) as im:
            im.convert("RGB").quantize(colors=64).save(dest, optimize=True)
    except ImportError:
        shutil.copyfile(shot, dest)


def test_page_with_an_access_token(page):
    session = ViewerSession(load("xor"))
    with ServerThread(session, token="tok-123456789") as srv:
        base = srv.url.split("?")[0]
        page.expected_errors.append("status of 401")
        r = page.goto(base)
        assert r.status == 401 and "token" in page.text_content("body")
        page.goto(srv.url)                                           # the address printed, with ?token=
        wait_shown(page, 0)
        page.click("#step")                                          # API calls carry the token
        page.wait_for_function("() => document.getElementById('epoch').textContent === '1'")
        page.goto(base)                                              # the cookie now does
        wait_shown(page, 1)
        page.goto("about:blank")
