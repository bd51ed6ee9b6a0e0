"""A single-arm study: no between-arm columns, curves per subgroup level, level hazard ratios."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from oncocohort.analysis import analyze
from oncocohort.endpoints import derive_study
from oncocohort.report.figures import render_figures
from oncocohort.report.tables import build_tables
from oncocohort.report.text import results_sections
from oncocohort.validate import load_study

SINGLE_ARM = (Path(__file__).resolve().parents[2]
              / "src/oncocohort/protocol/examples/oligomet-ablation-lenvatinib-pd1/protocol.yaml")


@pytest.fixture(scope="module")
def single_arm() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(derive_study(load_study(SINGLE_ARM))).to_dict()


def test_single_arm_tables_have_no_p_column(single_arm: dict[str, Any]) -> None:
    assert single_arm["settings"]["two_arm"] is False
    tables = {t.key: t for t in build_tables(single_arm)}
    base = tables["table1_baseline"]
    assert base.columns == ("Variables", f"All patients (n={single_arm['baseline']['n_overall']})")
    resp = tables["table2_response"]
    assert "P-value" not in resp.columns
    orr = single_arm["response"]["overall"]["orr"]
    row = next(r for r in resp.rows if r.cells[0].startswith("ORR"))
    assert row.cells[1].startswith(f"{orr['estimate'] * 100:.1f} (")
    assert all("P-value" not in c for c in tables["table5_safety"].columns)
    text = " ".join(p for _, ps in results_sections(single_arm) for p in ps)
    assert f"ORR was {orr['estimate'] * 100:.1f}%" in text


def test_single_arm_figures_per_level_and_forest_with_level_hrs(single_arm: dict[str, Any]) -> None:
    outs = render_figures(single_arm, None, dpi=30, workers=1)
    names = [o.name for o in outs]
    assert "km_os_overall" in names and not any(n.endswith("_by_arm") for n in names)
    for var in single_arm["settings"]["subgroups"]:
        assert f"km_os_by_{var}" in names
    assert all(o.png[:4] == b"\x89PNG" for o in outs)
