"""Baseline variables typed for analysis: protocol categories in protocol order, cut-derived groups.

Categorical and binary variables become pandas ``Categorical`` with the protocol's ``levels`` in the
order written (so tables, reference levels and Cox dummies follow the protocol, not the alphabet).
A continuous variable with ``cut`` adds an ordered ``Categorical`` named ``cut.name``: intervals
closed on the left ``[a, b)`` (400 falls in "≥400") or on the right ``(a, b]`` (20 falls in "≤20").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncocohort.protocol.schema import CutPoints, Variable


def _fmt(x: float) -> str:
    return f"{x:g}"


def default_cut_labels(cut: CutPoints) -> list[str]:
    """Labels when the protocol gives none: ``<a``, ``[a, b)``, ``≥b`` (left) or ``≤a``, ``(a, b]``, ``>b``."""
    at = list(cut.at)
    if cut.closed == "left":
        inner = [f"[{_fmt(a)}, {_fmt(b)})" for a, b in zip(at[:-1], at[1:])]
        return [f"<{_fmt(at[0])}", *inner, f"≥{_fmt(at[-1])}"]
    inner = [f"({_fmt(a)}, {_fmt(b)}]" for a, b in zip(at[:-1], at[1:])]
    return [f"≤{_fmt(at[0])}", *inner, f">{_fmt(at[-1])}"]


def derive_cut_variable(values: pd.Series, cut: CutPoints) -> pd.Series:
    """Group a continuous variable at the protocol's cut-points (ordered Categorical, missing stays missing).

    Source: the protocol's ``variables[].cut`` (e.g. AFP ≥ 400 ng/ml in seed 001, Table I).

    Steps
    -----
    1. Bins (−∞, a₁, …, a_k, +∞); ``closed: left`` → [a, b) intervals, ``right`` → (a, b].
    2. Labels from the protocol, else :func:`default_cut_labels`.
    """
    bins = [-np.inf, *cut.at, np.inf]
    labels = list(cut.labels) if cut.labels is not None else default_cut_labels(cut)
    grouped = pd.cut(pd.to_numeric(values, errors="coerce").astype("float64"), bins=bins,
                     right=cut.closed == "right", labels=labels, ordered=True)
    return pd.Series(grouped, index=values.index, name=cut.name)


def type_categorical_variable(values: pd.Series, variable: Variable) -> pd.Series:
    """A categorical/binary variable as ``Categorical`` with the protocol's level order (not ordered).

    Values are compared as text (``0`` and ``"0"`` are the same ECOG level); a value outside the levels
    becomes missing (validation has already reported it).
    """
    text = values.astype("string").str.strip()
    num = pd.to_numeric(values, errors="coerce") if pd.api.types.is_numeric_dtype(values) else None
    if num is not None:  # 1.0 read from a numeric column is level "1"
        whole = num.notna() & (num == np.floor(num.fillna(0)))
        text = text.mask(whole, num.round().astype("Int64").astype("string"))
    cat = pd.Categorical(text.to_numpy(dtype=object, na_value=None), categories=list(variable.levels or []))
    return pd.Series(cat, index=values.index, name=variable.name)


def type_baseline_variables(patients: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """The protocol's variables of ``patients``, typed; cut-derived groups added after their source.

    Steps
    -----
    1. categorical / binary → :func:`type_categorical_variable`; continuous → float64; date → datetime64.
    2. Each ``cut`` → :func:`derive_cut_variable` named ``cut.name``.
    3. Variables absent from the table are skipped (optional variables a study did not record).
    """
    out: dict[str, pd.Series] = {}
    for var in variables:
        if var.name not in patients.columns:
            continue
        col = patients[var.name]
        if var.type in ("categorical", "binary"):
            out[var.name] = type_categorical_variable(col, var)
        elif var.type == "continuous":
            out[var.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        else:
            out[var.name] = pd.to_datetime(col, errors="coerce")
        if var.cut is not None:
            out[var.cut.name] = derive_cut_variable(out[var.name], var.cut)
    return pd.DataFrame(out, index=patients.index)
