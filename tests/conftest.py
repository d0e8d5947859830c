import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
#: the tests' shared builders (tests/builders.py) import from any folder
sys.path.insert(0, str(Path(__file__).parent))

#: the workplace's shared data sets (read-only), beside the repository
SHARED = Path(os.environ.get("PDPSIM_SHARED", Path(__file__).resolve().parents[2] / "shared"))


@pytest.fixture
def shared_data():
    p = SHARED / "data"
    if not p.exists():
        pytest.skip(f"shared data not found at {p}")
    return p


@pytest.fixture(autouse=True)
def _run_index(tmp_path, monkeypatch):
    """Every test records its runs in its own index, never in the user's ~/.pdpsim."""
    monkeypatch.setenv("PDPSIM_RUN_INDEX", str(tmp_path / "runs.sqlite"))


# ---------------------------------------------------------------- every registered engine
#: the Array API namespace the array engine is tested on here (no GPU: array-api-strict on the CPU)
ARRAY_NAMESPACE = "array_api_strict"


def _backends() -> list[str]:
    from pdpsim.training import engines
    return [f"{n}:{ARRAY_NAMESPACE}" if engines.engine_class(n).takes_argument else n for n in engines.names()]


@pytest.fixture(params=_backends())
def engine(request):
    """Each registered engine in turn (its backend string); skipped where it cannot run on this machine."""
    from pdpsim.training import engines
    backend = request.param
    cls, arg = engines.engine(backend)
    why = cls.available()
    if why:
        pytest.skip(why)
    if arg == ARRAY_NAMESPACE:
        pytest.importorskip(ARRAY_NAMESPACE)
    return backend


def skip_unless_supported(backend, net, examples, params, members=None):
    """Skip (with the engine's own reason) when ``backend`` does not support this case."""
    from pdpsim.training import engines
    cls, arg = engines.engine(backend)
    why = cls.unsupported(net, examples, params.validated(), members or engines.single(net), arg)
    if why:
        pytest.skip(f"{backend} does not support {why}")
