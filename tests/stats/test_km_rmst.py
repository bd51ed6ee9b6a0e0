"""Restricted mean survival time: closed-form area and R's standard error formula."""

from __future__ import annotations

import numpy as np
import pytest

from oncocohort.errors import InputError
from oncocohort.stats import kaplan_meier


def test_area_and_se_by_hand() -> None:
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])  # S = .75, .5, .25, 0
    r = fit.rmst(3)
    assert r.estimate == pytest.approx(1 + 0.75 + 0.5, rel=1e-15)
    # A(1) = .75 + .5, A(2) = .5, A(3) = 0; terms A^2 d / (n (n - d))
    se = np.sqrt(1.25**2 / (4 * 3) + 0.5**2 / (3 * 2))
    assert r.std_err == pytest.approx(se, rel=1e-14)
    assert r.lower == pytest.approx(r.estimate - 1.959963984540054 * se)


def test_tau_beyond_last_time_carries_last_value_forward() -> None:
    fit = kaplan_meier([1, 2, 4], [1, 0, 0])  # S = 2/3 from time 1 on
    assert fit.rmst(10).estimate == pytest.approx(1 + 9 * 2 / 3)


def test_curve_reaching_zero_before_tau() -> None:
    fit = kaplan_meier([1, 2], [1, 1])  # S = .5, 0
    r = fit.rmst(5)
    assert r.estimate == pytest.approx(1.5)
    assert r.std_err == pytest.approx(np.sqrt(0.5**2 / (2 * 1)))  # n = d at t = 2 adds nothing


def test_bad_tau() -> None:
    with pytest.raises(InputError, match="^tau:"):
        kaplan_meier([1, 2], [1, 1]).rmst(-1)
