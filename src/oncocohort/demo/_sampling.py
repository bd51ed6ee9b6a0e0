"""Vectorised sampling helpers shared by the demo generators (no global RNG: every function takes a
NumPy :class:`~numpy.random.Generator`).

Exact counts come from permuting a fixed multiset of labels, so a published count holds for every
seed; only *which* patient carries which label is random. Continuous draws use stratified
(Latin-hypercube) uniforms within a group, a standard variance-reduction device: each of the ``m``
patients of a group gets one uniform from each stratum ``[k/m, (k+1)/m)``, so the empirical
distribution of the group's draws stays close to the model distribution for every seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def exact_labels(rng: np.random.Generator, counts: Sequence[int] | npt.NDArray[np.integer], labels: Sequence[str]) -> npt.NDArray[np.object_]:
    """A random arrangement of ``labels`` repeated ``counts`` times (the counts hold exactly)."""
    values = np.repeat(np.asarray(labels, dtype=object), np.asarray(counts, dtype=np.int64))
    return values[rng.permutation(values.size)]


def counts_from_proportions(n: int, proportions: Sequence[float]) -> IntArray:
    """Largest-remainder rounding of ``n * proportions`` to integers summing to ``n``."""
    p = np.asarray(proportions, dtype=float)
    raw = n * p / p.sum()
    out = np.floor(raw).astype(np.int64)
    short = n - int(out.sum())
    if short:
        out[np.argsort(raw - out, kind="stable")[::-1][:short]] += 1
    return out


def stratified_uniform(rng: np.random.Generator, groups: npt.ArrayLike) -> FloatArray:
    """One uniform per element, stratified within each group (Latin-hypercube sampling in 1-D).

    Within a group of size m the values are ``(pi_k + v_k) / m`` with ``pi`` a random permutation of
    0..m-1 and ``v_k`` ~ U(0, 1): marginally U(0, 1), jointly spread over the unit interval.
    """
    g = np.asarray(groups)
    n = g.size
    order = np.lexsort((rng.random(n), g))
    gs = g[order]
    starts = np.r_[0, np.flatnonzero(gs[1:] != gs[:-1]) + 1]
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes)
    u = np.empty(n)
    u[order] = (rank + rng.random(n)) / np.repeat(sizes, sizes)
    return u


def weighted_pick(rng: np.random.Generator, weights: FloatArray, k: int, eligible: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Exactly ``k`` elements among ``eligible`` drawn without replacement with probability ∝ ``weights``.

    Efraimidis & Spirakis (2006) keys ``log(u) / w``: the k largest keys are a weighted sample
    without replacement. Raises ValueError when fewer than k elements are eligible.
    """
    if k > int(eligible.sum()):
        raise ValueError(f"cannot pick {k} of {int(eligible.sum())} eligible elements")
    keys = np.full(weights.size, -np.inf)
    w = np.clip(weights[eligible], 1e-12, None)
    keys[eligible] = np.log(rng.random(w.size)) / w
    out = np.zeros(weights.size, dtype=bool)
    if k:
        out[np.argpartition(-keys, k - 1)[:k]] = True  # the k largest keys, in O(n)
    return out


def pick_within_groups(rng: np.random.Generator, groups: npt.ArrayLike, k_per_group: dict, eligible: npt.NDArray[np.bool_],
                       weights: FloatArray | None = None) -> npt.NDArray[np.bool_]:
    """Exactly ``k_per_group[g]`` eligible elements of each group ``g`` (weighted when ``weights``)."""
    g = np.asarray(groups)
    w = np.ones(g.size) if weights is None else weights
    out = np.zeros(g.size, dtype=bool)
    for level, k in k_per_group.items():  # loop over groups (arms), not over patients
        out |= weighted_pick(rng, w, int(k), eligible & (g == level))
    return out


def log_uniform(rng: np.random.Generator, low: npt.ArrayLike, high: npt.ArrayLike, size: int) -> FloatArray:
    """Draws uniform on the log scale between ``low`` and ``high``."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def synthetic_ids(prefix: str, n: int, width: int) -> npt.NDArray[np.object_]:
    """``prefix`` + zero-padded 1..n (e.g. SYN-L0000001), built from digit arithmetic (fast for 10⁶)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((np.arange(1, n + 1, dtype=np.int64)[:, None] // powers) % 10 + ord("0")).astype(np.uint8)
    head = np.broadcast_to(np.frombuffer(prefix.encode("ascii"), dtype=np.uint8), (n, len(prefix)))
    raw = np.ascontiguousarray(np.hstack([head, digits])).view(f"S{len(prefix) + width}").ravel()
    return raw.astype(f"U{len(prefix) + width}").astype(object)


def append_rows(main: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """``main`` then ``extra`` (new index). Columns of ``extra`` that are all missing and present in
    ``main`` are left out before concatenating, so they take ``main``'s dtype: what pandas did
    implicitly until it deprecated that (FutureWarning), kept so the bundled data stay the same."""
    empty = [c for c in extra.columns if c in main.columns and extra[c].isna().all()]
    return pd.concat([main, extra.drop(columns=empty)], ignore_index=True)


def ids_in_screening_order(rng: np.random.Generator, tables: dict[str, pd.DataFrame], *, unallocated_start: Any,
                           prefix: str, order_by: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Replace ``patient_id`` in every table by ``<prefix>001…`` in screening order: treatment start,
    with ties and never-allocated patients (start set to ``unallocated_start``) in random order. Each
    table is then sorted by patient and by the first column of ``order_by`` it has."""
    p = tables["patients"]
    key = p["treatment_start_date"].fillna(pd.Timestamp(unallocated_start)).to_numpy()
    order = np.lexsort((rng.random(len(p)), key))
    new_id = np.empty(len(p), dtype=object)
    new_id[order] = [f"{prefix}{i + 1:03d}" for i in range(len(p))]
    mapping = dict(zip(p["patient_id"], new_id, strict=True))
    out = {}
    for name, t in tables.items():
        t = t.assign(patient_id=t["patient_id"].map(mapping))
        sort = ["patient_id"] + [c for c in order_by if c in t.columns][:1]
        out[name] = t.sort_values(sort, kind="stable").reset_index(drop=True)
    return out
