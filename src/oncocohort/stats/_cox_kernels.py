"""Compiled (numba) kernels for large Cox fits: the derivative passes and the concordance counts.

Used above a size threshold only (the NumPy code in :mod:`._cox_fit` and
:mod:`.concordance` computes the same quantities and is what small data, the demo and most tests
run, so no JIT compilation is needed there). Importing this module imports numba.

``cox_derivatives`` computes what R's ``coxfit6_iter`` [1] computes, on centred, scaled
covariates, without sorting the rows: two passes over the rows (in the caller's order) around a
small pass over the distinct times (see its docstring). O(n·p²) time, O(G·p) extra memory per
thread for G distinct times. ``centred_null_derivatives`` does coxfit6's centring in the same two
reads of the rows as the derivatives at β = 0.

Threads: every pass over the rows (stacking the design, the derivative passes, the linear
predictor, the concordance sweep) is split into contiguous chunks, one per CPU (at most 8, at
least ``PARALLEL_MIN_ROWS`` rows each; ``ONCOCOHORT_THREADS`` overrides), run on a thread pool by
kernels that release the GIL. Each chunk writes its own partial sums, which are added
afterwards: results differ from one thread's only by rounding.

``concordance_counts`` counts concordant / discordant / tied-on-score pairs and each row's share
(see :mod:`.concordance`) by walking the rows in increasing risk score with two Fenwick trees [2]
indexed by time: ``risk`` over positions 2g + [censored] (a censored row at time group g is at
risk for events at g, an event row only for earlier events), ``dead`` over event groups g. An event
at group g compares with risk-tree positions [2g + 1, 2·end_of_stratum); a row at group g is at
risk for the events in dead-tree groups [start_of_stratum, g) (g included when it is censored).
Rows with equal scores are processed as one block, so ties are counted from the difference of the
queries after and before the block is inserted. The trees have as many leaves as distinct times,
so they stay in cache when times are tied (days, weeks).

References
----------
[1] Therneau T. survival package, ``src/coxfit6.c``.
[2] Fenwick PM. A new data structure for cumulative frequency tables. Softw Pract Exp 1994;24:327–336.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit


def cox_derivatives(x, mean, scale, w, event, group, group_first, beta, efron, risk=None):
    """(log L, U, I) at β; rows in any order, ``group`` = their (stratum, time) group, groups
    numbered by stratum then time, ``group_first[g]`` = first group of g's stratum.

    Pass 1 (rows, ``group_sums``): η, risk w·e^η and per-group sums over non-event rows (A, B)
    and event rows (E, F). Group stage (``risk_set_terms``, backwards in time): risk-set sums S0,
    S1; at each event time the Efron steps D_k = base + f_k E, f_k = (k+1)/d (Breslow: one step,
    f = 1) give the scalars s1 = Σ w̄/D_k, s2 = Σ w̄ f_k/D_k, c11, c12, c22 (the same with 1/D_k²,
    f/D_k², f²/D_k²), so U −= s1·base₁ + s2·F and I −= c11 base₁base₁ᵀ + c12 (base₁Fᵀ + F base₁ᵀ)
    + c22 FFᵀ. Pass 2 (rows, ``information_rows``): the S2 part of I is Σ_j a_j x_j x_jᵀ with
    a_j = r_j (Σ_{g ≤ g_j} s1_g − δ_j (s1 − s2)_{g_j}) (module docstring of ``_cox_fit``).
    O(n·p²) time, O(G·p) memory per thread.

    Both row passes are split into contiguous chunks run on a thread pool (``row_chunks``): the
    kernels release the GIL and each chunk writes its own partial sums, added afterwards, so the
    result does not depend on the number of threads beyond rounding. Why threads and not numba's
    ``parallel=True``: its OpenMP/TBB workers spin between parallel regions, which on a shared
    two-core machine tripled the CPU time; pool threads sleep on a queue.
    """
    n = x.shape[0]
    beta = np.ascontiguousarray(beta, dtype=np.float64)
    if risk is None:  # w e^η per row, kept from pass 1 for pass 2; a caller iterating passes its
        risk = np.empty(n)  # own buffer, so that 8 MB per 10⁶ rows are not page-faulted anew each time
    raw, dead, row_terms, _, _ = _pass1(x, mean, scale, w, event, group, beta, group_first.shape[0],
                                        risk_out=risk, columns=False)
    loglik, u, imat, coef, corr = risk_set_terms(raw, dead, row_terms, mean, scale, group_first, efron)
    part, _ = _pass2(x, mean, scale, risk, event, group, coef, corr, spread=False)
    return loglik, u, _symmetric(imat + part)


def _pass1(x, mean, scale, w, event, group, beta, n_groups, *, risk_out, columns):
    """``group_sums`` over the row chunks (split only while the per-chunk sums stay small), summed:
    (raw, dead, row_terms, column sums, zero_one); the last two only with ``columns``."""
    n, p = x.shape
    chunks = pass1_chunks(n, n_groups)
    raw = np.zeros((len(chunks), n_groups, 2, p + 1))
    dead = np.zeros((len(chunks), n_groups, 2))  # [number of events, Σ w over events]
    row_terms = np.zeros((len(chunks), p + 1))  # [Σ_events w x_raw, Σ_events w η]
    col = np.zeros((len(chunks), p + 1 if columns else 0))
    unit = np.ones((len(chunks), p if columns else 0), dtype=np.bool_)
    keep = np.zeros(0) if risk_out is None else risk_out
    _run(group_sums, [(x, mean, scale, w, event, group, beta, lo, hi, raw[c], dead[c], row_terms[c],
                       col[c], unit[c], keep) for c, (lo, hi) in enumerate(chunks)])
    return raw.sum(axis=0), dead.sum(axis=0), row_terms.sum(axis=0), col.sum(axis=0), unit.all(axis=0)


def _pass2(x, mean, scale, risk, event, group, coef, corr, *, spread):
    """``information_rows`` over the row chunks, summed: (lower triangle of I's S2 part, Σ r|x − m|
    or an empty array)."""
    n, p = x.shape
    chunks = row_chunks(n, 4)
    parts = np.zeros((len(chunks), p, p))
    dev = np.zeros((len(chunks), p if spread else 0))
    _run(information_rows, [(x, mean, scale, risk, event, group, coef, corr, lo, hi, parts[c], dev[c])
                            for c, (lo, hi) in enumerate(chunks)])
    return parts.sum(axis=0), dev.sum(axis=0)


def _symmetric(filled_lower):
    """The symmetric matrix whose lower triangle the passes filled."""
    lower = np.tril(filled_lower)
    return lower + np.tril(lower, -1).T


#: Rows per thread below which a row pass is not split (thread hand-off costs ~0.1 ms).
PARALLEL_MIN_ROWS = 100_000


def worker_count() -> int:
    """Threads for the row passes: the CPUs this process may use (at most 8), or the value of
    the environment variable ``ONCOCOHORT_THREADS`` (1 turns the threads off)."""
    env = os.environ.get("ONCOCOHORT_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def row_chunks(n: int, per_worker: int = 1) -> list[tuple[int, int]]:
    """Contiguous [lo, hi) row ranges, ``per_worker`` per thread (several let the threads balance
    when one core is busy with something else), each at least ``PARALLEL_MIN_ROWS`` rows; one
    range when there is a single worker."""
    workers = worker_count()
    k = 1 if workers == 1 else max(1, min(workers * per_worker, n // PARALLEL_MIN_ROWS))
    edges = [n * i // k for i in range(k + 1)]
    return list(zip(edges[:-1], edges[1:]))


def pass1_chunks(n: int, n_groups: int) -> list[tuple[int, int]]:
    """Chunks for pass 1, which keeps (G, 2, p + 1) sums per chunk: split only while those copies
    stay small beside the rows (tied times: few groups); one chunk when times are mostly distinct."""
    chunks = row_chunks(n, 4)
    return chunks if n_groups * len(chunks) * 4 <= n else [(0, n)]


_POOL: list[ThreadPoolExecutor] = []
# a forked child (e.g. the report's figure worker) inherits the pool object but not its threads
os.register_at_fork(after_in_child=_POOL.clear)


def _run(kernel, argument_lists) -> None:
    """Call ``kernel(*args)`` for each argument tuple: inline for one; for more, the calling
    thread and up to ``worker_count() − 1`` pool threads take the next pending tuple until none is
    left (so a thread slowed by another process takes fewer chunks)."""
    if len(argument_lists) == 1:
        kernel(*argument_lists[0])
        return
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=8, thread_name_prefix="oncocohort-cox"))
    pending = iter(argument_lists)  # next() on a list iterator is atomic under the GIL

    def drain() -> None:
        for args in pending:
            kernel(*args)

    helpers = min(worker_count(), len(argument_lists)) - 1
    futures = [_POOL[0].submit(drain) for _ in range(helpers)]
    drain()
    for future in futures:
        future.result()


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def group_sums(x, mean, scale, w, event, group, beta, lo, hi, raw, dead, row_terms, col_sums,
               zero_one, risk_out):  # pragma: no cover
    """Pass 1 over rows [lo, hi): per group, [Σ r x_raw, Σ r] of non-event (slot 0) and event
    rows (slot 1), with r = w e^η; ``dead[g]`` += [1, w] per event row; ``row_terms`` +=
    [Σ_events w x_raw, Σ_events w η].

    Works on the raw covariates: η = Σ β_k s_k (x_k − m_k) = Σ (β_k s_k) x_k − Σ β_k s_k m_k, and
    the sums are centred afterwards (Σ r (x − m) s = (Σ r x − m Σ r) s), so the row loop does no
    per-element centring. With a non-empty ``col_sums`` (p + 1) it also adds [Σ w (x_k − m_k), Σ w] and
    clears ``zero_one[k]`` when column k has a value outside {−1, 0, 1} (the first half of the
    centring, done in the same read of the rows; see ``centred_null_derivatives``). With a
    non-empty ``risk_out`` (n) it stores each row's r for pass 2, which then needs neither η
    nor an exponential (~10 ms less per pass at 10⁶ rows for an 8 MB write)."""
    n, p = x.shape
    bs = beta * scale
    offset = 0.0
    for k in range(p):
        offset += bs[k] * mean[k]
    loglik = 0.0
    u_raw = np.zeros(p)  # local: the output may alias ``raw``, which would force memory round trips
    track = col_sums.shape[0] > 0
    keep = risk_out.shape[0] > 0
    col = np.zeros(p + 1)
    unit = np.ones(p, dtype=np.bool_)
    for i in range(lo, hi):
        zb = -offset
        for k in range(p):
            zb += bs[k] * x[i, k]
        wi = w[i]
        if track:
            col[p] += wi
            for k in range(p):
                v = x[i, k]
                col[k] += wi * (v - mean[k])
                if v != 0.0 and v != 1.0 and v != -1.0:
                    unit[k] = False
        r = math.exp(zb) * wi
        if keep:
            risk_out[i] = r
        g = group[i]
        slot = 1 if event[i] else 0
        raw[g, slot, p] += r  # indexed directly: a row view would cost a reference count per row
        for k in range(p):
            raw[g, slot, k] += r * x[i, k]
        if slot == 1:
            dead[g, 0] += 1.0
            dead[g, 1] += wi
            loglik += wi * zb
            for k in range(p):
                u_raw[k] += wi * x[i, k]
    row_terms[:p] += u_raw
    row_terms[p] += loglik
    if track:
        col_sums[:] = col
        zero_one[:] = unit


@njit(cache=True)
def risk_set_terms(raw, dead, row_terms, mean, scale, group_first, efron):  # pragma: no cover
    """Group stage of ``cox_derivatives``: log L, U, the risk-set part of I (lower triangle), and
    per group the pass-2 coefficients Σ_{g' ≤ g} s1 (``coef``) and s1 − s2 (``corr``)."""
    n_groups = group_first.shape[0]
    p = raw.shape[2] - 1
    a_sum = raw[:, 0, p].copy()
    e_sum = raw[:, 1, p].copy()
    b_sum = np.empty((n_groups, p))
    f_sum = np.empty((n_groups, p))
    total_dead_wt = 0.0
    for g in range(n_groups):
        total_dead_wt += dead[g, 1]
        for k in range(p):
            b_sum[g, k] = (raw[g, 0, k] - mean[k] * a_sum[g]) * scale[k]
            f_sum[g, k] = (raw[g, 1, k] - mean[k] * e_sum[g]) * scale[k]
    u = np.empty(p)
    for k in range(p):
        u[k] = (row_terms[k] - mean[k] * total_dead_wt) * scale[k]
    loglik = row_terms[p]
    imat = np.zeros((p, p))
    coef = np.zeros(n_groups)
    corr = np.zeros(n_groups)
    s0 = 0.0
    s1v = np.zeros(p)
    base1 = np.zeros(p)
    for g in range(n_groups - 1, -1, -1):
        if g == n_groups - 1 or group_first[g + 1] != group_first[g]:  # last time of a stratum
            s0 = 0.0
            s1v[:] = 0.0
        base0 = s0 + a_sum[g]  # at risk, without this time's events
        for k in range(p):
            base1[k] = s1v[k] + b_sum[g, k]
        s0 = base0 + e_sum[g]
        for k in range(p):
            s1v[k] = base1[k] + f_sum[g, k]
        n_dead = int(dead[g, 0] + 0.5)
        if n_dead == 0:
            continue
        steps = n_dead if (efron and n_dead > 1) else 1
        wtave = dead[g, 1] / steps
        s1 = 0.0
        s2 = 0.0
        c11 = 0.0
        c12 = 0.0
        c22 = 0.0
        # Σ_k log D_k as the log of products of 16 factors while that cannot overflow, and one
        # division per step: with many tied events (500 000 steps at 10⁶ rows) a log and five
        # divisions per step were most of this stage
        blocked = 1e-18 < base0 and base0 + e_sum[g] < 1e18
        log_sum = 0.0
        prod = 1.0
        for k in range(steps):
            f = (k + 1.0) / steps
            d_k = base0 + f * e_sum[g]
            if blocked:
                prod *= d_k
                if k & 15 == 15:
                    log_sum += math.log(prod)
                    prod = 1.0
            else:
                log_sum += math.log(d_k)
            t1 = wtave / d_k
            t2 = t1 / d_k
            s1 += t1
            s2 += t1 * f
            c11 += t2
            c12 += t2 * f
            c22 += t2 * f * f
        loglik -= wtave * (log_sum + math.log(prod))
        for k in range(p):
            u[k] -= s1 * base1[k] + s2 * f_sum[g, k]
            for m in range(k + 1):
                imat[k, m] -= (c11 * base1[k] * base1[m] + c22 * f_sum[g, k] * f_sum[g, m]
                               + c12 * (base1[k] * f_sum[g, m] + f_sum[g, k] * base1[m]))
        coef[g] = s1
        corr[g] = s1 - s2
    for g in range(1, n_groups):  # Σ_{g' ≤ g} s1 within the stratum
        if group_first[g] != g:
            coef[g] += coef[g - 1]
    return loglik, u, imat, coef, corr


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})  # reassociation lets the sums vectorise
def information_rows(x, mean, scale, risk, event, group, coef, corr, lo, hi, imat,
                     spread):  # pragma: no cover
    """Pass 2 over rows [lo, hi): imat (lower triangle) += Σ_j a_j x̃_j x̃_jᵀ, x̃ the centred,
    scaled covariates. Rows are handled in blocks held transposed (p × block), so that the p(p+1)/2
    sums become dot products over contiguous block rows, which vectorise; a running p × p sum
    per row would serialise on memory. ``risk`` holds each row's r = w e^η from pass 1. With a
    non-empty ``spread`` (p) it also adds Σ r |x − m|, which is Σ w |x − m| at β = 0, where it is
    used (the second half of the centring; ``centred_null_derivatives``)."""
    p = x.shape[1]
    track = spread.shape[0] > 0
    dev = np.zeros(p)
    block = 128
    xb = np.empty((p, block))
    yb = np.empty((p, block))
    ab = np.empty(block)
    wb = np.empty(block)
    for start in range(lo, hi, block):
        nb = min(block, hi - start)
        for b in range(nb):
            i = start + b
            for k in range(p):
                xb[k, b] = x[i, k]
            g = group[i]
            wb[b] = risk[i]
            ab[b] = risk[i] * (coef[g] - corr[g] if event[i] else coef[g])
        for k in range(p):  # 1-d slices: unit-stride loops numba vectorises (2-d indexing does not)
            xk = xb[k]
            mk = mean[k]
            sk = scale[k]
            yk = yb[k]
            for b in range(nb):
                v = (xk[b] - mk) * sk
                xk[b] = v
                yk[b] = ab[b] * v
            if track:
                acc = 0.0
                for b in range(nb):
                    acc += wb[b] * abs(xk[b])
                dev[k] += acc
        for k in range(p):
            yk = yb[k]
            for m in range(k + 1):
                xm = xb[m]
                acc = 0.0
                for b in range(nb):
                    acc += yk[b] * xm[b]
                imat[k, m] += acc
    if track:
        spread[:] = dev


def linear_predictor(x, beta, out):
    """out = x β for a row-major x, in row chunks on the thread pool. Why not ``x @ beta``:
    OpenBLAS runs gemv on all cores for large n and its worker threads then spin, which the
    process's CPU time counts."""
    _run(_linear_predictor_rows, [(x, beta, out, lo, hi) for lo, hi in row_chunks(x.shape[0])])


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _linear_predictor_rows(x, beta, out, lo, hi):  # pragma: no cover
    p = x.shape[1]
    for i in range(lo, hi):
        acc = 0.0
        for k in range(p):
            acc += x[i, k] * beta[k]
        out[i] = acc


def stack_columns(columns, x, bad):
    """Fill the row-major (n, p) matrix ``x`` from p float columns (a numba typed list), and
    ``bad`` per row with whether it holds a NaN or an infinite value; row chunks on the thread
    pool. The caller allocates the outputs with NumPy (huge pages; see
    ``_cox_design._numeric_block``)."""
    _run(_stack_rows, [(columns, x, bad, lo, hi) for lo, hi in row_chunks(x.shape[0], 4)])


@njit(cache=True, nogil=True)
def _stack_rows(columns, x, bad, first, last):  # pragma: no cover
    """Rows [first, last) of ``stack_columns``. Columns are read in blocks so that each row of the
    result is written once (column-by-column assignment into a row-major matrix rewrites every
    cache line p times); x·0 is NaN exactly for NaN and ±inf: a branch-free test."""
    p = len(columns)
    block = 1024
    probe = np.zeros(block)
    for lo in range(first, last, block):
        hi = min(last, lo + block)
        probe[:] = 0.0
        for j in range(p):
            col = columns[j]
            for i in range(lo, hi):
                v = col[i]
                x[i, j] = v
                probe[i - lo] += v * 0.0
        for i in range(lo, hi):
            bad[i] = probe[i - lo] != 0.0


def centred_null_derivatives(x, w, event, group, group_first, efron):
    """R's coxfit6 centring and (log L, U, I) at β = 0 in two reads of the rows instead of four.

    The centring needs two passes (weighted means, then the scale Σw / Σ w|x − x̄|; columns with
    all values in {−1, 0, 1} keep mean 0 and scale 1), and so does the derivative pass. At β = 0
    neither derivative pass needs the scale: they run on the centred, unscaled covariates
    (pass 1 on the raw ones, centred afterwards) and the results are scaled at the end, U_k·s_k
    and I_km·s_k·s_m. So pass 1 also sums the columns, and pass 2, given the means, also sums
    the absolute deviations. Returns ``(means, scale, (log L, U, I))``.
    """
    p = x.shape[1]
    zero, ones = np.zeros(p), np.ones(p)
    # column sums shifted by the first row (β = 0: the shift does not enter η), so that a constant
    # column gets exactly its value as mean, a zero spread and scale 1, as coxfit6 intends
    shift = np.ascontiguousarray(x[0], dtype=np.float64)
    raw, dead, row_terms, total, zero_one = _pass1(x, shift, ones, w, event, group, zero, group_first.shape[0],
                                                   risk_out=None, columns=True)
    means = np.where(zero_one, 0.0, shift + total[:p] / total[p])
    loglik, u, imat, coef, corr = risk_set_terms(raw, dead, row_terms, means, ones, group_first, efron)
    part, spread_sum = _pass2(x, means, ones, w, event, group, coef, corr, spread=True)  # β = 0: r = w
    scale = np.ones(p)
    use = ~zero_one & (spread_sum > 0)  # constant column: scale 1 (coxfit6)
    scale[use] = total[p] / spread_sum[use]
    info = _symmetric(imat + part) * np.outer(scale, scale)
    return means, scale, (loglik, u * scale, info)


@njit(cache=True)
def _add(tree, i, value):
    i += 1
    size = tree.shape[0]
    while i < size:
        tree[i] += value
        i += i & (-i)


@njit(cache=True)
def _prefix(tree, i):
    """Sum over leaves 0 .. i−1."""
    total = 0.0
    while i > 0:
        total += tree[i]
        i -= i & (-i)
    return total


@njit(cache=True)
def _upto(tree, i, n_groups, total):
    """``_prefix(tree, i)`` of the risk tree, skipping the walk when i covers every time (the
    usual unstratified case: the event's risk set runs to the last time): the running total."""
    return total if i >= 2 * n_groups else _prefix(tree, i)


@njit(cache=True)
def _from(tree, first):
    """Prefix up to a stratum's first group: 0 without a walk for the first stratum."""
    return 0.0 if first == 0 else _prefix(tree, first)


@njit(cache=True)
def packed_score_keys(score, index_bits, keys):  # pragma: no cover
    """Order-preserving unsigned keys of the float scores with the row index in the low bits.

    Why: ``numpy.argsort`` of 10⁶ floats costs ~55 ms (CPU), but ``numpy.sort`` of 10⁶ 64-bit
    integers is SIMD-accelerated (~18 ms); sorting these packed keys yields the row order directly
    (``key & (2**index_bits − 1)``). The IEEE bits of a float are made monotone (negative: all bits
    flipped; positive: sign bit set), then the low ``index_bits`` bits of the mantissa are replaced
    by the row index. Scores differing only in those bits may come out of order: ``score_order``
    repairs that. Equal scores (−0.0 and +0.0 included) get equal truncated keys.
    """
    n = score.shape[0]
    bits = score.view(np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    low = np.uint64(index_bits)
    for i in range(n):
        b = bits[i]
        if b == sign:  # −0.0 == +0.0: same key, so equal scores always share the truncated key
            b = np.uint64(0)
        mono = ~b if b & sign else b | sign
        keys[i] = ((mono >> low) << low) | np.uint64(i)


@njit(cache=True)
def score_order(sorted_keys, score, index_bits, order, tied_prev):  # pragma: no cover
    """Row order by increasing score from sorted packed keys (``packed_score_keys``): runs whose
    truncated keys are equal are re-sorted by the exact score (usually runs of one; long runs, e.g.
    a score with few distinct values, are already in exact order or are sorted by ``argsort``).
    Fills ``order`` and, per position, ``tied_prev``: whether its score equals the previous one's
    (outputs allocated by the caller with NumPy, for huge pages)."""
    n = sorted_keys.shape[0]
    low = np.uint64(index_bits)
    mask = (np.uint64(1) << low) - np.uint64(1)
    for i in range(n):
        order[i] = np.int64(sorted_keys[i] & mask)
    start = 0
    while start < n:
        stop = start + 1
        high = sorted_keys[start] >> low
        while stop < n and (sorted_keys[stop] >> low) == high:
            stop += 1
        if stop - start > 1:
            in_order = True
            for i in range(start + 1, stop):
                if score[order[i]] < score[order[i - 1]]:
                    in_order = False
                    break
            if not in_order:
                run = order[start:stop].copy()
                by = np.argsort(score[run], kind="mergesort")
                for i in range(stop - start):
                    order[start + i] = run[by[i]]
        start = stop
    # equal scores can only share the truncated key, so the comparison is needed only in runs
    if n:
        tied_prev[0] = False
    for i in range(1, n):
        tied_prev[i] = False
        if (sorted_keys[i] >> low) == (sorted_keys[i - 1] >> low):
            tied_prev[i] = score[order[i]] == score[order[i - 1]]


def concordance_counts(order, tied_prev, code_rows, w_rows, group_first, group_after, terms):
    """Pair counts and per-row influence terms; rows are visited in ``order`` (increasing score).

    ``tied_prev[i]``: the i-th row in score order has the same score as the one before it (from
    ``score_order``); ``code_rows`` = 2·group + event per row (caller's order); ``w_rows`` the
    weights, or an empty array for unit weights. Returns ``counts`` (concordant, discordant, tied
    on score) and fills ``terms`` (n, 2) in score order: row i's w_i (c_i − d_i) and
    w_i (c_i + d_i + t_i), with c_i, d_i, t_i its weighted concordant, discordant and score-tied
    partners in both roles (see :mod:`.concordance` for the SE); ``terms`` is allocated by the
    caller with NumPy, for huge pages.

    The sweep in score order is split into contiguous chunks at boundaries between blocks of
    equal scores, one per thread (``row_chunks``): a chunk starts from the trees as they stand
    after every lower score has been inserted, which it builds itself from the counts of the
    earlier rows in O(n + G) (a Fenwick tree can be built from its leaves in linear time), so the
    chunks are independent and give the same counts as one sweep, up to rounding.
    """
    n = order.shape[0]
    code, risk_cum, dead_cum = _score_order_codes(order, code_rows, w_rows, group_first.shape[0])
    edges = [lo for lo, _ in row_chunks(n)] + [n]
    starts = [0]
    for lo in edges[1:-1]:  # move each split forward to the start of a block of equal scores
        tail = tied_prev[lo:]
        at = lo + int(np.argmin(tail)) if tail.size and not tail.all() else n
        if starts[-1] < at < n:
            starts.append(at)
    bounds = list(zip(starts, starts[1:] + [n]))
    counts = np.zeros((len(bounds), 3))
    _run(_concordance_sweep, [(order, tied_prev, code, w_rows, group_first, group_after, risk_cum,
                               dead_cum, lo, hi, terms, counts[c]) for c, (lo, hi) in enumerate(bounds)])
    return counts.sum(axis=0)


@njit(cache=True)
def _score_order_codes(order, code_rows, w_rows, n_groups):  # pragma: no cover
    """The packed codes in score order, and static totals by risk-tree position and dead group
    (all rows, order irrelevant) for the "above" counts."""
    n = order.shape[0]
    weighted = w_rows.shape[0] > 0
    code = np.empty(n, dtype=np.int32)
    for i in range(n):  # one tight gather loop: its independent loads overlap
        code[i] = code_rows[order[i]]
    risk_cum = np.zeros(2 * n_groups + 1)
    dead_cum = np.zeros(n_groups + 1)
    for r in range(n):
        g = code_rows[r] >> 1
        ev = code_rows[r] & 1
        wr = w_rows[r] if weighted else 1.0
        risk_cum[2 * g + (1 - ev) + 1] += wr
        if ev:
            dead_cum[g + 1] += wr
    for i in range(2 * n_groups):
        risk_cum[i + 1] += risk_cum[i]
    for i in range(n_groups):
        dead_cum[i + 1] += dead_cum[i]
    return code, risk_cum, dead_cum


@njit(cache=True)
def _build_tree(tree):  # pragma: no cover
    """Turn leaf values (leaf i at index i + 1) into a Fenwick tree in place, O(size)."""
    size = tree.shape[0]
    for i in range(1, size):
        parent = i + (i & (-i))
        if parent < size:
            tree[parent] += tree[i]


@njit(cache=True, nogil=True)
def _concordance_sweep(order, tied_prev, code, w_rows, group_first, group_after, risk_cum,
                       dead_cum, first, last, terms, counts):  # pragma: no cover
    """Score-order positions [first, last) of ``concordance_counts`` (``first`` starts a block of
    equal scores); adds to ``counts`` and writes ``terms[first:last]``."""
    weighted = w_rows.shape[0] > 0
    n_groups = group_first.shape[0]
    risk = np.zeros(2 * n_groups + 1)
    dead = np.zeros(n_groups + 1)
    risk_total = 0.0  # Σ w inserted so far: the prefix over every position (see ``_upto``)
    for i in range(first):  # the rows with lower scores, inserted before this chunk
        g = code[i] >> 1
        ev = code[i] & 1
        wr = w_rows[order[i]] if weighted else 1.0
        risk[2 * g + (1 - ev) + 1] += wr
        risk_total += wr
        if ev:
            dead[g + 1] += wr
    _build_tree(risk)
    _build_tree(dead)
    before = np.empty((16, 2))  # per block of equal scores; grown when a block is longer
    start = first
    while start < last:
        stop = start + 1
        while stop < last and tied_prev[stop]:
            stop += 1
        tied_block = stop - start > 1
        if stop - start > before.shape[0]:
            before = np.empty((stop - start, 2))
        for i in range(start, stop):  # queries before the block enters: strictly lower scores
            g = code[i] >> 1
            ev = code[i] & 1
            if ev:
                before[i - start, 0] = (_upto(risk, 2 * group_after[g], n_groups, risk_total)
                                        - _prefix(risk, 2 * g + 1))
            before[i - start, 1] = _prefix(dead, g if ev else g + 1) - _from(dead, group_first[g])
        for i in range(start, stop):
            g = code[i] >> 1
            ev = code[i] & 1
            wr = w_rows[order[i]] if weighted else 1.0
            _add(risk, 2 * g + (1 - ev), wr)
            risk_total += wr
            if ev:
                _add(dead, g, wr)
        for i in range(start, stop):
            g = code[i] >> 1
            ev = code[i] & 1
            wr = w_rows[order[i]] if weighted else 1.0
            conc = 0.0
            disc = 0.0
            same = 0.0
            if ev:  # i as the event: partners at risk with lower / higher / equal score
                lo = 2 * g + 1
                hi = 2 * group_after[g]
                below = before[i - start, 0]
                eq = _upto(risk, hi, n_groups, risk_total) - _prefix(risk, lo) - below if tied_block else 0.0
                above = risk_cum[hi] - risk_cum[lo] - below - eq
                counts[0] += wr * below
                counts[1] += wr * above
                counts[2] += wr * eq
                conc += below
                disc += above
                same += eq
            hi = g if ev else g + 1  # i at risk: earlier events with higher score concord
            below = before[i - start, 1]
            eq = _prefix(dead, hi) - _from(dead, group_first[g]) - below if tied_block else 0.0
            conc += dead_cum[hi] - dead_cum[group_first[g]] - below - eq
            disc += below
            same += eq
            terms[i, 0] = wr * (conc - disc)
            terms[i, 1] = wr * (conc + disc + same)
        start = stop
