"""Tests of oncocohort.stats.firth against an INDEPENDENT direct maximisation.

The reference below is written separately from the package: a naive loop over events with an
explicit risk-set mask (Breslow ties), l*(β) = l(β) + ½ log|I(β)|, maximised by SciPy's
Nelder–Mead (no derivatives, so the package's analytic penalised score is not reused). Profile
CI limits are checked by re-maximising the naive l* with β_j fixed at the returned limit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from oncocohort.errors import InputError
from oncocohort.stats import firth
from oncocohort.stats.firth import _penalised, _prepare, firth_cox, penalised_loglik

CHI2_95 = stats.chi2.ppf(0.95, 1)


def naive_loglik(beta, time, status, x, *, penalised=True):
    """l(β) (+ ½ log|I|) by brute force: an explicit n_events × n risk-set mask (test-only, O(n²)).

    Row i of the mask is R(t_i) = {j : t_j ≥ t_i}; with Breslow ties every tied event sees the
    full risk set. p_ij = w_j / Σ_{R(t_i)} w; I = Σ_i Σ_j p_ij (x_j − x̄_i)(x_j − x̄_i)ᵀ.
    """
    beta = np.asarray(beta, dtype=float)
    eta = x @ beta
    events = np.flatnonzero(status == 1)
    mask = time[None, :] >= time[events][:, None]
    w = mask * np.exp(eta)[None, :]
    s0 = w.sum(axis=1)
    p = w / s0[:, None]
    xbar = p @ x
    loglik = float(eta[events].sum() - np.log(s0).sum())
    if not penalised:
        return loglik
    centred = x[None, :, :] - xbar[:, None, :]
    info = np.einsum("ij,ija,ijb->ab", p, centred, centred)
    return loglik + 0.5 * np.linalg.slogdet(info)[1]


def naive_max(time, status, x, *, fixed=None, start=None):
    """max of naive l*, optionally with β_j fixed: returns (β, l*)."""
    p = x.shape[1]
    free = [k for k in range(p) if fixed is None or k != fixed[0]]

    def full(b_free):
        beta = np.zeros(p)
        beta[free] = b_free
        if fixed is not None:
            beta[fixed[0]] = fixed[1]
        return beta

    if not free:
        beta = full([])
        return beta, naive_loglik(beta, time, status, x)
    x0 = np.zeros(len(free)) if start is None else np.asarray(start)[free]
    options = {"xatol": 1e-9, "fatol": 1e-13, "maxiter": 20000, "maxfev": 20000}
    res = optimize.minimize(lambda b: -naive_loglik(full(b), time, status, x), x0, method="Nelder-Mead",
                            options=options)
    # restart once from the optimum: Nelder–Mead can stall on a collapsed simplex in 3+ dimensions
    res = optimize.minimize(lambda b: -naive_loglik(full(b), time, status, x), res.x, method="Nelder-Mead",
                            options=options)
    return full(res.x), -res.fun


def _arrays(df, cols):
    return df["time"].to_numpy(float), df["status"].to_numpy(int), df[cols].to_numpy(float)


@pytest.fixture(scope="module")
def ovarian(reference_dir):
    return pd.read_csv(reference_dir / "ovarian.csv")


@pytest.fixture(scope="module")
def separated():
    """Monotone likelihood: every x = 1 subject has an event before any x = 0 subject leaves the
    study, so the ordinary partial likelihood keeps increasing in β_x (Heinze & Schemper's case)."""
    rng = np.random.default_rng(2001)
    n1, n0 = 8, 22
    time = np.concatenate([np.arange(1, n1 + 1) * 0.1, 1.0 + rng.exponential(2.0, n0).round(1)])
    status = np.concatenate([np.ones(n1, int), rng.integers(0, 2, n0)])
    status[n1] = 1
    return pd.DataFrame({"time": time, "status": status, "x": np.r_[np.ones(n1), np.zeros(n0)],
                         "z": rng.normal(size=n1 + n0).round(2)})


def test_ovarian_four_covariates_match_direct_maximisation(ovarian):
    cols = ["age", "rx", "resid_ds", "ecog_ps"]
    res = firth_cox(ovarian, "time", "status", cols)
    t, d, x = _arrays(ovarian, cols)
    beta_ref, lstar_ref = naive_max(t, d, x)
    assert res.converged
    np.testing.assert_allclose(res.coef, beta_ref, rtol=1e-6, atol=1e-6)
    assert res.loglik_final == pytest.approx(lstar_ref, abs=1e-9)
    assert res.loglik_final == pytest.approx(naive_loglik(res.coef, t, d, x), rel=1e-12)
    assert res.loglik_null == pytest.approx(naive_loglik(np.zeros(4), t, d, x), rel=1e-12)
    assert res.loglik_unpenalised == pytest.approx(naive_loglik(res.coef, t, d, x, penalised=False), rel=1e-12)
    assert res.lr_statistic == pytest.approx(2 * (lstar_ref - naive_loglik(np.zeros(4), t, d, x)), rel=1e-8)


def test_ovarian_wald_se_from_information(ovarian):
    cols = ["age", "rx", "resid_ds", "ecog_ps"]
    res = firth_cox(ovarian, "time", "status", cols)
    t, d, x = _arrays(ovarian, cols)
    # numerical curvature of the naive *unpenalised* log-likelihood = −I(β̂)
    h = 1e-4
    hess = np.empty((4, 4))
    for a in range(4):
        for b in range(4):
            e_a, e_b = np.eye(4)[a] * h, np.eye(4)[b] * h
            f = lambda v: naive_loglik(res.coef + v, t, d, x, penalised=False)  # noqa: E731
            hess[a, b] = (f(e_a + e_b) - f(e_a - e_b) - f(e_b - e_a) + f(-e_a - e_b)) / (4 * h * h)
    np.testing.assert_allclose(res.se, np.sqrt(np.diag(np.linalg.inv(-hess))), rtol=1e-5)


def test_profile_ci_limits_and_plr_p_by_reprofiling(ovarian):
    """At each returned CI limit b, re-maximise the naive l* with β_j = b: the deviance is χ²₁,₀.₉₅;
    the p-value is the χ²₁ tail of the naive deviance at β_j = 0."""
    cols = ["age", "rx", "resid_ds"]
    res = firth_cox(ovarian, "time", "status", cols)
    t, d, x = _arrays(ovarian, cols)
    _, lstar_max = naive_max(t, d, x)
    for j in range(len(cols)):
        assert res.ci_lower[j] < res.coef[j] < res.ci_upper[j]
        for limit in (res.ci_lower[j], res.ci_upper[j]):
            _, prof = naive_max(t, d, x, fixed=(j, limit), start=res.coef)
            assert 2 * (lstar_max - prof) == pytest.approx(CHI2_95, abs=2e-6)
        _, prof0 = naive_max(t, d, x, fixed=(j, 0.0), start=res.coef)
        assert res.p[j] == pytest.approx(stats.chi2.sf(2 * (lstar_max - prof0), 1), rel=1e-5)


def test_separated_data_ordinary_cox_diverges_firth_is_finite(separated):
    t, d, x = _arrays(separated, ["x", "z"])
    # ordinary partial likelihood increases without bound along β_x (monotone likelihood)
    l_values = [naive_loglik([b, 0.0], t, d, x, penalised=False) for b in (5.0, 10.0, 20.0, 40.0)]
    assert np.all(np.diff(l_values) > 0) and l_values[-1] - l_values[-2] < 1e-6
    res = firth_cox(separated, "time", "status", ["x", "z"])
    beta_ref, _ = naive_max(t, d, x)
    assert res.converged and np.isfinite(res.coef).all() and 1.0 < res.coef[0] < 10.0
    np.testing.assert_allclose(res.coef, beta_ref, rtol=1e-6, atol=1e-6)
    # the profile penalised likelihood is bounded on both sides: finite CI for the separated term
    assert np.isfinite(res.ci_lower[0]) and np.isfinite(res.ci_upper[0])
    _, lstar_max = naive_max(t, d, x)
    for limit in (res.ci_lower[0], res.ci_upper[0]):
        _, prof = naive_max(t, d, x, fixed=(0, limit), start=res.coef)
        assert 2 * (lstar_max - prof) == pytest.approx(CHI2_95, abs=2e-6)


@pytest.mark.parametrize("cols", [["age", "rx", "resid_ds", "ecog_ps"], ["rx"]])
def test_newton_profile_limits_equal_bracketing_and_brent(ovarian, monkeypatch, cols):
    """The CI limits by Newton steps on √deviance agree with those of the bracketing + root-finder path
    (forced by allowing no Newton step), which evaluates only deviances, to its tolerance (1e-9)."""
    res = firth_cox(ovarian, "time", "status", cols)
    monkeypatch.setattr(firth, "_NEWTON_STEPS", 0)
    brent = firth_cox(ovarian, "time", "status", cols)
    np.testing.assert_allclose(res.ci_lower, brent.ci_lower, rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.ci_upper, brent.ci_upper, rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.p, brent.p, rtol=1e-10)
    assert np.array_equal(res.coef, brent.coef)


def test_single_covariate_with_ties_profile_is_the_likelihood(reference_dir):
    aml = pd.read_csv(reference_dir / "aml.csv")  # tied event times (Breslow)
    assert aml.loc[aml.status == 1, "time"].duplicated().any()
    res = firth_cox(aml, "time", "status", ["maintained"])
    t, d, x = _arrays(aml, ["maintained"])
    beta_ref, lstar_ref = naive_max(t, d, x)
    assert res.coef[0] == pytest.approx(beta_ref[0], abs=1e-7)
    for limit in (res.ci_lower[0], res.ci_upper[0]):
        assert 2 * (lstar_ref - naive_loglik([limit], t, d, x)) == pytest.approx(CHI2_95, abs=1e-8)
    row = res.params.loc["maintained"]
    assert row["hr"] == pytest.approx(np.exp(res.coef[0]))
    assert row["hr_lower"] == pytest.approx(np.exp(res.ci_lower[0]))
    assert list(res.params.columns) == ["coef", "hr", "se", "hr_lower", "hr_upper", "p", "method"]


def test_penalised_score_equals_numerical_gradient(ovarian):
    """The analytic U* = U + ½ tr(I⁻¹ ∂I/∂β) against central differences of the naive l*."""
    cols = ["age", "rx", "ecog_ps"]
    risk, *_ = _prepare(ovarian, "time", "status", cols)
    t, d, x = _arrays(ovarian, cols)
    beta = np.array([0.05, -0.4, 0.3])
    _, _, score_std, _ = _penalised(beta * risk.scale, risk)  # internal units: standardised x
    score = score_std * risk.scale  # U*_raw = ∂l*/∂β = U*_std · SD (β_std = β · SD)
    h = 1e-6
    numeric = [(naive_loglik(beta + h * e, t, d, x) - naive_loglik(beta - h * e, t, d, x)) / (2 * h)
               for e in np.eye(3)]
    np.testing.assert_allclose(score, numeric, rtol=1e-6, atol=1e-7)
    lstar, loglik = penalised_loglik(beta, ovarian, "time", "status", cols)
    assert lstar == pytest.approx(naive_loglik(beta, t, d, x), rel=1e-12)
    assert loglik == pytest.approx(naive_loglik(beta, t, d, x, penalised=False), rel=1e-12)


def test_invariant_to_row_order_and_covariate_shift(ovarian):
    base = firth_cox(ovarian, "time", "status", ["age", "rx"])
    shuffled = ovarian.sample(frac=1.0, random_state=7).assign(age=lambda f: f.age + 1000.0)
    other = firth_cox(shuffled, "time", "status", ["age", "rx"])
    np.testing.assert_allclose(other.coef, base.coef, rtol=1e-9)
    np.testing.assert_allclose(other.ci_upper, base.ci_upper, rtol=1e-8)
    # units: age in 1/10000 years -> coefficient × 1e4, same convergence, same p and HR per year
    scaled = firth_cox(ovarian.assign(age=ovarian.age * 1e-4), "time", "status", ["age", "rx"])
    assert scaled.converged
    np.testing.assert_allclose(scaled.coef * [1e-4, 1.0], base.coef, rtol=1e-8)
    np.testing.assert_allclose(scaled.p, base.p, rtol=1e-7)


def test_missing_rows_dropped_with_note(ovarian):
    data = ovarian.copy()
    data.loc[[0, 3], "age"] = np.nan
    res = firth_cox(data, "time", "status", ["age"])
    full = firth_cox(ovarian.drop(index=[0, 3]), "time", "status", ["age"])
    assert res.n == 24 and res.notes[0].count == 2
    assert res.coef[0] == pytest.approx(full.coef[0], rel=1e-12)


def test_results_are_read_only(ovarian):
    res = firth_cox(ovarian, "time", "status", ["age"])
    with pytest.raises(ValueError):
        res.coef[0] = 1.0
    with pytest.raises(AttributeError):
        res.converged = False  # type: ignore[misc]


@pytest.mark.parametrize("kwargs,argument", [
    ({"covariates": ["nope"]}, "covariates"),
    ({"covariates": []}, "covariates"),
    ({"duration": "nope"}, "duration"),
    ({"conf_level": 1.5}, "conf_level"),
])
def test_bad_arguments_name_the_argument(ovarian, kwargs, argument):
    args = {"data": ovarian, "duration": "time", "event": "status", "covariates": ["age"]} | kwargs
    conf = args.pop("conf_level", 0.95)
    with pytest.raises(InputError) as exc:
        firth_cox(**args, conf_level=conf)
    assert exc.value.argument == argument


def test_constant_covariate_and_no_events_rejected(ovarian):
    with pytest.raises(InputError, match="constant"):
        firth_cox(ovarian.assign(c=1.0), "time", "status", ["c"])
    with pytest.raises(InputError, match="no events"):
        firth_cox(ovarian.assign(status=0), "time", "status", ["age"])


def test_collinear_covariates_rejected(ovarian):
    with pytest.raises(InputError, match="collinear") as exc:
        firth_cox(ovarian.assign(age2=2.0 * ovarian.age + 1.0), "time", "status", ["age", "age2"])
    assert exc.value.argument == "covariates"


def test_non_convergence_is_flagged(ovarian):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = firth_cox(ovarian, "time", "status", ["age", "rx"], max_iter=1)
    assert not res.converged and any("did not converge" in str(w.message) for w in caught)
