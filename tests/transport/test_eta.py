"""The end-time window drawn from coarse progress readings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxops.transport.eta import EndWindow


def test_no_window_until_progress_moves() -> None:
    """Without movement there is nothing to extrapolate."""
    ends = EndWindow()
    ends.record(0, 0.0)
    ends.record(5, 0.0)
    assert ends.window() is None


@given(
    duration=st.floats(1, 5000),
    steps=st.integers(1, 20),
    gaps=st.lists(st.floats(0.05, 50), min_size=2, max_size=40),
)
def test_true_end_is_always_inside_the_window(
    duration: float, steps: int, gaps: list[float]
) -> None:
    """For linear jobs with quantized progress seen from their start, T is in the window."""
    ends = EndWindow()
    t = 0.0
    for gap in gaps:
        if t >= duration:
            break
        ends.record(t, int(t / duration * steps) / steps)
        t += gap
    window = ends.window()
    if window is not None:
        lo, hi = window
        assert lo - 1e-6 <= duration <= hi + 1e-6


def test_job_resumed_midway_still_gets_a_window() -> None:
    """A job first seen at 40% (started earlier) gets a window around its true end."""
    ends = EndWindow()
    for t in (0, 10, 20, 30):
        ends.record(t, 0.4 + t / 100)  # true end at t = 60
    window = ends.window()
    assert window is not None
    assert window[0] <= 60 <= window[1] and window[1] - window[0] < 40  # start unknown: loose


def test_non_linear_progress_gives_no_window() -> None:
    """Progress that contradicts a straight line yields None (the poller backs off)."""
    ends = EndWindow()
    for t, p in ((0, 0.0), (1, 0.9), (100, 0.95)):
        ends.record(t, p)
    assert ends.window() is None
