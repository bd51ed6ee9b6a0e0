"""From a patient-level DataFrame to the Cox model's arrays (R's model frame + model matrix).

Steps, in order (R's ``model.frame`` then ``model.matrix`` with ``na.action = na.omit`` [1]):

1. Check the arguments: ``data`` is a DataFrame and every named column exists.
2. Drop the rows with a missing value in any used column (duration, event, covariates, strata,
   weights, cluster) and count them (``n_dropped``).
3. Validate duration (finite, ≥ 0), event (0/1 or boolean) and weights (finite, > 0).
4. Code the covariates. Numeric and boolean columns enter as they are. Categorical columns
   (pandas ``category``, ``object`` or string) get treatment contrasts: one 0/1 column per level
   other than the reference, named ``covariate[level]``. Levels are the category order for a
   pandas categorical and the sorted distinct values otherwise (as R's ``factor``); the reference
   is the first level unless ``reference`` names another. Levels with no row left are dropped and
   noted (R would keep an all-zero column and report an NA coefficient).
5. Strata (one or more columns, combined) and clusters become integer codes.

References
----------
[1] R ``survival::coxph`` (``R/coxph.R``): model frame, ``na.omit``, treatment contrasts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncocohort.errors import InputError, Note
from oncocohort.stats._validation import as_event_array, as_float_array, as_weights

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Design:
    time: FloatArray
    event: npt.NDArray[np.bool_]
    x: FloatArray  # (n, p) model matrix without intercept
    terms: tuple[str, ...]  # one name per column of x
    covariate_columns: Mapping[str, tuple[int, ...]]  # covariate -> its columns of x
    weights: FloatArray | None
    stratum: IntArray  # codes 0..S-1 (all 0 without strata)
    stratum_labels: tuple[str, ...]  # label of each code
    cluster: IntArray | None
    n_dropped: int
    notes: tuple[Note, ...]
    references: Mapping[str, Any]  # categorical covariate -> reference level


def _names(value: str | Sequence[str] | None, argument: str, data: pd.DataFrame) -> list[str]:
    if value is None:
        return []
    names = [value] if isinstance(value, str) else list(value)
    for name in names:
        if not isinstance(name, str):
            raise InputError(argument, f"must name columns of data, got {name!r}")
        if name not in data.columns:
            raise InputError(argument, f"column {name!r} is not in data (columns: {list(data.columns)})")
    if len(set(names)) != len(names):
        raise InputError(argument, f"names a column twice: {names}")
    return names


def _is_categorical(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col)


def build_design(data: Any, duration: str, event: str, covariates: str | Sequence[str], *,
                 strata: str | Sequence[str] | None, weights: str | None, cluster: str | None,
                 reference: Mapping[str, Any] | None) -> Design:
    """Validated, complete-case arrays for :func:`oncocohort.stats.cox.cox_ph` (module steps)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("data", f"must be a pandas DataFrame, got {type(data).__name__}")
    (dur,) = _names(duration, "duration", data)
    (evt,) = _names(event, "event", data)
    covs = _names(covariates, "covariates", data)
    if not covs:
        raise InputError("covariates", "name at least one covariate")
    strata_cols = _names(strata, "strata", data)
    weight_cols = _names(weights, "weights", data)
    cluster_cols = _names(cluster, "cluster", data)
    reference = dict(reference or {})
    for key in reference:
        if key not in covs:
            raise InputError("reference", f"{key!r} is not one of the covariates {covs}")
    used = list(dict.fromkeys([dur, evt, *covs, *strata_cols, *weight_cols, *cluster_cols]))
    for cov in covs:
        if cov in reference and not _is_categorical(data[cov]):
            raise InputError("reference", f"{cov!r} is numeric; a reference level applies to categorical covariates")
    numeric = [c for c in covs if not _is_categorical(data[c])]
    # numeric covariates are read as one float block (one copy); NaN marks a missing value,
    # and only the rows holding a non-finite value are examined further
    x_num, bad = _numeric_block(data, numeric)
    missing = np.zeros(len(data), dtype=bool)
    if bad.any():
        missing[bad] = np.isnan(x_num[bad]).any(axis=1)
    for name in used:
        if name not in numeric:
            missing |= data[name].isna().to_numpy()
    complete = ~missing
    n_dropped = int(missing.sum())
    if n_dropped == len(data):
        raise InputError("data", f"no row is complete in the used columns {used}")
    # no copy when nothing is missing
    frame: pd.DataFrame = data if n_dropped == 0 else data[used].iloc[np.flatnonzero(complete)]
    if (bad & complete).any():
        _check_finite(x_num[complete], numeric)
    if n_dropped:
        x_num = x_num[complete]
    notes: list[Note] = []
    if n_dropped:
        notes.append(Note("rows with a missing value in a used column were left out", n_dropped,
                          {"columns": used}))
    time = as_float_array(frame[dur].to_numpy(), "duration")
    ev = as_event_array(frame[evt].to_numpy(), "event").astype(bool)
    w = as_weights(frame[weight_cols[0]].to_numpy(), len(frame), "weights") if weight_cols else None
    blocks: list[FloatArray] = []
    terms: list[str] = []
    columns: dict[str, tuple[int, ...]] = {}
    refs: dict[str, Any] = {}
    for cov in covs:
        start = len(terms)
        if cov in numeric:
            j = numeric.index(cov)
            mat, names = x_num[:, j:j + 1], [cov]
        else:
            mat, names, ref = _treatment_coding(cov, frame[cov], reference.get(cov), notes)
            refs[cov] = ref
        blocks.append(mat)
        terms.extend(names)
        columns[cov] = tuple(range(start, len(terms)))
    stratum, labels = _codes(frame, strata_cols)
    cl = pd.factorize(frame[cluster_cols[0]])[0].astype(np.int64) if cluster_cols else None
    if len(numeric) == len(covs):
        x = x_num  # all numeric: the block is the model matrix
    else:
        x = np.empty((len(time), len(terms)), order="F")  # column-major: filled block by block
        at = 0
        for block in blocks:
            x[:, at:at + block.shape[1]] = block
            at += block.shape[1]
    return Design(time, ev, x, tuple(terms), columns, w, stratum, labels, cl,
                  n_dropped, tuple(notes), refs)


#: From this many rows on, the numeric block is assembled row-major by a compiled kernel (the
#: layout the compiled Cox passes read fastest); below it pandas builds it (no JIT start-up).
ROW_MAJOR_MIN_ROWS = 50_000


def _numeric_block(data: pd.DataFrame, names: list[str]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """(n, k) float64 block of the numeric covariates and the rows with a non-finite value;
    a non-numeric covariate raises InputError."""
    if not names:
        return np.zeros((len(data), 0)), np.zeros(len(data), dtype=bool)
    try:
        if len(data) < ROW_MAJOR_MIN_ROWS:
            x = data[names].to_numpy(dtype=np.float64)
            return x, ~np.isfinite(x).all(axis=1)
        from numba import typed

        from oncocohort.stats import _cox_kernels as kern
        columns = typed.List([data[name].to_numpy(dtype=np.float64) for name in names])
        # The outputs are allocated by NumPy, not inside the kernel: NumPy asks the kernel for
        # transparent huge pages on large blocks, and the first touch of numba's 4 kB pages cost
        # ~0.8 ms per MB here (75 ms for 10⁶ × 11) against ~0.2 ms per MB.
        x = np.empty((len(columns[0]), len(names)))
        bad = np.empty(len(columns[0]), dtype=bool)
        kern.stack_columns(columns, x, bad)
        return x, bad
    except (TypeError, ValueError):
        for name in names:
            _numeric(data[name], name)  # raises, naming the offending covariate
        raise


def _check_finite(x: FloatArray, names: list[str]) -> None:
    if x.size and not np.isfinite(x).all():
        bad = ~np.isfinite(x).all(axis=0)
        name = names[int(np.flatnonzero(bad)[0])]
        i = int(np.flatnonzero(~np.isfinite(x[:, names.index(name)]))[0])
        raise InputError(f"covariates[{name!r}]", f"contains a non-finite value (position {i} of the complete rows)")


def _numeric(col: pd.Series, cov: str) -> FloatArray:
    """Float column; infinite values (or non-numbers) raise InputError naming the covariate."""
    try:
        arr = col.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or not np.isfinite(arr).all():  # the full check only builds the error message
        return as_float_array(col.to_numpy(), f"covariates[{cov!r}]", allow_negative=True)
    return arr


def _treatment_coding(cov: str, col: pd.Series, ref: Any, notes: list[Note]) -> tuple[FloatArray, list[str], Any]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = list(col.cat.categories)
        present = set(col.unique())
        unused = [lv for lv in levels if lv not in present]
        if unused:
            notes.append(Note(f"levels of {cov!r} with no complete row were dropped", len(unused),
                              {"levels": unused}))
            levels = [lv for lv in levels if lv in present]
    else:
        try:
            levels = sorted(col.unique())
        except TypeError:
            levels = sorted(col.unique(), key=str)
    if len(levels) < 2:
        raise InputError("covariates", f"{cov!r} has {len(levels)} level(s) among the complete rows; "
                         "a categorical covariate needs at least 2")
    if ref is None:
        ref = levels[0]
    elif ref not in levels:
        raise InputError("reference", f"{ref!r} is not a level of {cov!r} (levels: {levels})")
    others = [lv for lv in levels if lv != ref]
    values = col.to_numpy()
    mat = np.column_stack([(values == lv).astype(np.float64) for lv in others])  # loop over levels
    return mat, [f"{cov}[{lv}]" for lv in others], ref


def _codes(frame: pd.DataFrame, cols: list[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Stratum codes in sorted level order (as R's ``strata()``) and labels like ``sex=1``."""
    n = len(frame)
    if not cols:
        return np.zeros(n, dtype=np.int64), ("all",)
    grouped = frame.groupby(cols, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy().astype(np.int64)
    keys = [k if isinstance(k, tuple) else (k,) for k in grouped.size().index]
    labels = tuple(", ".join(f"{c}={v}" for c, v in zip(cols, key)) for key in keys)
    return codes, labels
