"""R reference values: loading, leaf walking, and the comparers for the survival-curve blocks.

Protocol (shared by every comparer module; see ``test_reference_coverage.py``)
-----------------------------------------------------------------------------
Each ``tests/data/reference/<dataset>.json`` holds top-level *blocks* (``meta``, ``km``,
``reverse_km_followup``, ``logrank``, ``cox``, ``cox_zph``, ``tests``). A *leaf* is a scalar, a
``null`` or a list of scalars (an empty list included); lists of lists (variance matrices, tables of
counts) are walked row by row, so ``logrank/sex/rho0/var/0`` is the first row. A leaf's *path* is the
keys joined by ``/`` from the JSON root, e.g. ``km/overall/strata/all/table/surv``.

Every block has one comparer

    compare_<block>(dataset_name: str, block: dict, data: pandas.DataFrame) -> dict[str, str]

that runs the asserts for that block (``data`` is the dataset CSV as read back by pandas) and
returns ``{leaf_path: "compared" | "excluded: <reason>"}`` for every leaf it handled, paths relative
to the JSON root. The coverage test fails for any leaf of the block that is missing from the mapping,
for an exclusion without a reason, and for a block whose comparer module cannot be imported.

Where the comparers live:

* ``tests/stats/reference.py`` (this file): ``compare_meta``, ``compare_km``,
  ``compare_reverse_km_followup``, ``compare_logrank``;
* ``tests/stats/reference_cox.py``: ``compare_cox``, ``compare_cox_zph``;
* ``tests/stats/reference_basic.py``: ``compare_tests``.

The easy way to write one is a :class:`Recorder`: ``rec.compare(path, actual, expected)`` asserts
(relative 1e-6, absolute 1e-8 near zero; ``null`` matches None or NaN) and marks every leaf under
``path`` as compared; ``rec.exclude(path, reason)`` marks every leaf under ``path`` as excluded;
``rec.result`` is the mapping to return. Numbers are compared as R stored them (see
``tests/data/reference/README.md`` for the exact R calls and conventions).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.stats import kaplan_meier, kaplan_meier_by, logrank_test, median_followup, median_followup_by
from oncocohort.stats.kaplan_meier import ConfType

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
DATASETS = ("lung", "veteran", "ovarian", "aml")
RTOL = 1e-6
ATOL = 1e-8
CONF_TYPES: tuple[ConfType, ...] = ("log", "log-log", "plain")
COMPARED = "compared"

# block -> (module, function): where each block's comparer lives (see the protocol above).
BLOCK_COMPARERS: dict[str, tuple[str, str]] = {
    "meta": ("tests.stats.reference", "compare_meta"),
    "km": ("tests.stats.reference", "compare_km"),
    "reverse_km_followup": ("tests.stats.reference", "compare_reverse_km_followup"),
    "logrank": ("tests.stats.reference", "compare_logrank"),
    "cox": ("tests.stats.reference_cox", "compare_cox"),
    "cox_zph": ("tests.stats.reference_cox", "compare_cox_zph"),
    "tests": ("tests.stats.reference_basic", "compare_tests"),
}


def load_reference(name: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """The JSON results and the CSV data of one reference dataset."""
    with open(REFERENCE_DIR / f"{name}.json", encoding="utf-8") as fh:
        results = json.load(fh)
    return results, pd.read_csv(REFERENCE_DIR / f"{name}.csv")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf under ``node`` keyed by its path (protocol above)."""
    if isinstance(node, dict) and node:
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(leaves(value, f"{prefix}/{key}" if prefix else str(key)))
        return out
    if isinstance(node, list) and not all(_is_scalar(v) for v in node):
        out = {}
        for i, value in enumerate(node):
            out.update(leaves(value, f"{prefix}/{i}"))
        return out
    return {prefix: node}


def _as_float(values: Any) -> np.ndarray:
    """Expected/actual values as a float array with None -> NaN."""
    if isinstance(values, (list, tuple)):
        return np.array([np.nan if v is None else v for v in _flatten(values)], dtype=np.float64)
    arr = np.asarray(values, dtype=object).ravel()
    return np.array([np.nan if v is None else v for v in arr], dtype=np.float64)


def _flatten(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, (list, tuple)) else [v])
    return out


def assert_close(actual: Any, expected: Any, path: str, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Numbers equal to rtol (atol near zero); ``None`` in ``expected`` requires None or NaN."""
    a, e = _as_float(actual), _as_float(expected)
    assert a.shape == e.shape, f"{path}: shape {a.shape} != R's {e.shape}"
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    assert np.array_equal(nan_a, nan_e), f"{path}: missing values differ: got {a.tolist()}, R {e.tolist()}"
    ok = np.isclose(a[~nan_a], e[~nan_e], rtol=rtol, atol=atol)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise AssertionError(f"{path}: got {a[~nan_a][i]!r}, R has {e[~nan_e][i]!r} (element {i})")


class Recorder:
    """Collects {leaf path: status} for one block while asserting values (protocol above)."""

    def __init__(self, block_name: str, block: dict[str, Any]) -> None:
        self.block_name = block_name
        self._leaves = leaves(block, block_name)
        self.result: dict[str, str] = {}

    def mark(self, path: str, status: str = COMPARED) -> None:
        """Mark every leaf under ``path`` (when the check was done by hand, e.g. an empty warnings list)."""
        hit = [p for p in self._leaves if p == path or p.startswith(path + "/")]
        assert hit, f"{path}: no such leaf in the reference block"
        for p in hit:
            self.result[p] = status

    def compare(self, path: str, actual: Any, expected: Any, **tol: float) -> None:
        if isinstance(expected, str) or (isinstance(expected, list) and any(isinstance(v, str) for v in expected)):
            assert actual == expected, f"{path}: got {actual!r}, R has {expected!r}"
        else:
            assert_close(actual, expected, path, **tol)
        self.mark(path, COMPARED)

    def exclude(self, path: str, reason: str) -> None:
        assert reason, "an exclusion needs a reason"
        self.mark(path, f"excluded: {reason}")


def level_key(level: Any) -> str:
    """A group level as the JSON writes it ("1", not "1.0": R reads whole numbers as integers)."""
    if isinstance(level, float) and level.is_integer():
        return str(int(level))
    return str(level)


# --- comparers -----------------------------------------------------------------------------------


def compare_meta(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    rec = Recorder("meta", block)
    rec.compare("meta/dataset", dataset_name, block["dataset"])
    rec.compare("meta/n_rows", len(data), block["n_rows"])
    rec.compare("meta/n_events", int(data["status"].sum()), block["n_events"])
    rec.compare("meta/columns", list(data.columns), block["columns"])
    for key in block:
        if f"meta/{key}" not in rec.result:
            rec.exclude(f"meta/{key}", "descriptive metadata or an input of the R calls (tau, landmarks, groups)")
    return rec.result


def _curves(block_part: dict[str, Any], data: pd.DataFrame, var: str | None, conf_type: ConfType) -> dict[str, Any]:
    """Our Kaplan–Meier fits keyed as the JSON strata keys ("all" for the overall curve)."""
    if var is None:
        return {"all": kaplan_meier(data["time"], data["status"], conf_type=conf_type)}
    fits = kaplan_meier_by(data["time"], data["status"], data[var], conf_type=conf_type)
    return {level_key(level): fit for level, fit in fits.items()}


def _km_parts(block: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    parts: list[tuple[str, str | None, dict[str, Any]]] = [("overall", None, block["overall"])]
    parts += [(f"by_group/{var}", var, part) for var, part in block.get("by_group", {}).items()]
    return parts


def compare_km(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    rec = Recorder("km", block)
    for where, var, part in _km_parts(block):
        base = f"km/{where}"
        rec.exclude(f"{base}/call", "R call text (descriptive)")
        rec.exclude(f"{base}/rhs", "R formula text (descriptive)")
        for conf_type in CONF_TYPES:
            fits = _curves(part, data, var, conf_type)
            assert sorted(fits) == sorted(part["strata"]), \
                f"{base}: levels {sorted(fits)} != R {sorted(part['strata'])}"
            for key, ref in part["strata"].items():
                fit, at = fits[key], f"{base}/strata/{key}"
                if conf_type == "log":  # conf-type independent parts, once
                    rec.compare(f"{at}/r_label", "all" if var is None else f"{var}={key}", ref["r_label"])
                    rec.compare(f"{at}/n", fit.n, ref["n"])
                    rec.compare(f"{at}/n_events", fit.n_events, ref["n_events"])
                    for col in ref["table"]:
                        rec.compare(f"{at}/table/{col}", fit.table[col].to_numpy(), ref["table"][col])
                    rm = fit.rmst(ref["rmean"]["tau"])
                    rec.exclude(f"{at}/rmean/tau", "input: the RMST horizon passed to rmst()")
                    rec.compare(f"{at}/rmean/rmean", rm.estimate, ref["rmean"]["rmean"])
                    rec.compare(f"{at}/rmean/se_rmean", rm.std_err, ref["rmean"]["se_rmean"])
                ci = ref["ci"][conf_type]
                rec.compare(f"{at}/ci/{conf_type}/lower", fit.lower, ci["lower"])
                rec.compare(f"{at}/ci/{conf_type}/upper", fit.upper, ci["upper"])
                q = ref["quantiles"][conf_type]
                rec.exclude(f"{at}/quantiles/{conf_type}/probs", "input: the probabilities passed to quantile()")
                est = [fit.quantile(p) for p in q["probs"]]
                rec.compare(f"{at}/quantiles/{conf_type}/quantile", [e.estimate for e in est], q["quantile"])
                rec.compare(f"{at}/quantiles/{conf_type}/lower", [e.lower for e in est], q["lower"])
                rec.compare(f"{at}/quantiles/{conf_type}/upper", [e.upper for e in est], q["upper"])
                med = fit.median()
                rec.compare(f"{at}/quantiles/{conf_type}/median", med.estimate, q["median"])
                rec.compare(f"{at}/quantiles/{conf_type}/median_lower", med.lower, q["median_lower"])
                rec.compare(f"{at}/quantiles/{conf_type}/median_upper", med.upper, q["median_upper"])
                lm = ref["landmarks"][conf_type]
                s = fit.survival_at(lm["time"])
                for ours, theirs in [("time", "time"), ("n_risk", "n_risk"), ("n_event", "n_event"),
                                     ("surv", "surv"), ("std_err", "std_err_surv"), ("lower", "lower"),
                                     ("upper", "upper")]:
                    rec.compare(f"{at}/landmarks/{conf_type}/{theirs}", getattr(s, ours), lm[theirs])
    return rec.result


def compare_reverse_km_followup(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    rec = Recorder("reverse_km_followup", block)
    for where, var, part in _km_parts(block):
        base = f"reverse_km_followup/{where}"
        rec.exclude(f"{base}/call", "R call text (descriptive)")
        rec.exclude(f"{base}/rhs", "R formula text (descriptive)")
        for conf_type in CONF_TYPES:
            if var is None:
                ours = {"all": median_followup(data["time"], data["status"], conf_type=conf_type)}
            else:
                by = median_followup_by(data["time"], data["status"], data[var], conf_type=conf_type)
                ours = {level_key(k): v for k, v in by.items()}
            assert sorted(ours) == sorted(part["strata"]), f"{base}: levels differ"
            for key, ref in part["strata"].items():
                r, q, at = ref[conf_type], ours[key], f"{base}/strata/{key}/{conf_type}"
                rec.compare(f"{at}/median", q.estimate, r["median"])
                rec.compare(f"{at}/lower", q.lower, r["lower"])
                rec.compare(f"{at}/upper", q.upper, r["upper"])
    return rec.result


def _parse_stratified(rhs: str) -> tuple[str, str]:
    """("sex", "ph_ecog") from R's right-hand side "sex + strata(ph_ecog)"."""
    group, strata = (s.strip() for s in rhs.split("+"))
    assert strata.startswith("strata(") and strata.endswith(")"), rhs
    return group, strata[len("strata("):-1]


def compare_logrank(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    import warnings

    rec = Recorder("logrank", block)
    for name, part in block.items():
        if name == "stratified":
            group_var, strata_var = _parse_stratified(part["rhs"])
            rec.exclude("logrank/stratified/rhs", "R formula text (parsed for the group and strata columns)")
        else:
            group_var, strata_var = name, None
        for rho_key in ("rho0", "rho1"):
            ref, at = part[rho_key], f"logrank/{name}/{rho_key}"
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # R gave no warnings; neither may we
                res = logrank_test(data["time"], data["status"], data[group_var],
                                   strata=None if strata_var is None else data[strata_var], rho=ref["rho"])
            rec.exclude(f"{at}/call", "R call text (descriptive)")
            rec.exclude(f"{at}/rho", "input: the rho passed to logrank_test()")
            groups = [level_key(g) for g in res.groups]
            rec.compare(f"{at}/groups", groups, ref["groups"])
            rec.compare(f"{at}/r_labels", [f"{group_var}={g}" for g in groups], ref["r_labels"])
            rec.compare(f"{at}/n", res.n, ref["n"])
            rec.compare(f"{at}/observed", res.observed, ref["observed"])
            rec.compare(f"{at}/expected", res.expected, ref["expected"])
            rec.compare(f"{at}/var", res.variance, ref["var"])
            rec.compare(f"{at}/chisq", res.statistic, ref["chisq"])
            rec.compare(f"{at}/df", res.df, ref["df"])
            rec.compare(f"{at}/p", res.p_value, ref["p"])
            assert ref["warnings"] == [], f"{at}: R warned {ref['warnings']}; decide how to mirror that"
            rec.mark(f"{at}/warnings", COMPARED)  # empty in R, and no warning raised above
    return rec.result


# --- coverage ------------------------------------------------------------------------------------


def get_comparer(block_name: str) -> Any:
    """The comparer function of a block; ModuleNotFoundError / AttributeError while it does not exist."""
    import importlib

    module_name, function_name = BLOCK_COMPARERS[block_name]
    return getattr(importlib.import_module(module_name), function_name)


def run_block(dataset_name: str, block_name: str) -> dict[str, str]:
    """Run the comparer of one block (its asserts included) and return its leaf statuses."""
    results, data = load_reference(dataset_name)
    return get_comparer(block_name)(dataset_name, results[block_name], data)


def coverage_problems(block_name: str, block: Any, statuses: dict[str, str]) -> list[str]:
    """Leaves neither compared nor excluded with a reason, and statuses for paths that are no leaf."""
    expected = set(leaves(block, block_name))
    problems = [f"{p}: not compared and not excluded" for p in sorted(expected - set(statuses))]
    problems += [f"{p}: not a leaf of the reference JSON" for p in sorted(set(statuses) - expected)]
    for path, status in sorted(statuses.items()):
        if status != COMPARED and not (status.startswith("excluded: ") and len(status) > len("excluded: ")):
            problems.append(f"{path}: status {status!r} is neither 'compared' nor 'excluded: <reason>'")
    return problems


def count_statuses(statuses: dict[str, str]) -> tuple[int, int]:
    """(compared, excluded) leaf counts."""
    compared = sum(1 for s in statuses.values() if s == COMPARED)
    return compared, len(statuses) - compared
