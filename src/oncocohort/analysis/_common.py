"""Shared conventions of the analysis stage: arms, populations, missing statistics, JSON-ready values.

Null-with-reason convention (results.json and every ``to_dict()``): a statistic ``x`` that does not
apply or cannot be computed is ``null`` and a sibling key ``x_reason`` (a sentence) says why, e.g.
``"orr_p": null, "orr_p_reason": "single-arm study: no between-arm comparison"``. A number is
always finite: NaN and ±inf never reach JSON (:func:`put_stat` turns them into null + reason).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.protocol import Protocol

DAYS_PER_MONTH = 30.4375
"""Days per month (365.25 / 12), the convention of the endpoints stage (time_months)."""

SINGLE_ARM_REASON = "single-arm study: no between-arm comparison"
NOT_REACHED_REASON = "not reached: the Kaplan-Meier curve (or its confidence band) stays above 0.5"
NOT_COMPUTABLE_REASON = "not computable from these data"


def finite_or_none(value: Any) -> float | None:
    """A Python float, or None for None / NaN / ±inf / pandas NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def put_stat(out: dict[str, Any], key: str, value: Any, reason: str | None = None) -> None:
    """Set ``out[key]`` to a finite float, or to None with ``out[key + "_reason"]`` (null-with-reason)."""
    v = finite_or_none(value)
    out[key] = v
    if v is None:
        out[f"{key}_reason"] = reason or NOT_COMPUTABLE_REASON


def float_list(values: Any) -> list[float | None]:
    """An array as a JSON list: finite floats, None where NaN / inf (e.g. a CI limit where S = 0)."""
    arr = np.asarray(values, dtype=np.float64)
    return [float(v) if math.isfinite(v) else None for v in arr.tolist()]


def is_two_arm(protocol: Protocol) -> bool:
    return protocol.study.design == "two-arm" and len(protocol.arms) == 2


def analysed_only(adsl: pd.DataFrame) -> pd.DataFrame:
    """The analysis population: rows with ``analysed`` true (all rows when the column is absent)."""
    if "analysed" not in adsl.columns:
        return adsl
    flag = adsl["analysed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return adsl.loc[flag]


def arm_values(frame: pd.DataFrame) -> pd.Series:
    """The arm id column as plain strings (missing stays missing)."""
    return frame["arm"].astype("string")


def arm_sizes(frame: pd.DataFrame, arms: list[str]) -> dict[str, int]:
    counts = arm_values(frame).value_counts()
    return {a: int(counts.get(a, 0)) for a in arms}


_PLAIN = {float, int, str, type(None)}


def json_ready(obj: Any) -> Any:
    """Recursively convert numpy / pandas scalars and containers into JSON types (NaN → None)."""
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        if {type(v) for v in obj} <= _PLAIN:  # fast path for long plotted arrays of plain numbers
            return [v if type(v) is not float or math.isfinite(v) else None for v in obj]
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_ready(v) for v in obj.tolist()]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return finite_or_none(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.date().isoformat()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def months_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """(end − start) in months (days / 30.4375); NaN where either date is missing."""
    days = (pd.to_datetime(end) - pd.to_datetime(start)).dt.days
    return days.astype("float64") / DAYS_PER_MONTH


class EndpointMapping(Mapping[str, Any]):
    """Read-only mapping of endpoint key (os, pfs, ttp, dor) to that endpoint's result.

    Shared base of the per-endpoint summaries; subclasses are frozen dataclasses with one field,
    ``endpoints``, whose values have a ``to_dict()``.
    """

    __slots__ = ()
    endpoints: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.endpoints[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.endpoints)

    def __len__(self) -> int:
        return len(self.endpoints)

    def to_dict(self) -> dict[str, Any]:
        return {k: v.to_dict() for k, v in self.endpoints.items()}
