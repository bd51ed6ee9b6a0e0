"""Bracketed root finding without importing ``scipy.optimize`` (~0.4 s of a cold CLI start).

``bracketed_root`` is the ITP method (interpolate, truncate, project) of Oliveira and Takahashi
[1]: each step takes the regula-falsi point, moves it towards the midpoint by a small amount
(truncation, which avoids the one-sided stalls of plain regula falsi) and keeps it within a
shrinking distance of the midpoint (projection). It never needs more evaluations than bisection
plus ``n0``, and converges superlinearly on smooth functions, which is what the profile-likelihood
limits and the conditional odds-ratio limits here are.

References
----------
[1] Oliveira IFD, Takahashi RHC. An enhancement of the bisection method average performance
    preserving minmax optimality. ACM Trans Math Softw 2020;47(1):5.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def bracketed_root(f: Callable[[float], float], a: float, b: float, *, xtol: float, rtol: float,
                   n0: int = 1, kappa2: float = 2.0) -> float:
    """A root of ``f`` in [a, b], where f(a) and f(b) have opposite signs (or one is zero).

    Stops when the bracket is narrower than 2ε, ε = xtol + rtol·max(|a|, |b|) of the starting
    bracket, and returns its midpoint: within ε of a root. Raises ValueError when f(a) and f(b)
    have the same sign or f is not finite at an end.
    """
    lo, hi = float(a), float(b)
    if lo > hi:
        lo, hi = hi, lo
    f_lo, f_hi = float(f(lo)), float(f(hi))
    if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
        raise ValueError(f"f is not finite at an end of the bracket [{lo}, {hi}]")
    if f_lo == 0.0:
        return lo
    if f_hi == 0.0:
        return hi
    if (f_lo > 0) == (f_hi > 0):
        raise ValueError(f"f has the same sign at both ends of [{lo}, {hi}]: no bracketed root")
    eps = (xtol + rtol * max(abs(lo), abs(hi))) / 2.0
    width = hi - lo
    if width <= 2.0 * eps:
        return (lo + hi) / 2.0
    kappa1 = 0.2 / width
    # the most bisection steps the tolerance needs; the projection radius is measured against it
    n_max = math.ceil(math.log2(width / (2.0 * eps))) + n0
    rising = f_hi > 0  # orient so that the update rule below is sign-free
    for j in range(n_max + 1):
        width = hi - lo
        if width <= 2.0 * eps:
            break
        mid = (lo + hi) / 2.0
        radius = eps * 2.0 ** (n_max - j) - width / 2.0
        delta = kappa1 * width ** kappa2
        # interpolate: regula falsi
        falsi = (hi * f_lo - lo * f_hi) / (f_lo - f_hi)
        sigma = 1.0 if mid >= falsi else -1.0
        # truncate: perturb towards the midpoint (the falsi point alone can stall at one end)
        trial = falsi + sigma * delta if delta <= abs(mid - falsi) else mid
        # project: stay within `radius` of the midpoint, which bounds the steps by bisection's
        x = trial if abs(trial - mid) <= radius else mid - sigma * radius
        if not lo < x < hi:  # rounding at the ends: fall back to the midpoint
            x = mid
        fx = float(f(x))
        if not math.isfinite(fx):
            raise ValueError(f"f is not finite at {x} inside the bracket")
        if fx == 0.0:
            return x
        if (fx > 0) == rising:
            hi, f_hi = x, fx
        else:
            lo, f_lo = x, fx
    return (lo + hi) / 2.0
