"""Tests of oncocohort.stats.cox.cox_ph against R (survival 3.5-3) and hand computations.

Reference blocks: tests/data/reference/<dataset>.json (README there lists the R calls). Extra R
values below were produced with R 4.2.2 / survival 3.5-3; each test shows its R call.
"""

from __future__ import annotations

import json
import os
import time as time_module
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import oncocohort.stats._cox_design as cox_design
import oncocohort.stats._cox_fit as kf
import oncocohort.stats.concordance as cc
from oncocohort.errors import ConvergenceWarning, InputError, StatisticalWarning
from oncocohort.stats.cox import cox_ph
from tests.stats.reference_cox import compare_cox

REF = Path(__file__).resolve().parents[1] / "data" / "reference"
DATASETS = ["lung", "veteran", "ovarian", "aml"]


def leaf_paths(node: Any, path: str) -> set[str]:
    """Leaves as the comparers define them: scalar, null or list of scalars (lists of lists entered)."""
    if isinstance(node, dict):
        return set().union(*(leaf_paths(v, f"{path}/{k}") for k, v in node.items())) if node else {path}
    if isinstance(node, list) and any(isinstance(v, (list, dict)) for v in node):
        return set().union(*(leaf_paths(v, f"{path}/{i}") for i, v in enumerate(node)))
    return {path}


def load(name: str) -> tuple[dict[str, Any], pd.DataFrame]:
    return json.loads((REF / f"{name}.json").read_text()), pd.read_csv(REF / f"{name}.csv")


@pytest.mark.parametrize("name", DATASETS)
def test_every_cox_reference_leaf_matches_r(name: str) -> None:
    ref, data = load(name)
    status = compare_cox(name, ref["cox"], data)
    assert set(status) == leaf_paths(ref["cox"], "cox")
    excluded = {k: v for k, v in status.items() if v != "compared"}
    assert all(v.startswith("excluded: ") for v in excluded.values())
    # only the R call strings and the model inputs are excluded; every number is compared
    assert all(k.endswith(("/call", "/rhs", "/weights")) for k in excluded)


@pytest.mark.parametrize(("row_major", "threads"), [(False, 1), (True, 1), (True, 3)])
@pytest.mark.parametrize("name", ["lung", "veteran"])
def test_compiled_kernels_reproduce_r_too(name: str, row_major: bool, threads: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The numba paths used for large n (column- or row-major design matrix, compiled centring and
    column stacking, row passes split over threads) give the same R-matching numbers as the NumPy
    paths."""
    from oncocohort.stats import _cox_kernels as kern
    monkeypatch.setenv("ONCOCOHORT_THREADS", str(threads))
    monkeypatch.setattr(kern, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(kf, "COMPILED_MIN_ROWS", 0)
    monkeypatch.setattr(cc, "NUMPY_MAX_ROWS", 0)
    if row_major:
        monkeypatch.setattr(cox_design, "ROW_MAJOR_MIN_ROWS", 0)
    ref, data = load(name)
    status = compare_cox(name, {"multivariable": ref["cox"]["multivariable"],
                                "stratified": ref["cox"]["stratified"],
                                "weighted": ref["cox"]["weighted"]}, data)
    assert sum(v == "compared" for v in status.values()) > 200


def test_threaded_row_passes_equal_one_pass_with_ties_strata_and_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    """Splitting both row passes into chunks (pass 1 splits only when groups are few, i.e. tied
    times) changes only the order of the additions: log L, U and I agree to rounding."""
    from oncocohort.stats import _cox_kernels as kern
    rng = np.random.default_rng(7)
    n, p = 5_000, 4
    x = np.ascontiguousarray(rng.normal(size=(n, p)))
    time = np.ceil(rng.exponential(4.0, n))  # ~30 distinct weeks per stratum: heavy ties
    event = rng.random(n) < 0.6
    weights = rng.uniform(0.5, 2.0, n)
    stratum = rng.integers(0, 2, n)
    rs = kf.build_risk_sets(time, event, x, weights, stratum)
    means, scale = kf.centring(x, weights)
    beta = np.array([0.3, -0.2, 0.1, 0.05])
    args = (x, means, scale, weights, event, rs.row_group, rs.group_first, beta, True)
    monkeypatch.setenv("ONCOCOHORT_THREADS", "1")
    one = kern.cox_derivatives(*args)
    monkeypatch.setenv("ONCOCOHORT_THREADS", "3")
    monkeypatch.setattr(kern, "PARALLEL_MIN_ROWS", 400)
    assert len(kern.row_chunks(n)) == 3 and len(kern.row_chunks(n, 4)) == 12
    assert len(kern.pass1_chunks(n, rs.group_first.shape[0])) == 12  # few groups: pass 1 split too
    assert len(kern.pass1_chunks(n, n // 2)) == 1  # many distinct times: one chunk for pass 1
    three = kern.cox_derivatives(*args)
    assert three[0] == pytest.approx(one[0], rel=1e-13)
    np.testing.assert_allclose(three[1], one[1], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(three[2], one[2], rtol=1e-12)
    np.testing.assert_array_equal(three[2], three[2].T)
    # and both are the NumPy path's derivatives (sorted rows, reduceat sums)
    numpy_path = kf.derivative_function(rs, "efron", means, scale, compiled=False)(beta)
    assert numpy_path.loglik == pytest.approx(one[0], rel=1e-12)
    np.testing.assert_allclose(numpy_path.information, three[2], rtol=1e-10)


@pytest.mark.parametrize("threads", [1, 3])
def test_centring_fused_into_the_null_derivatives_equals_separate_steps(threads: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Large fits compute coxfit6's centring inside the two row passes at β = 0 (on unscaled
    covariates, scaled afterwards): same means, scales and log L, U, I as centring first and then
    the NumPy derivatives, with 0/1, −1/0/1 and constant columns, weights and strata."""
    from oncocohort.stats import _cox_kernels as kern
    monkeypatch.setenv("ONCOCOHORT_THREADS", str(threads))
    monkeypatch.setattr(kern, "PARALLEL_MIN_ROWS", 500)
    rng = np.random.default_rng(3)
    n = 4_000
    x = np.ascontiguousarray(np.column_stack([
        rng.normal(2.0, 3.0, n), rng.integers(0, 2, n), rng.integers(-1, 2, n), np.full(n, 5.0),
        rng.exponential(1.0, n)]).astype(float))
    time = np.ceil(rng.exponential(20.0, n))
    event = rng.random(n) < 0.5
    weights = rng.uniform(0.5, 3.0, n)
    rs = kf.build_risk_sets(time, event, x, weights, rng.integers(0, 3, n))
    means, scale, (ll, u, info) = kern.centred_null_derivatives(x, weights, event, rs.row_group,
                                                                rs.group_first, True)
    ref_means, ref_scale = kf.centring(x, weights)
    np.testing.assert_allclose(means, ref_means, rtol=1e-12)
    np.testing.assert_allclose(scale, ref_scale, rtol=1e-12)
    assert means[1] == means[2] == 0.0 and scale[1] == scale[2] == scale[3] == 1.0
    ref = kf.derivative_function(rs, "efron", ref_means, ref_scale, compiled=False)(np.zeros(5))
    assert ll == pytest.approx(ref.loglik, rel=1e-12)
    np.testing.assert_allclose(u, ref.score, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(info, ref.information, rtol=1e-9, atol=1e-9)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_thread_pool_works_in_a_forked_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report forks a figure worker; a child that inherited the pool object without its
    threads would wait forever on its first chunked pass."""
    from oncocohort.stats import _cox_kernels as kern
    monkeypatch.setenv("ONCOCOHORT_THREADS", "2")
    monkeypatch.setattr(kern, "PARALLEL_MIN_ROWS", 10)
    x = np.ascontiguousarray(np.random.default_rng(0).random((1000, 3)))
    parent = np.empty(1000)
    kern.linear_predictor(x, np.array([1.0, -2.0, 0.5]), parent)  # starts the pool here
    pid = os.fork()
    if pid == 0:  # child: same computation, then exit 0 when it matches
        child = np.empty(1000)
        kern.linear_predictor(x, np.array([1.0, -2.0, 0.5]), child)
        os._exit(0 if np.array_equal(child, parent) else 1)
    deadline = time_module.monotonic() + 30
    while time_module.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time_module.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung on the thread pool")


def _two_groups() -> pd.DataFrame:
    return pd.DataFrame({"time": [3, 5, 7, 2, 8, 11, 4, 9, 6, 10], "status": [1, 0, 1, 1, 1, 0, 1, 1, 0, 1],
                         "g": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]})


def test_score_test_of_binary_covariate_without_ties_is_the_logrank_test() -> None:
    """R: coxph(Surv(time, status) ~ g)$score == survdiff(...)$chisq == 3.5581605950232738."""
    d = _two_groups()
    fit = cox_ph(d, "time", "status", "g")
    # hand log-rank: O − E and its hypergeometric variance over the (untied) event times
    t, e, g = d["time"].to_numpy(), d["status"].to_numpy(), d["g"].to_numpy()
    o_e = var = 0.0
    for ti in np.sort(t[e == 1]):
        at_risk = t >= ti
        n, n1 = at_risk.sum(), (at_risk & (g == 1)).sum()
        o_e += float(((t == ti) & (e == 1) & (g == 1)).sum()) - n1 / n
        var += n1 * (n - n1) / n**2
    assert fit.tests["score"].statistic == pytest.approx(o_e**2 / var, rel=1e-12)
    assert fit.tests["score"].statistic == pytest.approx(3.5581605950232738, rel=1e-12)
    # log L(0) = −Σ log n_i over the event times (no ties), by hand
    n_at_risk = [(t >= ti).sum() for ti in t[e == 1]]
    assert fit.loglik_null == pytest.approx(-np.log(n_at_risk).sum(), rel=1e-13)


def test_params_columns_and_their_relations() -> None:
    fit = cox_ph(_two_groups(), "time", "status", ["g"])
    row = fit.params.loc["g"]
    assert list(fit.params.columns) == ["coef", "hr", "se", "z", "p", "hr_lower", "hr_upper"]
    assert row["hr"] == pytest.approx(np.exp(row["coef"]))
    assert row["z"] == pytest.approx(row["coef"] / row["se"])
    assert row["hr_lower"] == pytest.approx(np.exp(row["coef"] - 1.959963984540054 * row["se"]))
    assert fit.summary().columns[1] == "exp(coef)"
    assert fit.n == 10 and fit.n_events == 7 and fit.n_dropped == 0 and fit.converged


TIES = pd.DataFrame({
    "time": [1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 6, 6, 6, 7, 8, 8, 9, 10],
    "status": [1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    "x": [0.5, 1.2, -0.3, 0.8, 0, 1.5, -1, 0.2, 0.7, -0.5, 1.1, 0.3, -0.2, 0.9, 0.4, -0.8, 0.6, 1.3, -0.1, 0.05],
    "g": [1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0],
    "w": [0.5, 1.5, 2, 1, 0.25, 1, 3, 0.75, 1, 1, 2.5, 1, 0.5, 1, 1, 2, 1, 0.5, 1.5, 1]})

# R: f <- coxph(Surv(time, status) ~ x + g, data = TIES, ties = ties, weights = w)
# (non-integer weights: R's default is robust = TRUE); coef, naive se, robust se, loglik, score,
# wald (robust), rscore, concordance + se, iter, cox.zph(f)$table[, 1], basehaz(f, centered = FALSE)
R_TIES = {
    "efron": dict(coef=[0.8775969634024503, -0.34645162033796101], se=[0.40744189397878833, 0.52133859723968978],
                  robust_se=[0.32142308154347099, 0.47886786507492118], loglik=[-35.172130121976856, -32.625951753562738],
                  score=5.1064379692379926, wald=7.563842732366103, rscore=4.5610729240151411,
                  conc=[0.73724587648638285, 0.063970175384822248], iter=4,
                  zph=[2.8783173802460533, 0.021016678914498734, 2.8783503673377977],
                  bh=[0.068556268880752391, 0.1214273936376891, 0.25661842646706828, 0.25661842646706828,
                      0.519007329356171, 0.69354317827705136, 1.0401799371521527, 1.1448126735438222,
                      1.8886684844940886, 1.8886684844940886]),
    "breslow": dict(coef=[0.82828923137406785, -0.33593507875926987], se=[0.40740492245093629, 0.52198086344539696],
                    robust_se=[0.29803866158504838, 0.45432586525565199], loglik=[-35.719930558113234, -33.446439717947605],
                    score=4.5407672060185238, wald=7.8930617929407711, rscore=4.611407544297454,
                    conc=[0.72957422324510934, 0.065930028046437827], iter=4,
                    zph=[2.741540702988948, 0.011299235325521564, 2.7427740164329402],
                    bh=[0.06763375349775809, 0.12101245056046588, 0.24685597999240133, 0.24685597999240133,
                        0.48609372789096333, 0.65455592671560026, 1.0052860549637568, 1.1123202595399635,
                        1.8515740420444255, 1.8515740420444255])}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_heavy_ties_and_fractional_weights_match_r(ties: str) -> None:
    r = R_TIES[ties]
    fit = cox_ph(TIES, "time", "status", ["x", "g"], ties=ties, weights="w")
    assert fit.robust  # R's default for non-integer weights
    np.testing.assert_allclose(fit.params["coef"], r["coef"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.params["se"], r["se"], rtol=1e-6)
    np.testing.assert_allclose(fit.params["robust_se"], r["robust_se"], rtol=1e-6)
    np.testing.assert_allclose([fit.loglik_null, fit.loglik], r["loglik"], rtol=1e-10)
    assert fit.tests["score"].statistic == pytest.approx(r["score"], rel=1e-8)
    assert fit.tests["wald"].statistic == pytest.approx(r["wald"], rel=1e-6)
    assert fit.tests["robust_score"].statistic == pytest.approx(r["rscore"], rel=1e-8)
    np.testing.assert_allclose([fit.concordance.c, fit.concordance.se], r["conc"], rtol=1e-10)
    assert fit.iterations == r["iter"]
    np.testing.assert_allclose(fit.ph_test().table["chisq"], r["zph"], rtol=1e-6)
    np.testing.assert_allclose(fit.baseline_hazard()["hazard"], r["bh"], rtol=1e-6)


def test_group_without_events_is_flagged_infinite_with_warning() -> None:
    """R: coxph(Surv(time, status) ~ g2 + x) warns 'Loglik converged before variable 1;
    coefficient may be infinite'; loglik = (-9.9804485936722571, -5.3492063143345749),
    score = 7.4800552940827654, iter = 20, coef x = -0.37806135444802458."""
    d = pd.DataFrame({"time": [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "status": [1, 1, 1, 0, 1, 1, 0, 0, 0, 0],
                      "g2": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1], "x": [1, 2, 1, 3, 2, 1, 2, 3, 1, 2]})
    with pytest.warns(ConvergenceWarning, match="may be infinite"):
        fit = cox_ph(d, "time", "status", ["g2", "x"])
    assert fit.infinite_terms == ("g2",)
    assert fit.params.loc["g2", "coef"] == -np.inf and fit.params.loc["g2", "hr"] == 0.0
    assert np.isnan(fit.params.loc["g2", "se"]) and np.isnan(fit.tests["wald"].statistic)
    assert fit.loglik == pytest.approx(-5.3492063143345749, rel=1e-6)
    assert fit.tests["likelihood_ratio"].statistic == pytest.approx(2 * (-5.3492063143345749 + 9.9804485936722571), rel=1e-6)
    assert fit.tests["score"].statistic == pytest.approx(7.4800552940827654, rel=1e-10)
    assert fit.params.loc["x", "coef"] == pytest.approx(-0.37806135444802458, rel=1e-5)
    assert fit.iterations == 20
    assert any("may be infinite" in w for w in fit.warnings)


def test_single_event_runs_out_of_iterations_and_is_flagged() -> None:
    """R: coxph(Surv(time, status) ~ x) with one event at the highest x: 'Ran out of iterations
    and did not converge', iter 21, loglik[1] = -1.3862943611198906, score 2.7931034482758621."""
    d = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "status": [0, 0, 1, 0, 0, 0], "x": [0.1, 0.5, 0.9, 0.2, 0.4, 0.3]})
    with pytest.warns(ConvergenceWarning):
        fit = cox_ph(d, "time", "status", "x")
    assert not fit.converged and fit.iterations == 21
    assert fit.params.loc["x", "coef"] == np.inf  # never a silent huge number (R reports 42.9)
    assert fit.loglik_null == pytest.approx(-1.3862943611198906, rel=1e-12)  # = −log 4, by hand
    assert fit.tests["score"].statistic == pytest.approx(2.7931034482758621, rel=1e-12)
    assert fit.concordance.c == 1.0


def test_constant_covariate_is_not_estimable() -> None:
    """R: coxph(Surv(time, status) ~ karno + one, veteran) gives coef one = NA, karno = -0.03342374591014817."""
    _, v = load("veteran")
    v = v.assign(one=1.0)
    with pytest.warns(StatisticalWarning, match="singular"):
        fit = cox_ph(v, "time", "status", ["karno", "one"])
    assert np.isnan(fit.params.loc["one", "coef"])
    assert fit.params.loc["karno", "coef"] == pytest.approx(-0.03342374591014817, rel=1e-6)
    assert fit.tests["likelihood_ratio"].df == 1


def test_categorical_covariate_with_reference_matches_r() -> None:
    """R: v$ct <- relevel(factor(celltype names), ref = "large");
    coxph(Surv(time, status) ~ ct + karno, v); cox.zph(fit)$table[, 1] (ct tested with 3 df)."""
    _, v = load("veteran")
    v["ct"] = np.array(["squamous", "smallcell", "adeno", "large"])[v["celltype"] - 1]
    fit = cox_ph(v, "time", "status", ["ct", "karno"], reference={"ct": "large"})
    assert list(fit.params.index) == ["ct[adeno]", "ct[smallcell]", "ct[squamous]", "karno"]
    np.testing.assert_allclose(fit.params["coef"], [0.83208836510460527, 0.38968950069784108,
                                                    -0.32564490168104476, -0.031056631730318581], rtol=1e-6)
    np.testing.assert_allclose(fit.params["se"], [0.29341471035142586, 0.26095847052886745,
                                                  0.27667957485884587, 0.0051771763871181035], rtol=1e-6)
    table = fit.ph_test().table
    assert list(table.index) == ["ct", "karno", "GLOBAL"] and list(table["df"]) == [3, 1, 4]
    np.testing.assert_allclose(table["chisq"], [14.066232056973934, 14.415753774177587, 23.649865574077019], rtol=1e-6)
    # default reference = first level in sort order (adeno); pandas categorical keeps its own order
    assert cox_ph(v, "time", "status", ["ct"]).references["ct"] == "adeno"
    v["ct2"] = pd.Categorical(v["ct"], categories=["squamous", "smallcell", "adeno", "large"])
    assert cox_ph(v, "time", "status", ["ct2"]).params.index[0] == "ct2[smallcell]"


def test_missing_values_are_dropped_and_counted() -> None:
    _, lung = load("lung")
    fit = cox_ph(lung, "time", "status", ["age", "ph_ecog", "wt_loss"])
    expected = lung[["age", "ph_ecog", "wt_loss"]].isna().any(axis=1).sum()
    assert fit.n_dropped == expected and fit.n == len(lung) - expected
    assert fit.notes and fit.notes[0].count == expected


def test_row_order_does_not_matter() -> None:
    _, lung = load("lung")
    a = cox_ph(lung, "time", "status", ["age", "sex", "ph_ecog"], strata="inst")
    b = cox_ph(lung.sample(frac=1.0, random_state=7), "time", "status", ["age", "sex", "ph_ecog"], strata="inst")
    pd.testing.assert_frame_equal(a.params, b.params, rtol=1e-10)
    assert a.concordance.c == pytest.approx(b.concordance.c, rel=1e-12)
    assert a.concordance.se == pytest.approx(b.concordance.se, rel=1e-10)


def test_only_the_order_of_times_matters() -> None:
    """Whole-day times (grouped by counting) and rescaled float times (grouped by sorting) agree."""
    _, lung = load("lung")
    cols = ["age", "sex", "ph_ecog"]
    days = cox_ph(lung, "time", "status", cols, strata="inst")
    weeks = cox_ph(lung.assign(time=lung["time"] / 7.0 + 0.25), "time", "status", cols, strata="inst")
    pd.testing.assert_frame_equal(days.params, weeks.params, rtol=1e-10)
    assert days.concordance.se == pytest.approx(weeks.concordance.se, rel=1e-12)
    np.testing.assert_allclose(days.ph_test("rank").table["chisq"], weeks.ph_test("rank").table["chisq"], rtol=1e-9)


def test_integer_weights_equal_replicated_rows() -> None:
    """Frequency weights: coef, model-based se, log L and C equal those of the replicated data.

    Breslow only: Efron splits the d tied event *rows* of a time (R's coxfit6), so a weight-3
    event is one row there but three tied rows after replication (as in R, Efron differs).
    """
    _, lung = load("lung")
    cols = ["age", "sex", "ph_ecog"]
    weighted = cox_ph(lung, "time", "status", cols, weights="w", robust=False, ties="breslow")
    lung_c = lung.dropna(subset=cols)
    replicated = lung_c.loc[lung_c.index.repeat(lung_c["w"].astype(int))]
    plain = cox_ph(replicated, "time", "status", cols, ties="breslow")
    np.testing.assert_allclose(weighted.params["coef"], plain.params["coef"], rtol=1e-9)
    np.testing.assert_allclose(weighted.params["se"], plain.params["se"], rtol=1e-9)
    assert weighted.loglik == pytest.approx(plain.loglik, rel=1e-12)
    assert weighted.concordance.c == pytest.approx(plain.concordance.c, rel=1e-12)


def test_stratified_baseline_hazard_has_one_curve_per_stratum() -> None:
    _, lung = load("lung")
    fit = cox_ph(lung, "time", "status", ["age"], strata="sex")
    bh = fit.baseline_hazard()
    assert list(bh["strata"].cat.categories) == ["sex=1", "sex=2"]
    for _, curve in bh.groupby("strata", observed=True):
        assert curve["time"].is_monotonic_increasing and curve["hazard"].is_monotonic_increasing


def test_no_events_gives_nan_and_a_warning() -> None:
    d = _two_groups().assign(status=0)
    with pytest.warns(StatisticalWarning, match="no events"):
        fit = cox_ph(d, "time", "status", "g")
    assert np.isnan(fit.params.loc["g", "coef"]) and np.isnan(fit.concordance.c)


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"duration": "nope"}, "duration"),
    ({"covariates": ["g", "g"]}, "covariates"),
    ({"covariates": []}, "covariates"),
    ({"ties": "exact"}, "ties"),
    ({"robust": "yes"}, "robust"),
    ({"weights": "neg"}, "weights"),
    ({"cluster": "g", "robust": False}, "robust"),
    ({"covariates": ["lvl"], "reference": {"lvl": "zzz"}}, "reference"),
    ({"covariates": ["g"], "reference": {"g": 1}}, "reference"),
    ({"covariates": ["one_level"]}, "covariates"),
    ({"duration": "negtime"}, "duration"),
    ({"event": "bad_event"}, "event"),
])
def test_bad_input_names_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    d = _two_groups().assign(neg=-1.0, lvl=["a", "b"] * 5, one_level="a", negtime=-1.0, bad_event=2)
    call = {"data": d, "duration": "time", "event": "status", "covariates": ["g"], **kwargs}
    with pytest.raises(InputError) as err:
        cox_ph(**call)
    assert err.value.argument == argument


@pytest.mark.parametrize("row_major", [False, True])
def test_infinite_covariate_is_rejected(row_major: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if row_major:
        monkeypatch.setattr(cox_design, "ROW_MAJOR_MIN_ROWS", 0)
    d = _two_groups().assign(x=[0.0, 1, 2, np.inf, 4, 5, 6, 7, 8, np.nan])
    with pytest.raises(InputError) as err:
        cox_ph(d, "time", "status", ["g", "x"])
    assert err.value.argument == "covariates['x']"


def test_data_must_be_a_dataframe() -> None:
    with pytest.raises(InputError, match="data"):
        cox_ph({"time": [1]}, "time", "status", "g")  # type: ignore[arg-type]


def test_no_warning_for_regular_fit() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = cox_ph(_two_groups(), "time", "status", "g")
    assert fit.warnings == ()


def test_strata_weights_and_cluster_together_match_r() -> None:
    """R: f <- coxph(Surv(time, status) ~ age + ph_ecog + strata(sex) + cluster(inst), data = lung,
    weights = w); coef, sqrt(diag(naive.var)), sqrt(diag(var)), rscore, wald.test, score,
    concordance (clustered IJ SE), n = 226, iter = 3."""
    _, lung = load("lung")
    fit = cox_ph(lung, "time", "status", ["age", "ph_ecog"], strata="sex", weights="w", cluster="inst")
    np.testing.assert_allclose(fit.params["coef"], [0.013403075003118254, 0.55180129327377048], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.params["se"], [0.0066283952419091833, 0.083218853509133994], rtol=1e-6)
    np.testing.assert_allclose(fit.params["robust_se"], [0.0079003879391201896, 0.11212805300069605], rtol=1e-6)
    assert fit.tests["robust_score"].statistic == pytest.approx(7.1413189646022923, rel=1e-6)
    assert fit.tests["wald"].statistic == pytest.approx(24.837873762047259, rel=1e-6)
    assert fit.tests["score"].statistic == pytest.approx(55.18842867191475, rel=1e-8)
    assert fit.concordance.c == pytest.approx(0.61113646736649929, rel=1e-10)
    assert fit.concordance.se == pytest.approx(0.033517188514576468, rel=1e-8)
    assert fit.n == 226 and fit.iterations == 3
