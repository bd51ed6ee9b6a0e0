"""Compiled O(n log n) kernel for Harrell's concordance (see :mod:`oncocohort.stats.concordance`).

Two Fenwick (binary indexed) trees over the ranks of the risk score [1]: ``risk`` holds the case
weights of rows already at risk, ``dead`` the weights of events already passed. Each stratum is
walked backwards in time; within a time, censored rows enter the risk set before the events are
scored (a row censored at t is at risk for an event at t), and tied events are not compared with
each other (R's ``concordance3.c`` convention [2]). The influence of row j as the member at risk is
the number of later-processed (= earlier-time) events, obtained as the dead-tree count at the end of
the stratum minus the count when j entered.

References
----------
[1] Fenwick PM. A new data structure for cumulative frequency tables. Softw Pract Exp 1994;24:327–336.
[2] Therneau T. survival package, ``src/concordance3.c``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _add(tree, i, value):
    i += 1
    m = tree.shape[0]
    while i < m:
        tree[i] += value
        i += i & (-i)


@njit(cache=True)
def _below(tree, i):
    """Sum of the weights with rank < i."""
    total = 0.0
    while i > 0:
        total += tree[i]
        i -= i & (-i)
    return total


@njit(cache=True)
def concordance_counts(rank, event, w, group_start, stratum_start):  # pragma: no cover - JIT
    """(concordant, discordant, tied_risk) and the per-row influence counts (n, 3)."""
    n = rank.shape[0]
    m = 1
    for i in range(n):
        if rank[i] + 1 > m:
            m = rank[i] + 1
    risk = np.zeros(m + 1)
    risk_node = np.zeros(m)
    dead = np.zeros(m + 1)
    dead_node = np.zeros(m)
    counts = np.zeros(3)
    infl = np.zeros((n, 3))
    n_groups = group_start.shape[0]
    n_strata = stratum_start.shape[0]
    g_hi = n_groups - 1
    for s in range(n_strata - 1, -1, -1):
        s_lo = stratum_start[s]
        s_hi = n if s == n_strata - 1 else stratum_start[s + 1]
        risk_total = 0.0
        dead_total = 0.0
        while g_hi >= 0 and group_start[g_hi] >= s_lo:
            a = group_start[g_hi]
            b = s_hi if g_hi == n_groups - 1 else min(group_start[g_hi + 1], s_hi)
            for j in range(a, b):  # censored rows enter the risk set first
                if not event[j]:
                    r = rank[j]
                    below = _below(dead, r)
                    same = dead_node[r]
                    infl[j, 0] -= dead_total - below - same
                    infl[j, 1] -= below
                    infl[j, 2] -= same
                    _add(risk, r, w[j])
                    risk_node[r] += w[j]
                    risk_total += w[j]
            for i in range(a, b):  # score each event against the risk set
                if event[i]:
                    r = rank[i]
                    below = _below(risk, r)
                    same = risk_node[r]
                    above = risk_total - below - same
                    counts[0] += w[i] * below
                    counts[1] += w[i] * above
                    counts[2] += w[i] * same
                    infl[i, 0] += below
                    infl[i, 1] += above
                    infl[i, 2] += same
            for i in range(a, b):
                if event[i]:
                    _add(dead, rank[i], w[i])
                    dead_node[rank[i]] += w[i]
                    dead_total += w[i]
            for i in range(a, b):  # tied events are excluded from each other's influence
                if event[i]:
                    r = rank[i]
                    below = _below(dead, r)
                    same = dead_node[r]
                    infl[i, 0] -= dead_total - below - same
                    infl[i, 1] -= below
                    infl[i, 2] -= same
                    _add(risk, r, w[i])
                    risk_node[r] += w[i]
                    risk_total += w[i]
            g_hi -= 1
        for j in range(s_lo, s_hi):  # events after entry, and reset the trees for the next stratum
            r = rank[j]
            below = _below(dead, r)
            same = dead_node[r]
            infl[j, 0] += dead_total - below - same
            infl[j, 1] += below
            infl[j, 2] += same
        for j in range(s_lo, s_hi):
            r = rank[j]
            _add(risk, r, -w[j])
            risk_node[r] = 0.0
            if event[j]:
                _add(dead, r, -w[j])
                dead_node[r] = 0.0
    return counts, infl
