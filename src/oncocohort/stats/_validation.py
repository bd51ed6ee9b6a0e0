"""Argument checks shared by the statistical functions.

Each check raises :class:`oncocohort.errors.InputError` naming the argument, so a user sees which
input was wrong rather than a NumPy traceback from deep inside an estimator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from oncocohort.errors import InputError


def as_float_array(values: Any, name: str, *, allow_negative: bool = False) -> npt.NDArray[np.float64]:
    """1-D float64 copy of ``values``; rejects NaN/inf and (unless allowed) negative numbers."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"must be numeric ({exc})") from None
    if arr.ndim != 1:
        raise InputError(name, f"must be one-dimensional, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(name, f"contains {int(bad.sum())} missing or non-finite value(s); first at position {i}")
    if not allow_negative and (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise InputError(name, f"must be non-negative; position {i} has {arr[i]!r}")
    return arr


def as_event_array(values: Any, name: str = "event") -> npt.NDArray[np.int8]:
    """1-D int8 array of 0/1 event indicators (booleans accepted)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(name, f"must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.int8)
    try:
        f = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise InputError(name, "must contain only 0 (censored) and 1 (event)") from None
    ok = (f == 0) | (f == 1)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise InputError(name, f"must contain only 0 (censored) and 1 (event); position {i} has {arr[i]!r}")
    return f.astype(np.int8)


def check_same_length(**arrays: Any) -> int:
    """Common length of the named arrays; InputError naming the first one that differs."""
    names = list(arrays)
    n = len(arrays[names[0]])
    for name in names[1:]:
        if arrays[name] is not None and len(arrays[name]) != n:
            raise InputError(name, f"has length {len(arrays[name])}, but {names[0]} has length {n}")
    return n


def as_weights(values: Any, n: int, name: str = "weights") -> npt.NDArray[np.float64] | None:
    """Validated case weights (finite, > 0) of length n, or None when absent."""
    if values is None:
        return None
    w = as_float_array(values, name)
    if len(w) != n:
        raise InputError(name, f"has length {len(w)}, expected {n}")
    if (w <= 0).any():
        i = int(np.flatnonzero(w <= 0)[0])
        raise InputError(name, f"must be positive; position {i} has {w[i]!r}")
    return w


def as_group_array(values: Any, n: int, name: str = "group", *, min_levels: int = 2) -> np.ndarray:
    """Group labels (any hashable dtype) of length n with at least ``min_levels`` distinct non-missing levels."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(name, f"must be one-dimensional, got shape {arr.shape}")
    if len(arr) != n:
        raise InputError(name, f"has length {len(arr)}, expected {n}")
    missing = _is_missing(arr)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise InputError(name, f"contains {int(missing.sum())} missing value(s); first at position {i}")
    n_levels = len(np.unique(arr.astype(str) if arr.dtype == object else arr))
    if n_levels < min_levels:
        raise InputError(name, f"needs at least {min_levels} distinct levels, found {n_levels}")
    return arr


def _is_missing(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "f":
        return np.isnan(arr)
    if arr.dtype == object:
        return np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in arr], dtype=bool)
    return np.zeros(len(arr), dtype=bool)
