"""TimeParams: checked once, with the ticks limit."""
import pytest

from pdpsim import limits
from pdpsim.model.time import TimeParams
from pdpsim.validation import PdpError


def test_ticks_an_event_are_limited_and_the_limit_can_be_raised():
    p = TimeParams(mode="continuous", ticks_per_interval=1000, intervals=2000)
    with pytest.raises(PdpError, match=r"^time.intervals: 2,000,000 ticks an event \(2000 intervals of 1000 ticks\) "
                                       r"is over the limit of 1,000,000 \(raise it with pdpsim --limit ticks=N"):
        p.validated()
    with limits.override(ticks=2_000_000):
        assert p.validated().ticks_per_interval == 1000


def test_max_ticks_limited():
    with pytest.raises(PdpError, match=r"time.max_ticks: 5,000,000 ticks is over the limit"):
        TimeParams(mode="continuous", early_stop=0.1, max_ticks=5_000_000).validated()


@pytest.mark.parametrize("field, value, message", [
    ("ticks_per_interval", float("inf"), "time.ticks_per_interval: expected an integer, got inf"),
    ("intervals", float("inf"), "time.intervals: expected a finite number"),
    ("intervals", 0.01, "time.intervals: an event must last at least one tick"),
])
def test_bad_time_fields(field, value, message):
    with pytest.raises(PdpError, match="^" + message.replace("(", r"\(")):
        TimeParams(mode="continuous", **{field: value}).validated()
