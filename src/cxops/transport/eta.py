"""When will a job end? A window for the end time, from the progress polls have seen.

Vendors report progress coarsely (Cognigy: ``currentStep/totalStep``, often 4 steps), so one
reading says little. Every poll says more when read as bounds: assuming progress grows linearly
over the job, the true fraction ``f(t) = 1 - (T - t) / D`` satisfies, at each poll ``i``,
``p_i <= f(t_i) < q_i``, where ``p_i`` is what it showed and ``q_i`` the next higher value seen
later (``1`` while the job is unfinished). For each candidate duration ``D`` (a log grid) those
bounds give an interval for the end ``T``; the union over feasible ``D`` is the window.
Continuous progress fits the same bounds, so one estimator serves both. No I/O, no clock.
"""

from __future__ import annotations

import math

__all__ = ["EndWindow"]

_GRID = [0.05 * 1.02**k for k in range(800)]  # 0.05 s ... ~370,000 s, 2% apart


class EndWindow:
    """Progress observations of one job and the window they allow for its end."""

    def __init__(self) -> None:
        self.polls: list[tuple[float, float]] = []  # (time, progress shown)

    def record(self, t: float, progress: float | None) -> None:
        """Add a poll of an unfinished job (progress ``None`` adds nothing)."""
        if progress is not None and math.isfinite(progress):
            self.polls.append((t, max(0.0, min(1.0, progress))))

    def window(self) -> tuple[float, float] | None:
        """``(earliest, latest)`` end consistent with every poll, or ``None`` if unknown.

        A job first seen at progress 0 is taken to have started at that poll (the poller
        starts as the job is created); one first seen later may have started any time before.
        The window is not cut at the last poll: callers know the job was unfinished then.
        """
        if len(self.polls) < 2 or self.polls[-1][1] <= self.polls[0][1]:
            return None  # no movement yet: nothing to extrapolate from
        bounds = []
        for i, (t, p) in enumerate(self.polls):
            # q_i: the lowest higher value a later poll showed (1 while unfinished)
            q = min((later for _, later in self.polls[i + 1 :] if later > p), default=1.0)
            bounds.append((t, p, q))
        t0, p0 = self.polls[0]
        if p0 == 0:
            # Seen from its start (polling began as it was created): T = t0 + D, and each
            # bound is linear in D alone, so the window is exact.
            lo_d, hi_d = 0.0, math.inf
            for t, p, q in bounds:
                lo_d = max(lo_d, (t - t0) / q)
                if p > 0:
                    hi_d = min(hi_d, (t - t0) / p)
            return (t0 + lo_d, t0 + hi_d) if lo_d < hi_d else None
        lo_all, hi_all = math.inf, -math.inf
        for d in _GRID:
            lo, hi = -math.inf, math.inf
            for t, p, q in bounds:
                lo = max(lo, t + (1.0 - q) * d)
                hi = min(hi, t + (1.0 - p) * d)
                if lo >= hi:
                    break
            if lo < hi:
                lo_all, hi_all = min(lo_all, lo), max(hi_all, hi)
        if lo_all is math.inf:
            return None  # progress is not linear enough to trust any estimate
        return lo_all, hi_all
