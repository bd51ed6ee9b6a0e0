"""Exact two-sided p-value of Fisher's test for an r × c table (private engine of ``contingency``).

Under independence and with both margins fixed, a table X = (x_ij) with row sums r_i, column sums
c_j and total n has the multivariate hypergeometric probability [1, eq. 1]

    P(X) = (Π_i r_i! Π_j c_j!) / (n! Π_ij x_ij!).

The two-sided p-value is the total probability of all tables with P(X) ≤ P(X_obs), where R's
``fisher.test`` compares with a relative tolerance, P(X) ≤ P(X_obs)·(1 + 1e-7) [2], so that tables
tied with the observed one in exact arithmetic are not lost to rounding.

Algorithm (network-algorithm ideas [1] with a meet in the middle). Rows are processed one at a
time; a *state* is the vector of column totals still to be filled, up to the order of the columns
(sorted; permuting columns preserves P(X), so such partial tables share their completions). A
state carries the "past" values P = Σ_{processed rows} (log r_i! − Σ_j log x_ij!) of the partial
tables that reach it, with multiplicities (numerically equal values merged). For each state three
quantities are known without enumeration:

* T = log m! − Σ_j log c_j! (m = remaining total): the log of the sum, over all completions, of
  exp(Σ_{remaining rows}(log r_i! − Σ_j log x_ij!)) — the multinomial identity
  Σ_X Π_i r_i!/Π_j x_ij! = m!/Π_j c_j!;
* an upper bound on the largest and a lower bound on the smallest completion value, from
  relaxations that drop either the column or the row constraints (even spreading maximises
  −Σ log x!, greedy filling of the largest caps minimises it, because log x! is convex).

In the front rows, a past value whose every completion is at most the threshold contributes
exp(P + T) at once; one whose every completion exceeds it is dropped; only the rest are expanded.
The bounds need not be tight for the answer to be exact — looser bounds only expand more. The
back rows are enumerated separately and joined to the front by state (see fisher_rxc_pvalue).

References
----------
[1] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
    contingency tables. J Am Stat Assoc 1983;78:427–434.
[2] R Core Team. ``fisher.test`` (src/library/stats/R/fisher.test.R): ``relErr <- 1 + 10^(-7)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

#: R's relative tolerance on "probability no larger than the observed one" [2].
R_RELATIVE_TOLERANCE = 1e-7

#: Memory guard (≈ 24 bytes per stored partial-table value) and work guard (state × split pairs
#: and partial tables formed; a few seconds on one core). R's FEXACT stops similarly ("workspace" /
#: "LDSTP too small") and suggests simulated p-values.
MAX_STORED_VALUES = 2_000_000
MAX_WORK = 20_000_000

# Past values closer than this (in log units) are merged; far below the 1e-7 comparison tolerance.
_MERGE_TOL = 1e-12

_Entries = tuple[np.ndarray, np.ndarray, np.ndarray]  # (state code, value, multiplicity), sorted


class FisherTooLarge(RuntimeError):
    """The exact enumeration would need more than ``MAX_STORED_VALUES`` partial tables."""


@dataclass
class _Work:
    """Work spent by one p-value computation (local to the call, never shared)."""

    spent: int = 0

    def add(self, amount: int) -> None:
        self.spent += amount
        if self.spent > MAX_WORK:
            raise FisherTooLarge(f"exact enumeration needs more than {MAX_WORK:,} steps")


@dataclass(frozen=True)
class _StateSpace:
    """Column-total vectors up to column order: a state is the SORTED vector (ascending), coded as
    Σ_j V_(j)·(n + 1)^j. Permuting columns maps tables to tables with the same probability, so all
    partial tables whose totals are permutations of each other share their completions [1]."""

    cols: np.ndarray  # sorted ascending
    radix: np.ndarray
    lf: np.ndarray  # lf[k] = log k!

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        return np.sort(vectors, axis=-1) @ self.radix

    def decode(self, code: int) -> np.ndarray:
        return (code // self.radix) % (len(self.lf) - 1)

    def splits(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        """All ways to spread a row total r over the columns (each ≤ the largest column total)."""
        s = _bounded_compositions(int(r), np.full(len(self.cols), min(int(r), int(self.cols[-1]))))
        return s, self.lf[r] - self.lf[s].sum(axis=1)

    def orderings(self, code: int) -> int:
        """Number of distinct column orders of a state: c! / Π (multiplicity)!."""
        _, counts = np.unique(self.decode(code), return_counts=True)
        return int(round(np.exp(self.lf[len(self.cols)] - self.lf[counts].sum())))


def fisher_rxc_pvalue(table: npt.NDArray[np.int64]) -> float:
    """Two-sided Fisher exact p-value of a table whose row and column sums are all positive.

    Meet in the middle: the rows are split into a front and a back part of similar enumeration
    size. Front partial tables are enumerated with bound pruning, keyed by the (sorted) column
    totals still to fill; back partial tables are enumerated from the other end, keyed by the
    (sorted) totals they use. A front table leaving totals V is completed exactly by the back
    tables using V; the back entry of the sorted key holds those tables once for every distinct
    column order of V, so its weights are divided by that number. With the back values sorted,
    the probability of all completions at or below the threshold is one ``searchsorted`` into
    their cumulative sums — no full table is built. Raises FisherTooLarge beyond
    MAX_STORED_VALUES stored values or MAX_WORK steps. A 2 × 2 table takes the direct
    hypergeometric sum instead (``two_by_two_pvalue``, as R does for 2 × 2).
    """
    x = np.asarray(table, dtype=np.int64)
    if x.shape == (2, 2):
        return two_by_two_pvalue(x)
    return network_pvalue(x)


def two_by_two_pvalue(table: npt.NDArray[np.int64]) -> float:
    """Two-sided Fisher p of a 2 × 2 table with positive margins, over the hypergeometric support.

    With margins fixed the table is determined by a = x_11 ∈ [max(0, r_1 − c_2), min(r_1, c_1)],
    log P(a) = −log a! − log (r_1 − a)! − log (c_1 − a)! − log (r_2 − c_1 + a)! + const. As R's
    ``fisher.test`` for 2 × 2 [2]: d = exp(log P − max log P), p = Σ_{d ≤ d_obs (1 + 1e-7)} d / Σ d.
    One vectorised pass over at most n + 1 values (the network enumeration of the r × c engine
    spends ~0.1 s on a 2 × 2 table with n ≈ 2,000).
    """
    x = np.asarray(table, dtype=np.int64)
    r1, r2 = int(x[0].sum()), int(x[1].sum())
    c1 = int(x[:, 0].sum())
    lo, hi = max(0, c1 - r2), min(r1, c1)
    a = np.arange(lo, hi + 1, dtype=np.float64)
    log_p = -(gammaln(a + 1.0) + gammaln(r1 - a + 1.0) + gammaln(c1 - a + 1.0) + gammaln(r2 - c1 + a + 1.0))
    d = np.exp(log_p - log_p.max())
    observed = d[int(x[0, 0]) - lo]
    return min(float(d[d <= observed * (1.0 + R_RELATIVE_TOLERANCE)].sum() / d.sum()), 1.0)


def network_pvalue(x: npt.NDArray[np.int64]) -> float:
    """The meet-in-the-middle network enumeration of ``fisher_rxc_pvalue`` (any r × c)."""
    if x.shape[1] > x.shape[0]:
        x = x.T  # P(X) is symmetric in rows and columns; keep the state (column totals) short
    rows = np.sort(x.sum(axis=1))[::-1]  # large rows first: more pruning early [1]
    cols = np.sort(x.sum(axis=0))
    n = int(x.sum())
    if len(cols) * np.log(n + 1.0) > 62 * np.log(2.0):
        raise FisherTooLarge("too many columns for the state coding")
    lf = gammaln(np.arange(n + 2, dtype=np.float64) + 1.0)

    # log P(X) = K + Σ_i (log r_i! − Σ_j log x_ij!), with K = Σ_j log c_j! − log n!
    k_const = lf[cols].sum() - lf[n]
    s_obs = lf[x.sum(axis=1)].sum() - lf[x].sum()
    threshold = s_obs + np.log1p(R_RELATIVE_TOLERANCE)
    radix = (n + 1) ** np.arange(len(cols), dtype=np.int64)
    space = _StateSpace(cols, radix, lf[: n + 2])
    work = _Work()

    h = _split_point(rows, len(cols))
    front, p_value = _enumerate_front(rows, h, space, threshold, k_const, work)
    back = _enumerate_back(rows[h:], space, work)
    return min(p_value + _meet(front, back, space, threshold, k_const), 1.0)


def _enumerate_front(rows: np.ndarray, h: int, space: _StateSpace, threshold: float, k_const: float,
                     work: _Work) -> tuple[_Entries, float]:
    """Partial tables of rows[:h], keyed by the column totals still to fill, with bound pruning."""
    lf = space.lf
    suffix = np.concatenate([np.cumsum(rows[::-1])[::-1], [0]])  # remaining total before row i
    entries: _Entries = (space.encode(space.cols[None, :]), np.zeros(1), np.ones(1))
    p_value = 0.0
    for i in range(h):
        splits, step = space.splits(rows[i])
        parts = []
        for code, past, weight in _by_state(entries):
            work.add(len(splits) + len(past))
            caps = space.decode(code)
            upper, lower = _completion_bounds(rows[i:], caps, lf)
            accept = past + upper <= threshold  # every completion is at most as likely as observed
            if accept.any():
                total = lf[suffix[i]] - lf[caps].sum()  # log Σ over completions (multinomial identity)
                p_value += float(np.sum(weight[accept] * np.exp(past[accept] + total + k_const)))
            keep = ~accept & (past + lower <= threshold)  # the others can never count: dropped
            if keep.any():
                valid = (splits <= caps).all(axis=1)
                child = space.encode(caps[None, :] - splits[valid])
                parts.append(_children(child, past[keep], weight[keep], step[valid], work))
        entries = _merge(parts)
    return entries, p_value


def _enumerate_back(rows: np.ndarray, space: _StateSpace, work: _Work) -> _Entries:
    """Partial tables of the back rows, keyed by the (sorted) column totals they use.

    A state is kept only if its sorted totals fit under the sorted column totals: exactly then
    some column order fits under the table's columns, and totals only grow."""
    entries: _Entries = (np.zeros(1, dtype=np.int64), np.zeros(1), np.ones(1))
    for r in rows:
        splits, step = space.splits(r)
        parts = []
        for code, value, weight in _by_state(entries):
            work.add(len(splits))
            used = np.sort(space.decode(code)[None, :] + splits, axis=1)
            valid = (used <= space.cols).all(axis=1)
            parts.append(_children(used[valid] @ space.radix, value, weight, step[valid], work))
        entries = _merge(parts)
    return entries


def _meet(front: _Entries, back: _Entries, space: _StateSpace, threshold: float, k_const: float) -> float:
    """Σ over front tables of exp(P + K) × Σ_{back completions with P + F_b ≤ threshold} exp(F_b)."""
    back_codes, back_values, back_weights = back
    total = 0.0
    for code, past, weight in _by_state(front):
        lo, hi = np.searchsorted(back_codes, [code, code + 1])
        if lo == hi:
            continue
        future, future_weight = back_values[lo:hi], back_weights[lo:hi]  # sorted ascending
        top = future[-1]
        # the back enumeration is symmetric in the columns: each completion appears once per
        # distinct column order of the state
        cumulative = np.cumsum(future_weight * np.exp(future - top)) / space.orderings(code)
        count = np.searchsorted(future, threshold - past, side="right")
        ok = count > 0
        # P + K + top ≤ 0 is the log-probability of the likeliest completion: exp cannot overflow
        total += float(np.sum(weight[ok] * np.exp(past[ok] + k_const + top) * cumulative[count[ok] - 1]))
    return total


def _by_state(entries: _Entries) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(code, values, weights) per distinct state of code-sorted entries."""
    codes, values, weights = entries
    if len(codes) == 0:
        return
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    ends = np.concatenate([starts[1:], [len(codes)]])
    for a, b in zip(starts.tolist(), ends.tolist()):
        yield int(codes[a]), values[a:b], weights[a:b]


def _children(codes: np.ndarray, values: np.ndarray, weights: np.ndarray, step: np.ndarray,
              work: _Work) -> _Entries:
    """Every (past value, split) pair of one state, flattened."""
    shape = (len(values), len(codes))
    work.add(shape[0] * shape[1])
    if shape[0] * shape[1] > MAX_STORED_VALUES:
        raise FisherTooLarge(f"exact enumeration needs more than {MAX_STORED_VALUES:,} partial tables")
    return (np.broadcast_to(codes[None, :], shape).ravel(), (values[:, None] + step[None, :]).ravel(),
            np.broadcast_to(weights[:, None], shape).ravel())


def _merge(parts: list[_Entries]) -> _Entries:
    """Concatenate, sort by (state, value) and merge numerically equal values of one state."""
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    codes = np.concatenate([p[0] for p in parts])
    if len(codes) > 4 * MAX_STORED_VALUES:
        raise FisherTooLarge(f"exact enumeration needs more than {MAX_STORED_VALUES:,} partial tables")
    values = np.concatenate([p[1] for p in parts])
    weights = np.concatenate([p[2] for p in parts])
    by_value = np.argsort(values)  # two sorts (float, then stable int) beat np.lexsort here
    order = by_value[np.argsort(codes[by_value], kind="stable")]
    codes, values, weights = codes[order], values[order], weights[order]
    new = np.concatenate([[True], (codes[1:] != codes[:-1]) | (np.diff(values) > _MERGE_TOL)])
    starts = np.flatnonzero(new)
    if len(starts) > MAX_STORED_VALUES:
        raise FisherTooLarge(f"exact enumeration needs more than {MAX_STORED_VALUES:,} partial tables")
    return codes[starts], values[starts], np.add.reduceat(weights, starts)


def _split_point(rows: np.ndarray, k: int) -> int:
    """Number of front rows balancing log(#splits) between the parts (at least one row each)."""
    log_splits = gammaln(rows + k) - gammaln(rows + 1) - gammaln(k)  # log C(r + k − 1, k − 1)
    front = np.cumsum(log_splits)[:-1]
    back = log_splits.sum() - front
    return int(np.argmin(np.maximum(front, back))) + 1


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
