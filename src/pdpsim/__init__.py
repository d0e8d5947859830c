"""pdpsim: Parallel Distributed Processing networks, as the lecture teaches them.

>>> import pdpsim
>>> m = pdpsim.load("xor")                 # a shipped spec (or a .yaml/.toml path)
>>> result = pdpsim.train(m.network, m.examples, m.training)
>>> result.converged
True

The facade: the names a user needs, from the packages that hold them (docs/architecture.md
draws the tree). Importing pdpsim also registers the engines (:mod:`pdpsim.engines`) and the
notebook displays (:mod:`pdpsim.viewer.jupyter`); neither loads numba, an array library or a
web server until used.
"""
from pdpsim import engines as _engines  # noqa: F401  (the engines register themselves)
from pdpsim.formats.spec import Model, build_spec, load, load_ensemble, load_spec
from pdpsim.model.examples import ExampleSet, from_arrays
from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.records.recording import Recorder, TickRecorder, load_recording, record, record_ticks
from pdpsim.records.weights import load_weights, save_weights
from pdpsim.training import TrainingParams, TrainingResult, test, train
from pdpsim.validation import PdpError
from pdpsim.viewer import jupyter as _jupyter  # noqa: F401  (Jupyter displays of Network, ExampleSet, results)

__version__ = "0.1.0"

__all__ = [
    "ExampleSet", "from_arrays", "Group", "LinkBlock", "Network", "Model", "build_spec", "load", "load_spec",
    "load_ensemble", "TrainingParams", "TrainingResult", "test", "train", "PdpError", "load_weights",
    "save_weights", "Recorder", "record", "load_recording", "TickRecorder", "record_ticks",
]
