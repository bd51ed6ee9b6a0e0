"""Forest plot of subgroup hazard ratios: one row per subgroup level (after the "All patients" row),
the HR and its confidence interval on a log axis, events/patients per arm, and the interaction P on
each variable's heading row. Rows come from results.json ``subgroups.<endpoint>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from oncocohort.report.figures.style import DOUBLE_COLUMN_IN, add_synthetic_label, fmt_p, new_figure


def _hr_keys(two_arm: bool) -> tuple[str, str, str, str]:
    return ("hr", "hr_lower", "hr_upper", "hr_p") if two_arm else ("level_hr", "level_hr_lower",
                                                                   "level_hr_upper", "level_hr_p")


def forest_rows(rows: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Display rows: ('all' | 'header' | 'level', text, subgroup row)."""
    current = None
    for r in rows:
        if r.get("variable") == "All patients":
            yield "all", "All patients", r
            continue
        if r["variable"] != current:
            current = r["variable"]
            yield "header", r.get("variable_label") or r["variable"], r
        yield "level", str(r["level"]), r


def plot_forest(results: dict[str, Any], endpoint: str, *, synthetic: bool) -> Figure | None:
    """The forest plot of one endpoint, or None without subgroup rows."""
    rows = ((results.get("subgroups") or {}).get(endpoint)) or []
    if len(rows) < 2:
        return None
    two_arm = bool(results.get("settings", {}).get("two_arm"))
    conf = results.get("settings", {}).get("conf_level", 0.95)
    arms = results["study"]["arms"]
    display = list(forest_rows(rows))
    n = len(display)
    height = 1.25 + 0.2 * n
    fig = new_figure(DOUBLE_COLUMN_IN, height)
    ax = fig.add_axes((0.5, 0.55 / height, 0.22, 1 - 1.25 / height))
    ax.set_xscale("log")
    tf = blended_transform_factory(fig.transFigure, ax.transData)
    k_hr, k_lo, k_hi, k_p = _hr_keys(two_arm)
    values = [v for _, _, r in display for v in (r.get(k_lo), r.get(k_hi), r.get(k_hr)) if v]
    lo_lim = max(min(values + [0.5]) / 1.3, 0.01)
    hi_lim = min(max(values + [2.0]) * 1.3, 100)
    head_y = n - 0.1
    heads = [(0.01, "Subgroup", "left")]
    if two_arm:
        heads += [(0.31, f"{arms[0]['label']}\nevents/n", "center"), (0.41, f"{arms[1]['label']}\nevents/n", "center")]
    else:
        heads += [(0.36, "events/n", "center")]
    heads += [(0.74, f"HR ({conf * 100:g}% CI)", "left"), (0.99, "P interaction" if two_arm else "P", "right")]
    for x, text, ha in heads:
        fig.text(x, head_y, text, transform=tf, ha=ha, va="bottom", fontsize=7, fontweight="bold")
    for i, (kind, text, r) in enumerate(display):
        y = n - 1 - i
        if kind == "header":
            fig.text(0.01, y, text, transform=tf, ha="left", va="center", fontsize=7.5, fontweight="bold")
            p = r.get("interaction_p") if two_arm else r.get("levels_logrank_p")
            if p is not None:
                fig.text(0.99, y, fmt_p(p).replace("P = ", "", 1).replace("P ", "", 1), transform=tf, ha="right", va="center", fontsize=7,
                         gid=f"forest-interaction:{r['variable']}")
            continue
        fig.text(0.02 if kind == "all" else 0.03, y, text, transform=tf, ha="left", va="center", fontsize=7.5,
                 fontweight="bold" if kind == "all" else "normal", gid=f"forest-row:{r['variable']}:{r['level']}")
        by_arm = r.get("by_arm") or {}
        if two_arm:
            for x, arm in ((0.31, arms[0]["id"]), (0.41, arms[1]["id"])):
                b = by_arm.get(arm) or {}
                fig.text(x, y, f"{b.get('events', 0)}/{b.get('n', 0)}", transform=tf, ha="center", va="center",
                         fontsize=7)
        else:
            fig.text(0.36, y, f"{r.get('events', 0)}/{r.get('n', 0)}", transform=tf, ha="center", va="center",
                     fontsize=7)
        hr, lo, hi = r.get(k_hr), r.get(k_lo), r.get(k_hi)
        if not two_arm and kind == "level" and r.get("level") == r.get("reference_level"):
            label = "1 (reference)"
        elif hr is None or lo is None or hi is None:
            label = "NE" if hr is None else f"{hr:.2f} (NE)"
        else:
            label = f"{hr:.2f} ({lo:.2f}–{hi:.2f})"
            ax.plot([max(lo, lo_lim), min(hi, hi_lim)], [y, y], color="#000000", lw=1.0)
            ax.plot(hr, y, marker="D" if kind == "all" else "s", ms=5 if kind == "all" else 4, color="#000000",
                    ls="none", gid=f"forest-hr:{r['variable']}:{r['level']}")
        fig.text(0.74, y, label, transform=tf, ha="left", va="center", fontsize=7)
    ax.axvline(1.0, color="#555555", lw=0.7, ls="--")
    ax.set_xlim(lo_lim, hi_lim)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ticks = [t for t in (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 10, 20, 50, 100) if lo_lim <= t <= hi_lim]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    if two_arm:
        ax.set_xlabel(f"← favours {arms[1]['label']}   HR   favours {arms[0]['label']} →", fontsize=7)
    else:
        ax.set_xlabel("Hazard ratio (level vs reference level)", fontsize=7)
    label = (results.get("survival") or {}).get(endpoint, {}).get("label") or endpoint.upper()
    fig.text(0.01, 1 - 0.05 / height, f"{label}: hazard ratios by subgroup", ha="left", va="top",
             fontsize=8.5, fontweight="bold")
    add_synthetic_label(fig, synthetic)
    return fig


def forest_endpoints(results: dict[str, Any]) -> list[str]:
    """Endpoints with subgroup rows beyond "All patients"."""
    return [ep for ep, rows in (results.get("subgroups") or {}).items() if rows and len(rows) > 1]

