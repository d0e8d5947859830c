"""What `pdpsim demo` says and draws, checked against its own numbers and its matplotlib figures."""
import itertools

import numpy as np
import pytest

import pdpsim
from pdpsim import analysis
from pdpsim.analysis import figures, plots


# ---------------------------------------------------------------- capturing the figures
def _capture(mp) -> dict:
    """Keep every figure saved through pdpsim.analysis.figures.save (and plots' import of it), by file name."""
    drawn = {}
    original = figures.save

    def keep(fig, path):
        from pathlib import Path
        drawn[Path(path).name] = fig
        return original(fig, path)

    mp.setattr(figures, "save", keep)
    mp.setattr(plots, "save", keep)
    return drawn


@pytest.fixture
def captured(monkeypatch):
    return _capture(monkeypatch)


def _renderer(fig):
    """Draw ``fig`` with the Agg canvas (pyplot.close detaches a saved figure from its own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _text_box(t, renderer):
    """The box of a text's own letters (an annotation's extent would take in its leader line too)."""
    from matplotlib.text import Text
    return Text.get_window_extent(t, renderer)


def _overlapping(boxes):
    """Pairs of boxes (matplotlib Bbox) whose interiors overlap."""
    return [(i, j) for i, j in itertools.combinations(range(len(boxes)), 2)
            if boxes[i].x0 < boxes[j].x1 - 0.5 and boxes[j].x0 < boxes[i].x1 - 0.5
            and boxes[i].y0 < boxes[j].y1 - 0.5 and boxes[j].y0 < boxes[i].y1 - 0.5]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One quick demo run: its text, its summary and its figures."""
    mp = pytest.MonkeyPatch()
    drawn = _capture(mp)
    from pdpsim.teaching.demo import run_demo
    lines = []
    try:
        summary = run_demo(tmp_path_factory.mktemp("demo"), quick=True, echo=lines.append)
    finally:
        mp.undo()
    return "\n".join(lines), summary, drawn


# ---------------------------------------------------------------- 8: XOR's hidden space, said as it is
def _section4(text):
    return " ".join(text.split("4. What the hidden units learned")[1].split())


def test_demo_no_longer_claims_every_same_target_pair_is_pulled_together(demo):
    text, summary, _ = demo
    dh = np.array(summary["xor_distances"]["hidden"])
    said = _section4(text)
    assert "pull same-target inputs together" not in said
    # the printed numbers: 00-11 collapse, 01-10 stay apart (the shipped xor spec, seed 0)
    assert dh[0, 3] < 0.1 and dh[1, 2] > 1.0
    assert "00 and 11 collapse onto almost one point (0.04 apart" in said
    assert "01 and 10 stay apart" in said and f"({dh[1, 2]:.2f} apart" in said


def test_demo_text_is_true_for_the_distances_it_prints(demo):
    text, summary, _ = demo
    din, dh = np.array(summary["xor_distances"]["input"]), np.array(summary["xor_distances"]["hidden"])
    said = _section4(text)
    names = ["00", "01", "10", "11"]
    y = np.array([0, 1, 1, 0])
    across = [dh[i, j] for i in range(4) for j in range(4) if y[i] != y[j]]
    for i, j in ((0, 3), (1, 2)):
        pair = f"{names[i]} and {names[j]}"
        ratio = dh[i, j] / din[i, j]
        if f"{pair} collapse onto almost one point" in said:
            assert ratio < 0.1
        elif f"{pair} move closer together" in said:
            assert 0.1 <= ratio < 0.8
        else:
            assert f"{pair} stay apart" in said and ratio >= 0.8
        farther = f"{pair} stay apart ({dh[i, j]:.2f} apart, farther than any pair with different targets)"
        assert (farther in said) == (dh[i, j] > max(across))


def test_demo_quotes_the_linear_separability_it_computes(demo):
    text, summary, _ = demo
    said = _section4(text)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    h = np.array(summary["xor_hidden"])
    assert not analysis.linear_separability(x, y)["separable"]
    assert analysis.best_linear_accuracy(x, y) == 0.75
    assert analysis.linear_separability(h, y)["separable"]
    assert "linearly separable" in said
    assert "in input space no line separates {01, 10} from {00, 11} (the best line gets 3 of 4 right)" in said
    assert "in hidden space one line separates all 4" in said
    assert summary["xor_separability"] == {"input": {"separable": False, "best_accuracy": 0.75},
                                           "hidden": {"separable": True, "best_accuracy": 1.0}}


def test_hidden_space_story_follows_other_numbers():
    from pdpsim.teaching.demo import hidden_space_story
    din = np.sqrt(np.array([[0, 1, 1, 2], [1, 0, 2, 1], [1, 2, 0, 1], [2, 1, 1, 0]], dtype=float))
    t = np.array([[0.], [1.], [1.], [0.]])
    names = ["00", "01", "10", "11"]
    both = din.copy()
    both[0, 3] = both[3, 0] = 0.02
    both[1, 2] = both[2, 1] = 0.05
    story = " ".join(" ".join(hidden_space_story(din, both, t, names, (False, 0.75), (True, 1.0))).split())
    assert "pull both same-target pairs together" in story and "stay apart" not in story
    assert "01 and 10 collapse onto almost one point (0.05 apart" in story
    closer = din.copy()
    closer[0, 3] = closer[3, 0] = 0.9
    story = " ".join(" ".join(hidden_space_story(din, closer, t, names, (False, 0.75), (False, 0.75))).split())
    assert "00 and 11 move closer together (1.41 -> 0.90" in story and "01 and 10 stay apart" in story
    assert "in hidden space no line separates them yet (the best line gets 3 of 4 right)" in story


# ---------------------------------------------------------------- 9: the bar chart
def _bar_texts(ax):
    return [t.get_text() for t in ax.texts]


def test_hebb_vs_delta_bars_are_labelled_and_none_is_invisible(demo):
    _, summary, drawn = demo
    fig = drawn["hebb-vs-delta.png"]
    ax = fig.axes[0]
    r = _renderer(fig)
    bars = [p for p in ax.patches if p.get_width() > 0]
    rows = summary["quiz"]
    values = [row["hebb_error"] for row in rows] + [row["delta_least_error"] for row in rows] + \
        [row["least_squares_error"] for row in rows]
    assert len(bars) == len(values) == 9
    for bar in bars:                                          # every column shows something
        assert bar.get_window_extent(r).height >= 2.0
    texts = " ".join(_bar_texts(ax))
    for v in values:
        assert (f"{v:.2g}" if v else "0") in texts, (v, texts)
    assert texts.count("≈0") == sum(1 for v in values if 0 < v < 1e-6 * max(values))
    labels = [t.get_window_extent(r) for t in ax.texts]
    assert not _overlapping(labels)


def test_bar_table_labels_every_bar_on_a_linear_axis_too(tmp_path, captured):
    figures.bar_table(["a", "b"], {"one": [0.0, 2.0], "two": [1e-12, 1.5]}, tmp_path / "b.png", ylabel="E")
    fig = captured["b.png"]
    ax = fig.axes[0]
    r = _renderer(fig)
    assert ax.get_yscale() == "linear"
    assert all(p.get_window_extent(r).height >= 2.0 for p in ax.patches if p.get_width() > 0)
    texts = _bar_texts(ax)
    assert "0" in texts and "2" in texts and "1.5" in texts and any("≈0" in t and "1e-12" in t for t in texts)


# ---------------------------------------------------------------- 9: names that do not overlap
PEOPLE = ["Christopher", "Penelope", "Andrew", "Christine", "Margaret", "Arthur", "Victoria", "James", "Jennifer",
          "Charles", "Colin", "Charlotte", "Roberto", "Maria", "Pierro", "Francesca", "Gina", "Emilio", "Lucia",
          "Marco", "Angela", "Tomaso", "Alfonso", "Sophia"]


def _name_boxes(fig, names):
    r = _renderer(fig)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text() in names]
    assert sorted(t.get_text() for t in texts) == sorted(names)
    return [_text_box(t, r) for t in texts], r, ax


@pytest.mark.parametrize("layout", ["clustered", "pairs", "random"])
def test_projection_names_do_not_overlap(tmp_path, captured, layout):
    rng = np.random.default_rng(3)
    if layout == "clustered":                 # three tight clusters, as person codes early in training
        c = np.repeat(rng.normal(size=(3, 2)), 8, axis=0) + rng.normal(scale=0.01, size=(24, 2))
    elif layout == "pairs":                   # English and Italian counterparts on one point
        c = np.repeat(rng.normal(size=(12, 2)), 2, axis=0)
    else:
        c = rng.normal(size=(24, 2))
    cats = [f"{'English' if i < 12 else 'Italian'} gen {i % 3 + 1}" for i in range(24)]
    plots.projection(c, tmp_path / "p.png", PEOPLE, cats, title="PCA")
    boxes, r, ax = _name_boxes(captured["p.png"], PEOPLE)
    assert not _overlapping(boxes)
    legend = ax.get_legend()
    if legend is not None:                     # and no name hides under the legend
        lb = legend.get_window_extent(r)
        assert not any(_overlapping([lb, b]) for b in boxes)


def test_family_trees_pca_names_do_not_overlap(tmp_path, captured):
    from pdpsim.reproductions import family_trees
    family_trees.run(tmp_path / "ft", splits=1, epochs=300, echo=None)
    boxes, _, _ = _name_boxes(captured["family-pca.png"], PEOPLE)
    assert not _overlapping(boxes)


def test_xor_hidden_space_names_do_not_overlap(demo):
    _, _, drawn = demo
    fig = drawn["xor-hidden-space.png"]
    r = _renderer(fig)
    for ax in fig.axes:
        boxes = [_text_box(t, r) for t in ax.texts if t.get_text() in ("00", "01", "10", "11")]
        assert len(boxes) == 4 and not _overlapping(boxes)


# ---------------------------------------------------------------- 9: the settling figure's colour bar
ATTRACTOR = {
    "name": "settle", "seed": 1,
    "groups": {"input": {"units": 3, "type": "INPUT"},
               "hidden": {"units": 4, "integration": "OUT_INTEGR"},
               "output": {"units": 3, "type": "OUTPUT", "integration": "OUT_INTEGR"}},
    "links": ["input -> hidden", "hidden -> output", "output -> output"],
    "time": {"mode": "continuous", "ticks_per_interval": 3, "intervals": 2},
    "examples": {"names": ["a", "b"], "inputs": [[[1, 0, 0]], [[0, 1, 0]]], "targets": [[[1, 0, 0]], [[0, 1, 0]]]},
}


@pytest.mark.parametrize("quantity", ["output", "net_input"])
def test_settling_figure_has_a_labelled_colour_bar(tmp_path, captured, quantity):
    m = pdpsim.build_spec(ATTRACTOR)
    pdpsim.test(m.network, m.examples)
    plots.settling(m.network, 0, tmp_path / "s.png", example_name="a", quantity=quantity)
    fig = captured["s.png"]
    bars = [a for a in fig.axes if getattr(a, "_colorbar", None) is not None]
    panels = [a for a in fig.axes if a not in bars]
    assert len(panels) == 3                        # input, hidden, output
    assert bars, "no colour bar"
    for b in bars:
        label = b.get_ylabel() or b.get_xlabel()
        assert ("output" in label) if quantity == "output" else ("net input" in label)
