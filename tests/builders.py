"""Networks and example sets several test modules build (tests/ is on sys.path: ``from builders import ...``)."""
import numpy as np

from pdpsim import ExampleSet, Network
from pdpsim.model.time import make_continuous

#: a CONTINUOUS attractor spec (YAML) with a bidirectional clean-up
ATTRACTOR = """\
name: att
seed: 0
bias: true
time: {mode: continuous, ticks_per_interval: 3, intervals: 2, grace: 1}
groups:
  input:   {units: 4, type: INPUT}
  hidden:  {units: 5, integration: OUT_INTEGR}
  output:  {units: 4, type: OUTPUT, error: CROSS_ENTROPY, integration: OUT_INTEGR}
  cleanup: {units: 3, integration: IN_INTEGR}
links:
  - input -> hidden
  - hidden -> output
  - {from: output, to: cleanup, bidirectional: true}
examples:
  inputs:  [[[1, 0, 0, 1]], [[0, 1, 0, 1]], [[0, 0, 1, 1]], [[1, 1, 0, 0]], [[0, 1, 1, 0]]]
  targets: [[[1, 0, 0, 0]], [[0, 1, 0, .nan]], [[0, 0, 1, 0]], [[0, 0, 0, 1]], [[1, 0, 1, 0]]]
training: {algorithm: momentum, learning_rate: 0.3, momentum: 0.8, max_epochs: 100, output_criterion: 0.6}
"""


def attractor(seed=0, out_integration="OUT_INTEGR", hid_fn="LOGISTIC", out_fn="LOGISTIC", err="CROSS_ENTROPY",
              soft=False, tpi=3, bias_first=False):
    net = Network("att", seed=seed, init_range=0.8)
    net.add_group("input", 3, kind="INPUT", clamp="SOFT" if soft else "HARD")
    net.add_group("hidden", 4, function=hid_fn, integration="OUT_INTEGR")
    net.add_group("output", 3, kind="OUTPUT", function=out_fn, error=err, integration=out_integration)
    net.add_group("cleanup", 2, integration="IN_INTEGR")
    if bias_first:                             # every group's first incoming block: the bias's
        net.connect_bias()
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bidirectional("output", "cleanup")
    net.connect("output", "output")            # self-recurrent block
    if not bias_first:
        net.connect_bias()
    if soft:
        net.connect("hidden", "input")
    make_continuous(net, ticks_per_interval=tpi, intervals=1.0, integrate=False)
    return net


def examples(rng, n=3, events=2, targets=(0.1, 0.9)):
    x = rng.uniform(0, 1, (n, events, 3))
    t = rng.uniform(*targets, (n, events, 3))
    t[0, 0, 1] = np.nan                         # no target for one unit of one event
    xs = ExampleSet({"input": x}, {"output": t}, n_events=[events, 1, events][:n] if n >= 3 else None,
                    event_fields={"max": np.array([[1.0, 2.0], [1.0, np.nan], [2 / 3, 1.0]])[:n, :events],
                                  "grace": np.array([[0.0, 1 / 3], [1 / 3, 0.0], [0.0, 0.0]])[:n, :events]})
    return xs
