"""Tests of Harrell's C and its infinitesimal-jackknife SE (R's concordance / summary(coxph))."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oncocohort.stats.concordance as cc
from oncocohort.errors import InputError
from oncocohort.stats.concordance import concordance_index

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


def naive(time, event, score, weights, strata):
    """Direct O(n²) definition: pair weights, per-row partner counts, IJ variance (module docs)."""
    n = len(time)
    counts = np.zeros(3)
    infl = np.zeros((n, 3))
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            if strata[i] != strata[j] or j == i:
                continue
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                k = 0 if score[i] > score[j] else 1 if score[i] < score[j] else 2
                counts[k] += weights[i] * weights[j]
                infl[i, k] += weights[j]
                infl[j, k] += weights[i]
    npair = counts.sum()
    d = (counts[0] - counts[1]) / npair
    dfbeta = weights * ((infl[:, 0] - infl[:, 1]) - infl.sum(axis=1) * d) / (2 * npair)
    return (d + 1) / 2, np.sqrt((dfbeta**2).sum()), counts


@pytest.mark.parametrize(("compiled", "threads"), [(False, 1), (True, 1), (True, 3), (True, 7)])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_naive_definition_with_ties_strata_weights(compiled: bool, threads: int, weighted: bool,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Also with the compiled sweep split into chunks (threads): each chunk rebuilds the trees of
    the lower scores, and splits land only between blocks of equal scores."""
    from oncocohort.stats import _cox_kernels as kern
    monkeypatch.setattr(cc, "NUMPY_MAX_ROWS", 0 if compiled else 10**9)
    monkeypatch.setenv("ONCOCOHORT_THREADS", str(threads))
    monkeypatch.setattr(kern, "PARALLEL_MIN_ROWS", 1)
    rng = np.random.default_rng(11)
    n = 80
    time = rng.integers(1, 15, n).astype(float)
    event = rng.random(n) < 0.6
    score = np.round(rng.normal(size=n), 1)  # ties in the score
    weights = rng.integers(1, 4, n).astype(float) * 0.5 if weighted else np.ones(n)
    strata = rng.integers(0, 3, n)
    c, se, counts = naive(time, event, score, weights, strata)
    res = concordance_index(time, event, score, strata=strata, weights=weights if weighted else None)
    assert res.c == pytest.approx(c, rel=1e-12)
    assert res.se == pytest.approx(se, rel=1e-10)
    np.testing.assert_allclose([res.concordant, res.discordant, res.tied_risk], counts, rtol=1e-12)


def test_lung_cox_linear_predictor_reproduces_summary_coxph() -> None:
    """R: summary(coxph(Surv(time, status) ~ age + sex + ph_ecog, lung))$concordance."""
    ref = json.loads((REF / "lung.json").read_text())["cox"]["multivariable"]["efron"]
    lung = pd.read_csv(REF / "lung.csv").dropna(subset=["age", "sex", "ph_ecog"])
    beta = [ref["coefficients"][k]["coef"] for k in ("age", "sex", "ph_ecog")]
    lp = lung[["age", "sex", "ph_ecog"]].to_numpy() @ beta
    res = concordance_index(lung["time"], lung["status"], lp)
    assert res.c == pytest.approx(ref["concordance"]["c"], rel=1e-10)
    assert res.se == pytest.approx(ref["concordance"]["se"], rel=1e-10)


def test_unique_clusters_equal_no_clusters_and_grouping_changes_se() -> None:
    rng = np.random.default_rng(5)
    n = 60
    time, event, score = rng.exponential(size=n), rng.random(n) < 0.7, rng.normal(size=n)
    base = concordance_index(time, event, score)
    assert concordance_index(time, event, score, cluster=np.arange(n)).se == pytest.approx(base.se, rel=1e-12)
    grouped = concordance_index(time, event, score, cluster=np.arange(n) // 3)
    assert grouped.c == base.c and grouped.se != pytest.approx(base.se)


def test_perfect_and_reversed_scores() -> None:
    time = np.arange(1.0, 9.0)
    event = np.ones(8, dtype=bool)
    assert concordance_index(time, event, -time).c == 1.0
    assert concordance_index(time, event, time).c == 0.0
    assert concordance_index(time, event, np.zeros(8)).c == 0.5


def test_no_comparable_pair_gives_nan() -> None:
    res = concordance_index([1.0, 2.0], [0, 0], [0.3, 0.1])
    assert np.isnan(res.c) and res.n_pairs == 0


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(InputError) as err:
        concordance_index([1.0, 2.0], [1, 0], [0.1])
    assert err.value.argument == "risk_score"
    with pytest.raises(InputError) as err:
        concordance_index([1.0, -2.0], [1, 2], [0.1, 0.2])
    assert err.value.argument == "event"


def test_compiled_score_order_sorts_near_ties_exactly() -> None:
    """The packed-key sort truncates the low mantissa bits: scores that differ only there
    (neighbouring floats), signed zeros and long runs of equal scores must still come out sorted."""
    from oncocohort.stats import _cox_kernels as kern
    rng = np.random.default_rng(5)
    base = np.round(rng.normal(size=3000), 1)  # few distinct values: long runs
    nudged = base + rng.integers(-3, 4, base.size) * np.spacing(np.abs(base) + 1e-300)
    score = np.concatenate([nudged, [0.0, -0.0, -1e-300, 1e-300, 5.0]])
    score = score[rng.permutation(score.size)]
    order, tied_prev = cc._score_order(score, kern)
    assert np.array_equal(np.sort(order), np.arange(score.size))
    assert np.all(np.diff(score[order]) >= 0)
    np.testing.assert_array_equal(tied_prev[1:], np.diff(score[order]) == 0)
