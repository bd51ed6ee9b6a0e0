"""Kaplan–Meier: closed-form tiny cases, edge cases, invariances and a naive reference implementation.

R agreement on the public datasets (every KM number of tests/data/reference) is checked by
``test_reference_coverage.py`` through ``reference.compare_km``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from oncocohort.errors import InputError
from oncocohort.stats import kaplan_meier, kaplan_meier_by

Z95 = 1.959963984540054


def naive_km(time, event, weights=None, conf_type="log"):
    """Textbook loop over distinct times (independent of the vectorised code)."""
    time = np.asarray(time, float)
    event = np.asarray(event, int)
    w = np.ones_like(time) if weights is None else np.asarray(weights, float)
    rows = []
    s, green, haz, vhaz = 1.0, 0.0, 0.0, 0.0
    for t in sorted(set(time.tolist())):
        n = w[time >= t].sum()
        d = w[(time == t) & (event == 1)].sum()
        c = w[(time == t) & (event == 0)].sum()
        s *= 1 - d / n
        if d > 0 and n > d:
            green += d / (n * (n - d))
        haz += d / n
        vhaz += d / n**2
        se = np.sqrt(green) if s > 0 else np.nan
        if s == 0:
            lo = hi = np.nan
        elif conf_type == "log":
            lo, hi = s * np.exp(-Z95 * se), min(1.0, s * np.exp(Z95 * se))
        elif conf_type == "plain":
            lo, hi = max(0.0, s - Z95 * s * se), min(1.0, s + Z95 * s * se)
        else:
            if s == 1:
                lo = hi = np.nan
            else:
                lo = np.exp(-np.exp(np.log(-np.log(s)) - Z95 * se / np.log(s)))
                hi = np.exp(-np.exp(np.log(-np.log(s)) + Z95 * se / np.log(s)))
        rows.append((t, n, d, c, s, se, lo, hi, haz, np.sqrt(vhaz)))
    return pd.DataFrame(rows, columns=["time", "n_risk", "n_event", "n_censor", "surv", "std_err",
                                       "lower", "upper", "cumhaz", "std_chaz"])


def assert_table_equal(got: pd.DataFrame, expected: pd.DataFrame, rtol: float = 1e-10) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for col in got.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), expected[col].to_numpy(float), rtol=rtol,
                                   atol=1e-12, equal_nan=True, err_msg=col)


# --- closed form --------------------------------------------------------------------------------


def test_tiny_case_by_hand() -> None:
    # times 1, 2, 2+, 3, 4+  ->  n = 5, 4, 2, 1; d = 1, 1, 1, 0 (the censoring at 2 is at risk at 2)
    fit = kaplan_meier([3, 1, 2, 4, 2], [1, 1, 1, 0, 0])
    tb = fit.table
    assert tb["time"].tolist() == [1, 2, 3, 4]
    assert tb["n_risk"].tolist() == [5, 4, 2, 1]
    assert tb["n_event"].tolist() == [1, 1, 1, 0]
    assert tb["n_censor"].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(tb["surv"], [0.8, 0.6, 0.3, 0.3], rtol=1e-15)
    greenwood = np.cumsum([1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1), 0])
    np.testing.assert_allclose(tb["std_err"], np.sqrt(greenwood), rtol=1e-15)
    np.testing.assert_allclose(tb["cumhaz"], [0.2, 0.45, 0.95, 0.95], rtol=1e-15)
    np.testing.assert_allclose(tb["std_chaz"], np.sqrt(np.cumsum([1 / 25, 1 / 16, 1 / 4, 0])), rtol=1e-15)
    np.testing.assert_allclose(tb["lower"][0], 0.8 * np.exp(-Z95 * np.sqrt(0.05)), rtol=1e-12)
    assert tb["upper"][0] == 1.0  # 0.8 * exp(1.96 * 0.224) > 1 is capped
    assert fit.n == 5 and fit.n_events == 3


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_conf_types_by_hand(conf_type: str) -> None:
    fit = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 1, 0, 0], conf_type=conf_type, conf_level=0.9)
    s, se = 0.8, np.sqrt(1 / 20)
    z = 1.6448536269514722
    expected = {
        "log": (s * np.exp(-z * se), min(1, s * np.exp(z * se))),
        "log-log": (np.exp(-np.exp(np.log(-np.log(s)) - z * se / np.log(s))),
                    np.exp(-np.exp(np.log(-np.log(s)) + z * se / np.log(s)))),
        "plain": (s - z * s * se, min(1, s + z * s * se)),
    }[conf_type]
    np.testing.assert_allclose([fit.lower[0], fit.upper[0]], expected, rtol=1e-12)


def test_median_midpoint_rule_on_a_flat_at_one_half() -> None:
    # S = 0.75, 0.5, 0.25, 0: S is exactly 0.5 on [2, 3) so R's median is 2.5 (not 2, not 3).
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert fit.median().estimate == 2.5
    assert fit.quantile(0.25).estimate == 1.5
    assert fit.quantile(0.6).estimate == 3.0


def test_plateau_median_at_the_end_uses_the_last_time() -> None:
    # S = 0.75, 0.5 then flat at 0.5 until the last (censored) time 6: median = (2 + 6) / 2.
    fit = kaplan_meier([1, 2, 4, 6], [1, 1, 0, 0])
    assert fit.median().estimate == 4.0


def test_median_not_reached_is_none() -> None:
    fit = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 0, 0, 0])
    med = fit.median()
    assert med.estimate is None and med.upper is None
    assert "NR" in str(med)


# --- edge cases ---------------------------------------------------------------------------------


def test_all_censored() -> None:
    fit = kaplan_meier([3, 1, 2], [0, 0, 0])
    assert fit.surv.tolist() == [1.0, 1.0, 1.0]
    assert fit.std_err.tolist() == [0.0, 0.0, 0.0]
    assert fit.lower.tolist() == [1.0, 1.0, 1.0] and fit.upper.tolist() == [1.0, 1.0, 1.0]  # log: [1, 1]
    assert np.isnan(kaplan_meier([3, 1, 2], [0, 0, 0], conf_type="log-log").lower).all()  # R: NA at S = 1
    assert fit.median().estimate is None
    assert fit.n_events == 0


def test_one_patient_with_event_reaches_zero() -> None:
    fit = kaplan_meier([5.0], [1])
    assert fit.surv.tolist() == [0.0]
    # S = 0: n = d, Greenwood divides by zero; R stores NA for std.err and every limit.
    assert np.isnan(fit.std_err[0]) and np.isnan(fit.lower[0]) and np.isnan(fit.upper[0])
    assert fit.cumhaz.tolist() == [1.0]
    assert fit.median().estimate == 5.0


def test_one_patient_censored() -> None:
    fit = kaplan_meier([5.0], [0])
    assert fit.table.shape == (1, 10) and fit.surv[0] == 1.0


def test_event_at_time_zero() -> None:
    fit = kaplan_meier([0, 0, 1, 2], [1, 0, 1, 0])
    assert fit.time.tolist() == [0, 1, 2]
    np.testing.assert_allclose(fit.surv, [0.75, 0.75 * (1 - 1 / 2), 0.375])  # n = 4, 2, 1
    assert fit.survival_at([0]).surv[0] == 0.75  # S(0) includes the event at 0 (right-continuous)


def test_heavy_ties_everyone_at_one_time() -> None:
    fit = kaplan_meier(np.full(1000, 7.0), np.r_[np.ones(400), np.zeros(600)])
    assert fit.time.tolist() == [7.0]
    assert fit.n_risk[0] == 1000 and fit.n_event[0] == 400 and fit.n_censor[0] == 600
    np.testing.assert_allclose(fit.surv[0], 0.6)
    np.testing.assert_allclose(fit.std_err[0], np.sqrt(400 / (1000 * 600)))


def test_zero_after_last_event_then_no_more_rows() -> None:
    fit = kaplan_meier([1, 2, 2], [1, 1, 1])
    assert fit.surv.tolist()[-1] == 0.0 and np.isnan(fit.std_err[-1])
    assert not np.isnan(fit.std_err[0])


def test_fractional_weights_by_hand() -> None:
    fit = kaplan_meier([1, 2, 3], [1, 1, 0], weights=[0.5, 1.5, 2.0])
    # n = 4, 3.5, 2; d = 0.5, 1.5, 0
    np.testing.assert_allclose(fit.n_risk, [4.0, 3.5, 2.0])
    np.testing.assert_allclose(fit.surv, [1 - 0.5 / 4, (1 - 0.5 / 4) * (1 - 1.5 / 3.5), (1 - 0.5 / 4) * (2 / 3.5)])
    np.testing.assert_allclose(fit.std_err[1], np.sqrt(0.5 / (4 * 3.5) + 1.5 / (3.5 * 2.0)))
    assert fit.n_events == 2.0


# --- invariances and naive reference -------------------------------------------------------------


def _random_data(seed: int, n: int, integer: bool):
    rng = np.random.default_rng(seed)
    t = rng.exponential(20, n)
    t = np.ceil(t) if integer else np.round(t, 2)  # rounding keeps ties in the float case too
    return t, (rng.random(n) < 0.6).astype(int), rng.integers(1, 4, n).astype(float)


@pytest.mark.parametrize("integer", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_against_naive_reference(integer: bool, weighted: bool, conf_type: str) -> None:
    t, e, w = _random_data(11, 300, integer)
    w = w * 0.37 if weighted else None  # fractional weights exercise the weighted paths
    got = kaplan_meier(t, e, weights=w, conf_type=conf_type).table
    assert_table_equal(got, naive_km(t, e, w, conf_type))


def test_row_order_invariance() -> None:
    t, e, _ = _random_data(3, 500, False)
    perm = np.random.default_rng(4).permutation(t.size)
    assert_table_equal(kaplan_meier(t[perm], e[perm]).table, kaplan_meier(t, e).table, rtol=0)


@pytest.mark.parametrize("integer", [True, False])
def test_integer_weights_equal_replicated_rows(integer: bool) -> None:
    t, e, w = _random_data(5, 200, integer)
    reps = w.astype(int)
    weighted = kaplan_meier(t, e, weights=w).table
    replicated = kaplan_meier(np.repeat(t, reps), np.repeat(e, reps)).table
    assert_table_equal(weighted, replicated)


def test_no_censoring_is_one_minus_ecdf() -> None:
    rng = np.random.default_rng(8)
    t = np.round(rng.gamma(2.0, 3.0, 400), 1)
    fit = kaplan_meier(t, np.ones_like(t))
    ecdf = np.searchsorted(np.sort(t), fit.time, side="right") / t.size
    np.testing.assert_allclose(fit.surv, 1 - ecdf, atol=1e-12)


# --- summaries ----------------------------------------------------------------------------------


def test_survival_at_before_between_and_after() -> None:
    fit = kaplan_meier([2, 4, 4, 6, 8], [1, 1, 0, 1, 0])
    s = fit.survival_at([9, 1, 4, 5])  # unsorted request; R sorts and de-duplicates
    assert s.time.tolist() == [1, 4, 5, 9]
    assert s.n_risk.tolist() == [5, 4, 2, 0]       # at risk at t; nobody after the last time
    assert s.n_event.tolist() == [0, 2, 0, 1]      # events in (previous, t]
    assert s.n_censor.tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(s.surv, [1, 0.6, 0.6, 0.3])
    assert s.std_err[0] == 0 and s.lower[0] == 1 and s.upper[0] == 1
    np.testing.assert_allclose(s.std_err[1], 0.6 * fit.std_err[1])  # survival scale
    assert fit.number_at_risk([0, 4, 100]).tolist() == [5, 4, 0]


def test_plot_helpers() -> None:
    fit = kaplan_meier([2, 4, 4, 6], [1, 1, 0, 0])
    pf = fit.plot_frame()
    assert pf["time"].tolist() == [0, 2, 4, 6] and pf["surv"].tolist()[0] == 1.0
    marks = fit.censor_marks()
    assert marks["time"].tolist() == [4, 6] and marks["surv"].tolist() == [0.5, 0.5]


def test_result_is_frozen_and_read_only() -> None:
    fit = kaplan_meier([1, 2], [1, 0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.n = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        fit.surv[0] = 0.0
    assert list(fit.summary().columns) == ["n", "events", "median", "lower", "upper"]


# --- by group -----------------------------------------------------------------------------------


def test_by_group_equals_separate_fits_and_drops_missing() -> None:
    t, e, _ = _random_data(21, 300, True)
    g = np.where(np.arange(300) % 3 == 0, "b", "a").astype(object)
    g[[5, 17]] = None
    fits = kaplan_meier_by(t, e, g, conf_type="plain")
    assert list(fits) == ["a", "b"] and fits.n_dropped == 2
    assert fits.notes and fits.notes[0].count == 2
    for level in ("a", "b"):
        rows = g == level
        assert_table_equal(fits[level].table, kaplan_meier(t[rows], e[rows], conf_type="plain").table)
    assert fits.summary()["group"].tolist() == ["a", "b"]
    assert len(fits.to_frame()) == len(fits["a"].table) + len(fits["b"].table)


def test_by_group_with_a_group_without_events() -> None:
    fits = kaplan_meier_by([1, 2, 3, 4], [1, 1, 0, 0], [1, 1, 2, 2])
    assert fits[2].surv.tolist() == [1.0, 1.0] and fits[2].median().estimate is None


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"time": [1, np.nan], "event": [1, 0]}, "time"),
        ({"time": [1, -2], "event": [1, 0]}, "time"),
        ({"time": [1, 2], "event": [1, 2]}, "event"),
        ({"time": [1, 2, 3], "event": [1, 0]}, "event"),
        ({"time": [1, 2], "event": [1, 0], "weights": [1, -1]}, "weights"),
        ({"time": [1, 2], "event": [1, 0], "conf_type": "arcsin"}, "conf_type"),
        ({"time": [1, 2], "event": [1, 0], "conf_level": 95}, "conf_level"),
        ({"time": [], "event": []}, "time"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, argument: str) -> None:
    with pytest.raises(InputError) as info:
        kaplan_meier(**kwargs)
    assert info.value.argument == argument


def test_bad_quantile_probability() -> None:
    with pytest.raises(InputError, match="^p:"):
        kaplan_meier([1, 2], [1, 0]).quantile(1.5)


@pytest.mark.parametrize(
    ("group", "levels"),
    [
        (np.array([5, 3, 5, 9]), [3, 5, 9]),                       # integer fast path
        (np.array([True, False, True, True]), [False, True]),
        (np.array([5.0, 3.0, np.nan, 9.0]), [3.0, 5.0, 9.0]),       # NaN = missing, dropped
        (np.array(["b", "a", None, "b"], dtype=object), ["a", "b"]),
    ],
)
def test_group_levels_are_sorted_python_values(group: np.ndarray, levels: list) -> None:
    fits = kaplan_meier_by([1, 2, 3, 4], [1, 0, 1, 1], group)
    assert list(fits) == levels
    assert all(type(a) is type(b) for a, b in zip(fits, levels))
    assert sum(f.n for f in fits.values()) + fits.n_dropped == 4


# --- property-based: any small data set agrees with the naive loop ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402

_rows = hs.lists(hs.tuples(hs.integers(0, 8), hs.booleans(), hs.sampled_from([0.5, 1.0, 2.0])),
                 min_size=1, max_size=25)


@settings(max_examples=80, deadline=None)
@given(rows=_rows, as_float=hs.booleans(), weighted=hs.booleans())
def test_matches_naive_on_arbitrary_small_data(rows: list, as_float: bool, weighted: bool) -> None:
    t = np.array([r[0] for r in rows], float) * (1.1 if as_float else 1.0)  # 1.1: non-integer path
    e = np.array([r[1] for r in rows], int)
    w = np.array([r[2] for r in rows]) if weighted else None
    assert_table_equal(kaplan_meier(t, e, weights=w).table, naive_km(t, e, w))


def test_survival_at_no_times_gives_an_empty_table() -> None:
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    assert fit.survival_at([]).to_frame().shape == (0, 8)
    assert fit.number_at_risk([]).size == 0
