"""Training: the parameters, the one epoch loop, the stopping criteria, the engine registry,
testing and ensembles.

====================  ==============================================================
``params``            TrainingParams (how to train), TrainingResult (what it did)
``loop``              THE epoch loop: orders, batches, replay, progress, callbacks, checkpoints
``criteria``          THE stopping criteria (and their compiled form)
``engines``           the registry engines join; where ``backend: auto`` is decided
``testing``           every example once, forward only (Lens's ``test``)
``ensemble``          N networks trained at once through the same loop
====================  ==============================================================
"""
from pdpsim.training.loop import resolve_backend, run_epochs, train
from pdpsim.training.params import TrainingParams, TrainingResult
from pdpsim.training.testing import TestResult, test

__all__ = ["TrainingParams", "TrainingResult", "train", "test", "TestResult", "resolve_backend", "run_epochs"]
