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
