"""Comparers for the ``cox`` and ``cox_zph`` blocks of the R reference JSON files.

Each comparer refits every model of its block with :func:`oncocohort.stats.cox.cox_ph`, asserts
every number against R (survival 3.5-3; tests/data/reference/README.md) and returns
``{leaf_path: "compared" | "excluded: <reason>"}`` for every leaf of the block. A leaf is a scalar,
a null or a list of scalars; a list holding lists (a variance matrix) is entered with the list
index as key (``.../var/0``). Paths start at the JSON root: ``cox/multivariable/efron/...``.

Tolerances: relative 1e-6 everywhere, with an absolute floor of 1e-8 for coefficients (the README:
R stops at eps = 1e-9, so its coefficients are good to ~5e-8 relative / 1e-11 absolute) and 1e-12
for everything else (only exact zeros need a floor). Integers (n, df, iter) must match exactly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.stats.cox import CoxResult, cox_ph

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
RTOL = 1e-6
ATOL_COEF = 1e-8
ATOL = 1e-12

_INPUT = "excluded: input that defines the model (formula/weights column), used to set up the fit"
_CALL = "excluded: the R call text documents how the reference was made; not a computed value"


def _close(actual: Any, expected: Any, path: str, *, atol: float = ATOL) -> None:
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{path}: shape {a.shape} != R {e.shape}"
    ok = np.abs(a - e) <= atol + RTOL * np.abs(e)
    assert ok.all(), f"{path}: got {a.tolist()} expected {e.tolist()}"


def _equal(actual: Any, expected: Any, path: str) -> None:
    assert actual == expected, f"{path}: got {actual!r} expected {expected!r}"


def _parse(rhs: str, call: str) -> dict[str, Any]:
    """Covariates, strata, cluster, ties, weights and robust flag from the R formula and call."""
    covs, strata, cluster = [], [], None
    for term in (t.strip() for t in rhs.split("+")):
        m = re.fullmatch(r"(strata|cluster)\((\w+)\)", term)
        if m and m.group(1) == "strata":
            strata.append(m.group(2))
        elif m:
            cluster = m.group(2)
        else:
            covs.append(term)
    ties = re.search(r'ties = "(\w+)"', call).group(1)
    weights = re.search(r"weights = (\w+)", call)
    robust = re.search(r"robust = (TRUE|FALSE)", call)
    return {"covariates": covs, "strata": strata or None, "cluster": cluster, "ties": ties,
            "weights": weights.group(1) if weights else None,
            "robust": None if robust is None else robust.group(1) == "TRUE"}


def _fit(data: pd.DataFrame, spec: dict[str, Any]) -> CoxResult:
    return cox_ph(data, "time", "status", spec["covariates"], ties=spec["ties"], strata=spec["strata"],
                  weights=spec["weights"], cluster=spec["cluster"], robust=spec["robust"])


def _leaves(node: Any, path: str, out: dict[str, str], status: str) -> None:
    """Mark every leaf under ``node`` with ``status`` (used for excluded sub-blocks)."""
    if isinstance(node, dict):
        for k, v in node.items():
            _leaves(v, f"{path}/{k}", out, status)
    elif isinstance(node, list) and any(isinstance(v, (list, dict)) for v in node):
        for i, v in enumerate(node):
            _leaves(v, f"{path}/{i}", out, status)
    else:
        out[path] = status


def _compare_matrix(actual: pd.DataFrame, expected: list[list[float]], path: str, out: dict[str, str]) -> None:
    for i, row in enumerate(expected):
        _close(actual.to_numpy()[i], row, f"{path}/{i}")
        out[f"{path}/{i}"] = "compared"


def _compare_model(fit: CoxResult, ref: dict[str, Any], path: str, out: dict[str, str]) -> None:
    """Assert every leaf of one fitted-model block (see the README's ``cox`` field list)."""
    params = fit.params
    for key, value in ref.items():
        p = f"{path}/{key}"
        if key == "call":
            out[p] = _CALL
        elif key == "ties":
            _equal(fit.ties, value, p)
            out[p] = "compared"
        elif key == "robust":
            _equal(fit.robust, value, p)
            out[p] = "compared"
        elif key == "terms":
            _equal(list(params.index), value, p)
            out[p] = "compared"
        elif key in ("n", "nevent"):
            _equal(fit.n if key == "n" else fit.n_events, value, p)
            out[p] = "compared"
        elif key == "iter":
            _equal(fit.iterations, value, p)
            out[p] = "compared"
        elif key == "loglik_null":
            _close(fit.loglik_null, value, p)
            out[p] = "compared"
        elif key == "loglik_final":
            _close(fit.loglik, value, p)
            out[p] = "compared"
        elif key in ("lr_test", "wald_test", "score_test", "robust_score_test"):
            name = {"lr_test": "likelihood_ratio", "wald_test": "wald", "score_test": "score",
                    "robust_score_test": "robust_score"}[key]
            test = fit.tests[name]
            _close(test.statistic, value["stat"], f"{p}/stat")
            _equal(test.df, value["df"], f"{p}/df")
            _close(test.p_value, value["p"], f"{p}/p")
            out.update({f"{p}/stat": "compared", f"{p}/df": "compared", f"{p}/p": "compared"})
        elif key == "concordance":
            _close(fit.concordance.c, value["c"], f"{p}/c")
            _close(fit.concordance.se, value["se"], f"{p}/se")
            out.update({f"{p}/c": "compared", f"{p}/se": "compared"})
        elif key == "means":
            for term, v in value.items():
                _close(fit.means[term], v, f"{p}/{term}")
                out[f"{p}/{term}"] = "compared"
        elif key in ("var", "naive_var"):
            _compare_matrix(fit.var if key == "var" else fit.naive_var, value, p, out)
        elif key == "warnings":
            _equal(bool(fit.warnings), bool(value), p)
            if value:
                assert all("infinite" in w for w in value) and any("infinite" in w for w in fit.warnings), p
            out[p] = "compared"
        elif key == "coefficients":
            _compare_coefficients(fit, value, p, out)
        else:
            raise AssertionError(f"{p}: unknown key in the reference")


def _compare_coefficients(fit: CoxResult, ref: dict[str, Any], path: str, out: dict[str, str]) -> None:
    columns = {"coef": "coef", "exp_coef": "hr", "se_coef": "se", "robust_se": "robust_se", "z": "z",
               "p": "p", "hr_lower95": "hr_lower", "hr_upper95": "hr_upper"}
    for term, fields in ref.items():
        for name, value in fields.items():
            p = f"{path}/{term}/{name}"
            if term in fit.infinite_terms:
                out[p] = ("excluded: coefficient flagged infinite by R: not a meaningful number; "
                          "the warning and LR/score tests are compared")
                continue
            _close(fit.params.loc[term, columns[name]], value, p, atol=ATOL_COEF if name == "coef" else ATOL)
            out[p] = "compared"


def compare_cox(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    """Refit and assert every model of ``<dataset>.json["cox"]``; returns the leaf statuses."""
    out: dict[str, str] = {}
    for section, content in block.items():
        base = f"cox/{section}"
        if section == "univariable":
            for name, models in content.items():
                _compare_section(data, models, f"{base}/{name}", out)
        else:
            _compare_section(data, content, base, out)
    return out


def _compare_section(data: pd.DataFrame, section: dict[str, Any], base: str, out: dict[str, str]) -> None:
    rhs = section["rhs"]
    for key, value in section.items():
        path = f"{base}/{key}"
        if key in ("rhs", "weights"):
            out[path] = _INPUT
        elif key.startswith("basehaz_"):
            ties = key.removeprefix("basehaz_")
            fit = _fit(data, _parse(rhs, f'ties = "{ties}"'))
            bh = fit.baseline_hazard()
            out[f"{path}/call"] = _CALL
            _close(bh["time"].to_numpy(), value["time"], f"{path}/time")
            _close(bh["hazard"].to_numpy(), value["hazard"], f"{path}/hazard")
            out[f"{path}/time"] = out[f"{path}/hazard"] = "compared"
        elif value.get("ties") == "exact":
            _leaves(value, path, out, "excluded: exact ties (ties = 'exact') not implemented")
        else:
            spec = _parse(rhs, value["call"])
            _compare_model(_fit(data, spec), value, path, out)


def compare_cox_zph(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    """Assert every ``cox.zph`` table of ``<dataset>.json["cox_zph"]`` (model formulas from its ``cox`` block)."""
    cox_block = json.loads((REFERENCE_DIR / f"{dataset_name}.json").read_text())["cox"]
    out: dict[str, str] = {}
    for model, transforms in block.items():
        section, ties = model.rsplit("_", 1)
        fit = _fit(data, _parse(cox_block[section]["rhs"], f'ties = "{ties}"'))
        for transform, ref in transforms.items():
            base = f"cox_zph/{model}/{transform}"
            table = fit.ph_test(transform).table
            out[f"{base}/call"] = _CALL
            _equal(list(table.index), list(ref["table"]), f"{base}/table")
            for term, row in ref["table"].items():
                p = f"{base}/table/{term}"
                _close(table.loc[term, "chisq"], row["chisq"], f"{p}/chisq")
                _equal(int(table.loc[term, "df"]), row["df"], f"{p}/df")
                _close(table.loc[term, "p"], row["p"], f"{p}/p")
                out.update({f"{p}/chisq": "compared", f"{p}/df": "compared", f"{p}/p": "compared"})
            _equal([], ref["warnings"], f"{base}/warnings")
            out[f"{base}/warnings"] = "compared"
    return out
