"""Exact two-sided p-value of Fisher's test for an r × c table (private engine of ``contingency``).

Under independence and with both margins fixed, a table X = (x_ij) with row sums r_i, column sums
c_j and total n has the multivariate hypergeometric probability [1, eq. 1]

    P(X) = (Π_i r_i! Π_j c_j!) / (n! Π_ij x_ij!).

The two-sided p-value is the total probability of all tables with P(X) ≤ P(X_obs), where R's
``fisher.test`` compares with a relative tolerance, P(X) ≤ P(X_obs)·(1 + 1e-7) [2], so that tables
tied with the observed one in exact arithmetic are not lost to rounding.

Algorithm (a simplified network algorithm [1]). Rows are processed one at a time; a *node* is the
multiset of column sums still to be filled (the order of the columns does not change the number
of completions or their probabilities, so nodes are keyed by the sorted remaining sums). A node
carries the "past" values P = Σ_{processed rows} (log r_i! − Σ_j log x_ij!) of the partial tables
that reach it, with multiplicities. For each node three quantities are known without enumeration:

* T = log m! − Σ_j log c_j! (m = remaining total): the log of the sum, over all completions, of
  exp(Σ_{remaining rows}(log r_i! − Σ_j log x_ij!)) — the multinomial identity
  Σ_X Π_i r_i!/Π_j x_ij! = m!/Π_j c_j!;
* an upper bound on the largest and a lower bound on the smallest completion value, from
  relaxations that drop either the column or the row constraints (even spreading maximises
  −Σ log x!, greedy filling of the largest caps minimises it, because log x! is convex).

A past value whose every completion is at most the threshold contributes exp(P + T) at once; one
whose every completion exceeds it is dropped; only the rest are expanded to the next row. The
bounds need not be tight for the answer to be exact — looser bounds only expand more nodes.

References
----------
[1] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
    contingency tables. J Am Stat Assoc 1983;78:427–434.
[2] R Core Team. ``fisher.test`` (src/library/stats/R/fisher.test.R): ``relErr <- 1 + 10^(-7)``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

#: R's relative tolerance on "probability no larger than the observed one" [2].
R_RELATIVE_TOLERANCE = 1e-7

# Past values closer than this (in log units) are merged; far below the 1e-7 comparison tolerance.
_MERGE_TOL = 1e-12


def fisher_rxc_pvalue(table: npt.NDArray[np.int64]) -> float:
    """Two-sided Fisher exact p-value of a table whose row and column sums are all positive."""
    x = np.asarray(table, dtype=np.int64)
    if x.shape[1] > x.shape[0]:
        x = x.T  # P(X) is symmetric in rows and columns; keep the node key (columns) short
    rows = np.sort(x.sum(axis=1))[::-1]  # large rows first: more pruning early [1]
    cols = x.sum(axis=0)
    n = int(x.sum())
    lf = gammaln(np.arange(n + 2, dtype=np.float64) + 1.0)  # lf[k] = log k!

    # log P(X) = K + Σ_i (log r_i! − Σ_j log x_ij!), with K = Σ_j log c_j! − log n!
    k_const = lf[cols].sum() - lf[n]
    s_obs = lf[x.sum(axis=1)].sum() - lf[x].sum()
    threshold = s_obs + np.log1p(R_RELATIVE_TOLERANCE)

    suffix = np.concatenate([np.cumsum(rows[::-1])[::-1], [0]])  # remaining total before row i
    nodes: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {
        tuple(sorted(cols.tolist())): (np.zeros(1), np.ones(1))
    }
    p_value = 0.0
    for i in range(len(rows)):
        remaining_rows = rows[i:]
        children: dict[tuple[int, ...], list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
        for key, (past, weight) in nodes.items():
            caps = np.array(key, dtype=np.int64)
            total = lf[suffix[i]] - lf[caps].sum()
            upper, lower = _completion_bounds(remaining_rows, caps, lf)
            accept = past + upper <= threshold
            if accept.any():
                p_value += float(np.sum(weight[accept] * np.exp(past[accept] + total + k_const)))
            expand = ~accept & (past + lower <= threshold)
            if not expand.any():
                continue
            splits = _bounded_compositions(int(rows[i]), caps)
            step = lf[rows[i]] - lf[splits].sum(axis=1)
            rest = caps[None, :] - splits
            for s in range(len(splits)):
                child_key = tuple(sorted(rest[s].tolist()))
                children[child_key].append((past[expand] + step[s], weight[expand]))
        nodes = {key: _merge_pasts(parts) for key, parts in children.items()}
        if not nodes:
            break
    return min(p_value, 1.0)


def _completion_bounds(rows: np.ndarray, cols: np.ndarray, lf: np.ndarray) -> tuple[float, float]:
    """(upper bound of max, lower bound of min) of Σ_i(log r_i! − Σ_j log x_ij!) over completions."""
    base = lf[rows].sum()
    if len(rows) == 1:  # one row left: the completion is forced, x_1j = c_j
        exact = base - lf[cols].sum()
        return exact, exact
    # max of −Σ log x!: relax one set of margins and spread each line evenly (log x! is convex)
    g_max = min(_even_spread(rows, len(cols), lf), _even_spread(cols, len(rows), lf))
    # min of −Σ log x!: relax one set of margins, fill each line greedily into its largest caps
    g_min = max(_greedy_fill(rows, cols, lf), _greedy_fill(cols, rows, lf))
    return base + g_max, base + g_min


def _even_spread(totals: np.ndarray, k: int, lf: np.ndarray) -> float:
    q, r = np.divmod(totals, k)
    return float(-np.sum((k - r) * lf[q] + r * lf[q + 1]))


def _greedy_fill(totals: np.ndarray, caps: np.ndarray, lf: np.ndarray) -> float:
    # the greedy vector (fill largest caps first) majorises every feasible split, so it maximises
    # the Schur-convex Σ log x!; vectorised over lines: cumulative caps give each cell's share
    c = np.sort(caps)[::-1]
    before = np.concatenate([[0], np.cumsum(c)[:-1]])
    fill = np.clip(totals[:, None] - before[None, :], 0, c[None, :])
    return float(-lf[fill].sum())


def _bounded_compositions(total: int, caps: np.ndarray) -> np.ndarray:
    """All integer vectors x with Σ x = total and 0 ≤ x_j ≤ caps_j (rows of the returned array)."""
    k = len(caps)
    if k == 1:
        return np.array([[total]], dtype=np.int64) if total <= caps[0] else np.zeros((0, 1), np.int64)
    rest_cap = int(caps[1:].sum())
    blocks = []
    for first in range(max(0, total - rest_cap), min(total, int(caps[0])) + 1):
        tail = _bounded_compositions(total - first, caps[1:])
        blocks.append(np.column_stack([np.full(len(tail), first, dtype=np.int64), tail]))
    return np.concatenate(blocks) if blocks else np.zeros((0, k), dtype=np.int64)


def _merge_pasts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate past values reaching one node and merge (numerically) equal ones."""
    past = np.concatenate([p for p, _ in parts])
    weight = np.concatenate([w for _, w in parts])
    order = np.argsort(past, kind="stable")
    past, weight = past[order], weight[order]
    starts = np.flatnonzero(np.concatenate([[True], np.diff(past) > _MERGE_TOL]))
    return past[starts], np.add.reduceat(weight, starts)
