"""Figures checked by content: what the artists draw equals the numbers in results.json."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oncocohort.report.figures import (
    figure_plan, km_specs, plot_afp, plot_flow, plot_forest, plot_km, plot_swimmer, plot_waterfall, render_figures,
)
from oncocohort.report.figures.km import shown_times
from oncocohort.report.figures.style import figure_style


def _texts(fig: Any, prefix: str) -> list[Any]:
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if (a := t.get_gid()) and a.startswith(prefix)]


def _gids(fig: Any, prefix: str) -> list[Any]:
    return [a for a in fig.findobj() if (g := a.get_gid()) and isinstance(g, str) and g.startswith(prefix)]


def _exact(fig: Any, gid: str) -> list[Any]:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_km_at_risk_table_matches_the_km_data_at_the_printed_times(results: dict[str, Any]) -> None:
    spec = next(s for s in km_specs(results) if s.name == "km_os_by_arm")
    with figure_style():
        fig = plot_km(spec, synthetic=True)
    main = fig.axes[0]
    printed = list(main.get_xticks())
    grid = results["survival"]["os"]["at_risk_times"]
    assert printed == pytest.approx(shown_times(grid))
    for arm in ("ici", "ici_mwa"):
        at_risk = results["survival"]["os"]["by_arm"][arm]["curve"]["at_risk"]
        expected = {round(t, 9): n for t, n in zip(at_risk["time"], at_risk["n"], strict=True)}
        cells = _exact(fig, f"at-risk:{arm}")
        assert len(cells) == len(printed)
        for cell in cells:
            x, _ = cell.get_position()
            assert int(cell.get_text()) == expected[round(x, 9)]
        # the label row names the arm
        assert [t.get_text() for t in _exact(fig, f"at-risk-label:{arm}")] == [
            next(a["label"] for a in results["study"]["arms"] if a["id"] == arm)]


def test_km_curves_censor_marks_and_annotation(results: dict[str, Any]) -> None:
    spec = next(s for s in km_specs(results) if s.name == "km_os_by_arm")
    with figure_style():
        fig = plot_km(spec, synthetic=False)
    block = results["survival"]["os"]
    for arm in ("ici", "ici_mwa"):
        curve = block["by_arm"][arm]["curve"]
        (line,) = _exact(fig, f"km-curve:{arm}")
        assert list(line.get_xdata()) == pytest.approx(curve["time"])
        assert list(line.get_ydata()) == pytest.approx(curve["surv"])
        (ticks,) = _exact(fig, f"km-censor:{arm}")
        assert list(ticks.get_xdata()) == pytest.approx(curve["censor_times"])
        has_median = block["by_arm"][arm]["median"] is not None
        assert len(_exact(fig, f"km-median:{arm}")) == int(has_median)
    (note,) = _texts(fig, "km-annotation")
    p = block["logrank_p"]
    assert f"Log-rank P = {p:.3f}" in note.get_text()
    assert f"HR {block['hr']['hr']:.2f}" in note.get_text()
    assert not _texts(fig, "synthetic-label")
    assert _exact(fig, "km-ci:ici")
    with figure_style():
        no_band = plot_km(spec, synthetic=False, show_ci=False)
    assert not _exact(no_band, "km-ci:ici")


def test_every_figure_of_synthetic_data_is_labelled(results: dict[str, Any]) -> None:
    assert results["study"]["synthetic"] is True
    with figure_style():
        for kind, name, *_rest in figure_plan(results):
            fig = _rest[2]()
            if fig is None:
                continue
            labels = _texts(fig, "synthetic-label")
            assert [t.get_text() for t in labels] == ["SYNTHETIC DATA"], name


def test_waterfall_one_bar_per_patient_with_measurements(results: dict[str, Any]) -> None:
    bars = [b for b in results["plots"]["waterfall"]["bars"] if b["best_pct_change"] is not None]
    with figure_style():
        fig = plot_waterfall(results, synthetic=True)
    patches = _gids(fig, "waterfall-bar:")
    assert sorted(p.get_gid().split(":", 1)[1] for p in patches) == sorted(b["patient_id"] for b in bars)
    height = {p.get_gid().split(":", 1)[1]: p.get_height() for p in patches}
    for b in bars:
        assert height[b["patient_id"]] == pytest.approx(b["best_pct_change"])
    lines = {g.get_gid() for g in _gids(fig, "waterfall-line:")}
    assert lines == {"waterfall-line:20", "waterfall-line:-30"}


def test_forest_has_one_row_per_subgroup_level(results: dict[str, Any]) -> None:
    rows = results["subgroups"]["os"]
    with figure_style():
        fig = plot_forest(results, "os", synthetic=True)
    labels = _texts(fig, "forest-row:")
    assert len(labels) == len(rows)
    assert [t.get_text() for t in labels] == [str(r["level"]) for r in rows]
    markers = _gids(fig, "forest-hr:")
    estimable = [r for r in rows if None not in (r.get("hr"), r.get("hr_lower"), r.get("hr_upper"))]
    assert len(markers) == len(estimable)
    for m in markers:
        _, var, level = m.get_gid().split(":", 2)
        row = next(r for r in rows if r["variable"] == var and str(r["level"]) == level)
        assert m.get_xdata()[0] == pytest.approx(row["hr"])


def test_swimmer_lanes_markers_and_procedures(results: dict[str, Any]) -> None:
    lanes = results["plots"]["swimmer"]["lanes"]
    with figure_style():
        fig = plot_swimmer(results, synthetic=True)
    bars = _gids(fig, "swimmer-lane:")
    assert len(bars) == len(lanes)
    width = {b.get_gid().split(":", 1)[1]: b.get_width() for b in bars}
    for lane in lanes:
        expected = lane["end_time"] if lane["treatment_end_time"] is None else lane["treatment_end_time"]
        assert width[lane["patient_id"]] == pytest.approx(expected)

    def n_points(gid: str) -> int:
        return sum(len(a.get_xdata()) for a in _exact(fig, gid))

    assert n_points("swimmer-death") == sum(bool(lane["death"]) for lane in lanes)
    assert n_points("swimmer-ongoing") == sum(bool(lane["ongoing"]) and not lane["death"] for lane in lanes)
    assert n_points("swimmer-progression") == sum(lane["progression_time"] is not None for lane in lanes)
    assert n_points("swimmer-response") == sum(lane["first_response_time"] is not None for lane in lanes)
    procs = sum(len(a.get_xdata()) for a in _gids(fig, "swimmer-procedure:"))
    assert procs == sum(len(lane["procedures"]) for lane in lanes)


def test_flow_and_afp_show_the_counts_and_the_responders(results: dict[str, Any]) -> None:
    flow = results["flow"]
    with figure_style():
        fig = plot_flow(results, synthetic=True)
        afp = plot_afp(results, synthetic=True)
    (screened,) = _texts(fig, "flow-screened")
    assert f"n={flow['screened']}" in screened.get_text()
    for arm, n in flow["analysed"].items():
        (box,) = _exact(fig, f"flow-analysed:{arm}")
        assert f"n={n}" in box.get_text()
    patients = results["plots"]["afp"]["patients"]
    lines = _gids(afp, "afp-line:")
    assert len(lines) == len(patients)
    for line in lines:
        p = next(x for x in patients if x["patient_id"] == line.get_gid().split(":", 1)[1])
        assert list(line.get_ydata()) == pytest.approx(p["value"])


def test_render_figures_writes_each_format_with_kind_prefixes(results: dict[str, Any], tmp_path: Any) -> None:
    outs = render_figures(results, tmp_path, formats=("png", "svg", "pdf"), dpi=50,
                          only=lambda name: name in ("km_os_by_arm", "waterfall"))
    names = sorted(p.name for o in outs for p in o.paths)
    assert names == ["km_os_by_arm.pdf", "km_os_by_arm.png", "km_os_by_arm.svg",
                     "waterfall.pdf", "waterfall.png", "waterfall.svg"]
    assert (tmp_path / "km_os_by_arm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "SYNTHETIC DATA" in (tmp_path / "waterfall.svg").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="allowed: png, svg, pdf"):
        render_figures(results, tmp_path, formats=("tiff",))


def test_report_figure_files_start_with_their_kind(report_run: Any) -> None:
    names = [p.name for p in (report_run.out_dir / "figures").iterdir()]
    assert names and all(n.split("_")[0].split(".")[0] in ("km", "waterfall", "swimmer", "forest", "flow", "afp")
                         for n in names)
    for stem in ("flow", "waterfall", "swimmer", "km_os_overall", "km_os_by_arm", "km_pfs_by_arm", "forest_os",
                 "afp_responders"):
        assert f"{stem}.png" in names
    assert np.all([(report_run.out_dir / "figures" / n).stat().st_size > 1000 for n in names])


def test_every_km_figure_prints_the_at_risk_numbers_of_its_curves(results: dict[str, Any]) -> None:
    """Overall, by-arm and subgroup figures: each row's numbers = that curve's at_risk.n at the ticks."""
    specs = list(km_specs(results))
    assert {s.meta["group"] for s in specs} >= {"overall", "arm", "subgroup"}
    with figure_style():
        for spec in specs:
            fig = plot_km(spec, synthetic=True)
            ticks = [round(t, 9) for t in fig.axes[0].get_xticks()]
            for g in spec.groups:
                at_risk = g.block["curve"]["at_risk"]
                expected = {round(t, 9): n for t, n in zip(at_risk["time"], at_risk["n"], strict=True)}
                cells = _exact(fig, f"at-risk:{g.key}")
                assert sorted(round(c.get_position()[0], 9) for c in cells) == sorted(ticks), spec.name
                assert all(int(c.get_text()) == expected[round(c.get_position()[0], 9)] for c in cells), spec.name
