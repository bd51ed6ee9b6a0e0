"""Compare the ``tests`` block of an R reference file (tests/data/reference/<dataset>.json) with
oncocohort's classical tests, recomputing every table, sample and count from the dataset's CSV.

``compare_tests(dataset_name, block, data)`` asserts each value and returns, for every leaf of the
block (leaf = scalar, null or list of scalars; lists holding lists are walked by index), its path
from the JSON root ("tests/tables/sex_x_status/fisher/p") mapped to ``"compared"`` or
``"excluded: <reason>"``. A leaf the function does not recognise is reported as excluded with that
reason, so a coverage test sees new fields instead of silently passing them.

Tolerances (tests/data/reference/README.md): relative 1e-6 for statistics and p-values (the
values here agree far closer: Fisher p to ~1e-11, χ² and Wilcoxon to ~1e-15). R computes the
conditional-MLE odds ratio and its CI with ``uniroot`` at its default tolerance
``.Machine$double.eps^0.25`` ≈ 1.22e-4 on the root — on ψ when the root is below 1 and on 1/ψ
above 1 (``fisher.test`` solves for 1/ψ there) — while oncocohort solves to ~1e-14. The README's
"~1e-5 relative" holds for most limits but not, e.g., aml's lower limit 0.002974 (exact root
0.002980: 6.6e-6 absolute, inside uniroot's tolerance). So an OR value passes when it is within
1e-5 relative OR within uniroot's tolerance on R's own solving scale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.stats.binomial import binomial_test, proportion_estimate
from oncocohort.stats.contingency import chi_square_test, fisher_exact
from oncocohort.stats.rank_tests import mann_whitney_u

REL = 1e-6
OR_REL = 1e-5
UNIROOT_TOL = float(np.finfo(float).eps) ** 0.25  # R: uniroot(tol = .Machine$double.eps^0.25)

COMPARED = "compared"


def compare_tests(dataset_name: str, block: dict[str, Any], data: pd.DataFrame) -> dict[str, str]:
    """Assert every comparable value of ``block`` (= json["tests"]) and account for every leaf."""
    out: dict[str, str] = {}
    for name, tb in block.get("tables", {}).items():
        _compare_table(f"tests/tables/{name}", tb, data, out)
    for name, wb in block.get("wilcox", {}).items():
        _compare_wilcox(f"tests/wilcox/{name}", wb, data, out)
    for name, bb in block.get("binom", {}).items():
        _compare_binom(f"tests/binom/{name}", bb, data, out)
    for path in iter_leaf_paths(block, "tests"):
        out.setdefault(path, f"excluded: field not recognised by compare_tests ({dataset_name})")
    return out


def iter_leaf_paths(node: Any, prefix: str) -> Iterator[str]:
    """Paths of the leaves under ``node`` (scalars, nulls and lists of scalars)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_leaf_paths(value, f"{prefix}/{key}")
    elif isinstance(node, list) and any(isinstance(v, (dict, list)) for v in node):
        for i, value in enumerate(node):
            yield from iter_leaf_paths(value, f"{prefix}/{i}")
    else:
        yield prefix


# ---------------------------------------------------------------------------------------------
def _compare_table(path: str, tb: dict[str, Any], data: pd.DataFrame, out: dict[str, str]) -> None:
    rows, cols = data[tb["row_var"]], data[tb["col_var"]]
    keep = rows.notna() & cols.notna()  # R's table() drops NA
    tab = pd.crosstab(rows[keep], cols[keep])
    out[f"{path}/row_var"] = "excluded: input (column tabulated in rows)"
    out[f"{path}/col_var"] = "excluded: input (column tabulated in columns)"
    _equal([_r_text(v) for v in tab.index], tb["row_levels"], f"{path}/row_levels", out)
    _equal([_r_text(v) for v in tab.columns], tb["col_levels"], f"{path}/col_levels", out)
    counts = tab.to_numpy()
    for i, row in enumerate(tb["counts"]):
        _equal(counts[i].tolist(), row, f"{path}/counts/{i}", out)

    fb = tb["fisher"]
    fisher = fisher_exact(counts)
    out[f"{path}/fisher/call"] = "excluded: R call text"
    _close(fisher.p, fb["p"], REL, f"{path}/fisher/p", out)
    _equal(list(()), fb["warnings"], f"{path}/fisher/warnings", out)  # fisher_exact never warns
    if "odds_ratio_cond_mle" in fb:
        _close_uniroot(fisher.odds_ratio, fb["odds_ratio_cond_mle"], f"{path}/fisher/odds_ratio_cond_mle", out)
    if "or_ci95" in fb:
        got = [fisher.or_lower, fisher.or_upper]
        for g, e in zip(got, fb["or_ci95"]):
            _close_uniroot(g, e, f"{path}/fisher/or_ci95", out)

    for variant, correct in (("correct_false", False), ("correct_true", True)):
        cb = tb["chisq"][variant]
        res = chi_square_test(counts, correct=correct)
        p = f"{path}/chisq/{variant}"
        out[f"{p}/call"] = "excluded: R call text"
        _close(res.statistic, cb["statistic"], REL, f"{p}/statistic", out)
        _equal(res.df, cb["df"], f"{p}/df", out)
        _close(res.p, cb["p"], REL, f"{p}/p", out)
        _close(res.min_expected, cb["min_expected"], REL, f"{p}/min_expected", out)
        _equal(list(res.warnings), cb["warnings"], f"{p}/warnings", out)
    if "note" in tb["chisq"]:
        out[f"{path}/chisq/note"] = "excluded: documentation text"


def _compare_wilcox(path: str, wb: dict[str, Any], data: pd.DataFrame, out: dict[str, str]) -> None:
    group = data[wb["group"]]
    levels = sorted(group.dropna().unique())
    out[f"{path}/var"] = "excluded: input (variable tested)"
    out[f"{path}/group"] = "excluded: input (grouping column)"
    out[f"{path}/note"] = "excluded: documentation text"
    _equal([_r_text(v) for v in levels], wb["group_levels"], f"{path}/group_levels", out)
    x = data.loc[group == levels[0], wb["var"]]
    y = data.loc[group == levels[1], wb["var"]]
    for variant, correct in (("correct_true", True), ("correct_false", False)):
        res = mann_whitney_u(x, y, exact=False, correct=correct)
        p = f"{path}/{variant}"
        out[f"{p}/call"] = "excluded: R call text"
        _close(res.W, wb[variant]["W"], REL, f"{p}/W", out)
        _close(res.p, wb[variant]["p"], REL, f"{p}/p", out)
        _equal(list(res.warnings), wb[variant]["warnings"], f"{p}/warnings", out)
        _equal([res.n_x, res.n_y], wb["n"], f"{path}/n", out)


def _compare_binom(path: str, bb: dict[str, Any], data: pd.DataFrame, out: dict[str, str]) -> None:
    m = re.search(r"sum\((\w+) == ([^)\s]+)\)", bb["what"])
    if m is None:
        raise AssertionError(f"{path}/what: cannot parse {bb['what']!r}")
    column = data[m.group(1)].dropna()
    x, n = int((column == float(m.group(2))).sum()), int(column.size)
    out[f"{path}/what"] = "excluded: documentation text (parsed to recount x and n)"
    out[f"{path}/call"] = "excluded: R call text"
    out[f"{path}/p0"] = "excluded: input (null proportion)"
    _equal(x, bb["x"], f"{path}/x", out)
    _equal(n, bb["n"], f"{path}/n", out)
    est = proportion_estimate(x, n)
    _close(est.estimate, bb["estimate"], REL, f"{path}/estimate", out)
    for g, e in zip((est.lower, est.upper), bb["ci95_clopper_pearson"]):
        _close(g, e, REL, f"{path}/ci95_clopper_pearson", out)
    _close(binomial_test(x, n, p=bb["p0"]), bb["p"], REL, f"{path}/p", out)


# ---------------------------------------------------------------------------------------------
def _r_text(v: Any) -> str:
    """Level text as R's as.character(): 1.0 -> "1" (a numeric column with NA is float here)."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _equal(actual: Any, expected: Any, path: str, out: dict[str, str]) -> None:
    if actual != expected:
        raise AssertionError(f"{path}: got {actual!r}, R gives {expected!r}")
    out[path] = COMPARED


def _close(actual: float | None, expected: float | None, rel: float, path: str, out: dict[str, str]) -> None:
    if expected is None or actual is None:
        if actual is not expected:
            raise AssertionError(f"{path}: got {actual!r}, R gives {expected!r}")
    elif not abs(actual - expected) <= rel * abs(expected):
        raise AssertionError(f"{path}: got {actual!r}, R gives {expected!r} (rel tol {rel})")
    out[path] = COMPARED


def _close_uniroot(actual: float | None, expected: float, path: str, out: dict[str, str]) -> None:
    if actual is None:
        raise AssertionError(f"{path}: got None, R gives {expected!r}")
    if abs(actual - expected) <= OR_REL * abs(expected):
        out[path] = COMPARED
        return
    # R's solving scale: ψ itself below 1, 1/ψ above 1 (fisher.test's ncp.U / ncp.L / mle)
    scale = (lambda v: v) if expected <= 1 else (lambda v: 1.0 / v)
    if not abs(scale(actual) - scale(expected)) <= UNIROOT_TOL:
        raise AssertionError(f"{path}: got {actual!r}, R gives {expected!r} (beyond uniroot tolerance)")
    out[path] = COMPARED
