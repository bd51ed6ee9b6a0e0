"""The bracketed root finder used instead of scipy.optimize.brentq (import time)."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from oncocohort.stats._roots import bracketed_root

CASES = [
    (lambda x: x**3 - 2 * x - 5, 2.0, 3.0),  # Newton's classic, root 2.0945514815423265
    (lambda x: math.exp(x) - 10.0, -5.0, 10.0),
    (lambda x: math.log(x) + 3.0, 1e-6, 2.0),
    (lambda x: math.atan(x - 1e3), -1e4, 1e4),  # wide bracket, flat far from the root
    (lambda x: (x - 0.3) ** 3, 0.0, 1.0),  # triple root: regula falsi alone would stall
    (lambda x: 1.0 if x >= 0.7 else -1.0, 0.0, 1.0),  # a jump: must still bracket it
]


@pytest.mark.parametrize(("f", "a", "b"), CASES)
def test_matches_brent_within_the_tolerance(f, a, b) -> None:
    calls = []

    def counted(x: float) -> float:
        calls.append(x)
        return f(x)

    xtol, rtol = 1e-12, 1e-12
    root = bracketed_root(counted, a, b, xtol=xtol, rtol=rtol)
    reference = brentq(f, a, b, xtol=1e-15, rtol=8.9e-16, maxiter=1000)
    eps = xtol + rtol * max(abs(a), abs(b))
    assert abs(root - reference) <= eps
    # never (much) worse than bisection: log2 of the bracket over the tolerance, plus ends and n0
    assert len(calls) <= math.ceil(math.log2((b - a) / eps)) + 4


def test_smooth_functions_need_far_fewer_steps_than_bisection() -> None:
    calls = []
    bracketed_root(lambda x: calls.append(x) or x**3 - 2 * x - 5, 2.0, 3.0, xtol=1e-14, rtol=1e-14)
    assert len(calls) <= 12  # bisection needs ~46


def test_roots_at_the_ends_and_reversed_bracket() -> None:
    assert bracketed_root(lambda x: x - 1.0, 1.0, 2.0, xtol=1e-12, rtol=0) == 1.0
    assert bracketed_root(lambda x: x - 2.0, 1.0, 2.0, xtol=1e-12, rtol=0) == 2.0
    assert bracketed_root(lambda x: x - 1.5, 2.0, 1.0, xtol=1e-13, rtol=0) == pytest.approx(1.5, abs=1e-13)


def test_no_sign_change_or_non_finite_end_raises() -> None:
    with pytest.raises(ValueError, match="same sign"):
        bracketed_root(lambda x: x * x + 1.0, -1.0, 1.0, xtol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="not finite"):
        bracketed_root(lambda x: math.inf if x > 0.5 else -1.0, 0.0, 1.0, xtol=1e-12, rtol=0)
