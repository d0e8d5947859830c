"""pdpsim: Parallel Distributed Processing networks, as the lecture teaches them.

>>> import pdpsim
>>> m = pdpsim.load("xor")                 # a shipped spec (or a .yaml/.toml path)
>>> result = pdpsim.train(m.network, m.examples, m.training)
>>> result.converged
True
"""
from pdpsim.model.examples import ExampleSet, from_arrays
from pdpsim.records.recording import Recorder, TickRecorder, load_recording, record, record_ticks
from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.formats.spec import Model, build_spec, load, load_spec
from pdpsim.training.loop import TrainingParams, TrainingResult, test, train
from pdpsim.validation import PdpError
from pdpsim.records.weights import load_weights, save_weights

__version__ = "0.1.0"

__all__ = [
    "ExampleSet", "from_arrays", "Group", "LinkBlock", "Network", "Model", "build_spec", "load", "load_spec",
    "TrainingParams", "TrainingResult", "test", "train", "PdpError", "load_weights", "save_weights",
    "Recorder", "record", "load_recording", "TickRecorder", "record_ticks",
]
