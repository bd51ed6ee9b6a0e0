"""Risk-set bookkeeping for the Cox engine: rows labelled by (stratum, time) group, Efron steps.

Groups are the distinct (stratum, time) pairs, numbered by stratum and then increasing time; the
risk set of group g is every row of its stratum in a group ≥ g. Whole-number times (days, weeks)
are grouped by counting (O(n + range), no sort); other times are sorted once. Sorted views of the
rows, used by the NumPy computations, are built on first use. Efron's approximation [1] splits the
d_g tied events of an event time into d_g steps (``Steps``); Breslow's uses one step.

References
----------
[1] Efron B. The efficiency of Cox's likelihood function for censored data. JASA 1977;72:557–565.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)  # not slotted: the sorted views below are cached on first use
class RiskSets:
    """Rows labelled by their distinct (stratum, time) group, plus sorted views made on demand.

    Groups are numbered by stratum, then increasing time. The compiled derivative pass and the
    concordance need only the per-row group labels (no row sort); the NumPy paths (small n,
    robust variance, PH test, baseline hazard) use the sorted views, built once when first used.
    """

    x_rows: FloatArray  # (n, p) covariates in the caller's row order (centring happens in fit)
    row_time: FloatArray
    row_event: npt.NDArray[np.bool_]
    row_weights: FloatArray
    row_stratum: IntArray
    row_group: IntArray  # (n,) group of each row
    group_first: IntArray  # (G,) first group of the group's stratum
    group_after: IntArray  # (G,) first group after the group's stratum
    presorted: IntArray | None = None  # the sort order when building the groups needed one

    @cached_property
    def order(self) -> IntArray:
        """Row permutation: stratum, then time ascending (the order within a time is irrelevant)."""
        if self.presorted is not None:
            return self.presorted
        return np.argsort(self.row_group, kind="stable")

    @cached_property
    def time(self) -> FloatArray:
        return self.row_time[self.order]

    @cached_property
    def weights(self) -> FloatArray:
        return self.row_weights[self.order]

    @cached_property
    def event(self) -> npt.NDArray[np.bool_]:
        return self.row_event[self.order]

    @cached_property
    def stratum(self) -> IntArray:
        return self.row_stratum[self.order]

    @cached_property
    def group(self) -> IntArray:
        """(n,) group of each sorted row."""
        return self.row_group[self.order]

    @cached_property
    def group_start(self) -> IntArray:
        """(G,) first sorted row of each group."""
        counts = np.bincount(self.row_group, minlength=self.group_first.shape[0])
        return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    @cached_property
    def event_rows(self) -> IntArray:
        """Sorted rows with an event."""
        return np.flatnonzero(self.event)

    @cached_property
    def _event_groups(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        eg = self.group[self.event_rows]
        new = np.ones(eg.shape[0], dtype=bool)
        new[1:] = eg[1:] != eg[:-1]
        start = np.flatnonzero(new)
        n_dead = np.diff(np.append(start, eg.shape[0])).astype(np.float64)
        dead_weight = (np.add.reduceat(self.weights[self.event_rows], start)
                       if start.size else np.zeros(0))
        return eg[start], start, n_dead, dead_weight

    @property
    def event_group(self) -> IntArray:
        """(K,) groups holding events."""
        return self._event_groups[0]

    @property
    def event_start(self) -> IntArray:
        """(K,) first position in ``event_rows`` of each event group."""
        return self._event_groups[1]

    @property
    def n_dead(self) -> FloatArray:
        """(K,) number of event rows d_g."""
        return self._event_groups[2]

    @property
    def dead_weight(self) -> FloatArray:
        """(K,) Σ w over the event rows of each event group."""
        return self._event_groups[3]

    @property
    def x(self) -> FloatArray:
        """Covariates in sorted order (a fresh O(n·p) gather on each access)."""
        return self.x_rows[self.order]


@dataclass(frozen=True, slots=True)
class Steps:
    """One row per Efron step (g, k); Breslow has one step per event time."""

    event_index: IntArray  # index into the K event groups
    frac: FloatArray  # k / d_g (0 for Breslow)
    wbar: FloatArray  # w̄_g (Efron) or Σ w (Breslow)


#: Whole-number times spanning at most this many values (× strata) are grouped by counting.
COUNTING_MAX_SPAN = 20_000_000


def build_risk_sets(time: FloatArray, event: npt.NDArray[np.bool_], x: FloatArray,
                    weights: FloatArray, stratum: IntArray) -> RiskSets:
    """Label each row with its distinct (stratum, time) group.

    Whole-number times (days, weeks) over a moderate range are grouped by counting, O(n + range),
    without sorting the rows; other times are sorted once (that order is kept for later use).
    """
    n = time.shape[0]
    n_strata = int(stratum.max(initial=0)) + 1
    t_min = float(time.min(initial=0.0))
    span = float(time.max(initial=0.0)) - t_min + 1.0
    presorted = None
    if n and span * n_strata <= max(COUNTING_MAX_SPAN, 4 * n) and bool(np.all(time == np.floor(time))):
        key = (time - t_min).astype(np.int64)
        if n_strata > 1:
            key += stratum * int(span)
        present = np.bincount(key) > 0
        dense = np.cumsum(present) - 1
        row_group = dense[key]
        g_stratum = np.flatnonzero(present) // int(span)
    else:
        presorted = np.lexsort((time, stratum)) if n_strata > 1 else np.argsort(time)
        t = time[presorted]
        s = stratum[presorted]
        new = np.ones(n, dtype=bool)
        new[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
        group = np.cumsum(new) - 1
        row_group = np.empty(n, dtype=np.int64)
        row_group[presorted] = group
        g_stratum = s[new]
    s_new = np.ones(g_stratum.shape[0], dtype=bool)
    s_new[1:] = g_stratum[1:] != g_stratum[:-1]
    s_first = np.flatnonzero(s_new)
    s_index = np.cumsum(s_new) - 1
    group_first = s_first[s_index]
    group_after = np.append(s_first[1:], g_stratum.shape[0])[s_index]
    return RiskSets(x, time, event, weights, stratum, row_group.astype(np.int64), group_first,
                    group_after, presorted)


def efron_steps(rs: RiskSets, ties: str) -> Steps:
    """The (g, k) steps: Efron splits d_g tied events into d_g steps of weight w̄_g [3]."""
    k_count = rs.n_dead.shape[0]
    if ties == "breslow":
        return Steps(np.arange(k_count), np.zeros(k_count), rs.dead_weight.copy())
    d = rs.n_dead.astype(np.int64)
    idx = np.repeat(np.arange(k_count), d)
    first = np.repeat(np.cumsum(d) - d, d)
    k = np.arange(idx.shape[0]) - first
    return Steps(idx, k / rs.n_dead[idx], (rs.dead_weight / rs.n_dead)[idx])


def reverse_cumsum_in_stratum(values: FloatArray, rs: RiskSets) -> FloatArray:
    """Σ over groups g' ≥ g of the same stratum (risk-set sums), for (G,) or (G, p) arrays."""
    rc = np.cumsum(values[::-1], axis=0)[::-1]
    rc = np.concatenate([rc, np.zeros((1,) + values.shape[1:])], axis=0)
    return rc[:-1] - rc[rs.group_after]


def cumsum_in_stratum(values: FloatArray, rs: RiskSets) -> FloatArray:
    """Σ over groups g' ≤ g of the same stratum (cumulative hazards), for (G,) or (G, p)."""
    fc = np.cumsum(values, axis=0)
    fc = np.concatenate([np.zeros((1,) + values.shape[1:]), fc], axis=0)
    return fc[1:] - fc[rs.group_first]
