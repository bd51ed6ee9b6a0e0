"""Kaplan–Meier figures: step curves with censoring ticks, optional CI bands, median markers, the
number-at-risk table aligned under the time axis, and the log-rank P and hazard ratio on the plot.

Everything drawn comes from results.json (``survival.<endpoint>`` and ``subgroups.<endpoint>``):
the step function, its pointwise band, censoring marks, medians and the numbers at risk on the
endpoint's common grid. Nothing is estimated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from oncocohort.report.figures.style import (
    LEVEL_COLOURS, ONE_HALF_COLUMN_IN, OVERALL_COLOUR, add_synthetic_label, arm_colour, fmt_num, fmt_p,
    new_figure, slug,
)

MAX_TICKS = 13
"""At most this many time ticks (and at-risk columns); a denser grid is thinned to every k-th time."""


@dataclass(frozen=True, slots=True)
class KmGroup:
    """One curve: legend label, colour, key (for artist ids) and its results.json group block."""

    key: str
    label: str
    colour: str
    block: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KmSpec:
    """A Kaplan–Meier figure to draw: file name, title, caption, curves and the annotation lines."""

    name: str
    title: str
    caption: str
    ylabel: str
    groups: tuple[KmGroup, ...]
    annotation: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


def _arr(values: Sequence[float | None] | None) -> np.ndarray:
    # results.json writes R's NA (e.g. the band at S = 0) as null: plot it as a gap
    return np.array([np.nan if v is None else v for v in (values or [])], dtype=float)


def shown_times(grid: Sequence[float]) -> list[float]:
    """The at-risk times printed under the axis: the grid, thinned to at most MAX_TICKS columns."""
    grid = list(grid)
    step = max(1, int(np.ceil(len(grid) / MAX_TICKS)))
    return grid[::step]


def _hr_text(hr: dict[str, Any] | None, conf_level: float) -> str | None:
    if not hr:
        return None
    pct = f"{conf_level * 100:g}%"
    lo, hi = hr.get("hr_lower"), hr.get("hr_upper")
    if hr.get("hr") is None or (hr["hr"] == 0 and lo is None):  # 0 without CI: monotone likelihood
        return "HR not estimable"
    ci = f" ({pct} CI {lo:.2f}–{hi:.2f})" if lo is not None and hi is not None else ""
    return f"HR {hr['hr']:.2f}{ci}"


def _median_text(block: dict[str, Any]) -> str:
    if not block.get("n"):
        return "no patients"
    return (f"{fmt_num(block.get('median'))} ({fmt_num(block.get('median_lower'))}–"
            f"{fmt_num(block.get('median_upper'))})")


def plot_km(spec: KmSpec, *, synthetic: bool, show_ci: bool = True, xlabel: str = "Months",
            conf_level: float = 0.95) -> Figure:
    """Draw one Kaplan–Meier figure with its number-at-risk table."""
    groups = [g for g in spec.groups if g.block.get("curve")]
    n_rows = max(1, len(groups))
    risk_h = 0.22 + 0.16 * n_rows
    legend_h = 0.3 + 0.13 * n_rows  # legend above the plot, clear of curves and median markers
    height = 3.3 + risk_h + legend_h
    fig = new_figure(ONE_HALF_COLUMN_IN, height)
    grid = fig.add_gridspec(2, 1, height_ratios=[3.3, risk_h], hspace=0.42, left=0.2, right=0.97,
                            top=1 - (0.32 + legend_h) / height, bottom=0.07)
    ax = fig.add_subplot(grid[0])
    rax = fig.add_subplot(grid[1], sharex=ax)
    fig.text(0.02, 1 - 0.06 / height, spec.title, ha="left", va="top", fontsize=8.5, fontweight="bold",
             gid="km-title")
    times = spec.meta.get("at_risk_times") or (groups[0].block["curve"]["at_risk"]["time"] if groups else [0.0])
    ticks = shown_times(times)
    x_max = max([ticks[-1]] + [max(g.block["curve"]["time"]) for g in groups]) if groups else 1.0
    for g in groups:
        c = g.block["curve"]
        t, s = _arr(c["time"]), _arr(c["surv"])
        label = f"{g.label} (n={g.block.get('n', 0)}): {_median_text(g.block)}"
        ax.step(t, s, where="post", color=g.colour, label=label, gid=f"km-curve:{g.key}")
        if show_ci and c.get("lower") is not None:
            ax.fill_between(t, _arr(c["lower"]), _arr(c["upper"]), step="post", color=g.colour, alpha=0.13,
                            lw=0, gid=f"km-ci:{g.key}")
        if c.get("censor_times"):
            ax.plot(_arr(c["censor_times"]), _arr(c["censor_surv"]), ls="none", marker="|", ms=6, mew=1.0,
                    color=g.colour, gid=f"km-censor:{g.key}")
        med = g.block.get("median")
        if med is not None:  # median marker: dotted guide from S = 0.5 to the curve and down to the axis
            ax.plot([0, med, med], [0.5, 0.5, 0.0], ls=":", lw=0.8, color=g.colour, gid=f"km-median:{g.key}")
    ax.set_ylim(-0.02, 1.03)
    ax.set_xlim(0, x_max * 1.02)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_yticklabels(["0", "25", "50", "75", "100"])
    ax.set_ylabel(spec.ylabel)
    ax.set_xlabel(xlabel)
    if groups:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), borderaxespad=0.0, title="Median, months (95% CI)",
                  title_fontsize=7, handlelength=1.6, alignment="left")
    if spec.annotation:
        ax.text(0.98, 0.98, "\n".join(spec.annotation), transform=ax.transAxes, ha="right", va="top",
                fontsize=7.5, gid="km-annotation", linespacing=1.4)
    _risk_table(rax, groups, ticks)
    add_synthetic_label(fig, synthetic)
    return fig


def _risk_table(rax: Any, groups: Sequence[KmGroup], ticks: Sequence[float]) -> None:
    """Numbers at risk at the printed times, one row per curve, aligned with the x ticks above."""
    rax.set_ylim(-0.6, len(groups) - 0.4)
    for side in ("top", "right", "left", "bottom"):
        rax.spines[side].set_visible(False)
    rax.tick_params(axis="both", length=0, labelbottom=False, labelleft=False)
    rax.set_title("Number at risk", fontsize=7.5, loc="left", fontweight="bold", pad=3)
    label_tf = blended_transform_factory(rax.transAxes, rax.transData)
    shown = set(np.round(ticks, 9))
    for i, g in enumerate(groups):
        y = len(groups) - 1 - i
        at_risk = g.block["curve"].get("at_risk") or {"time": [], "n": []}
        rax.text(-0.05, y, g.label, transform=label_tf, ha="right", va="center", color=g.colour,
                 fontsize=7, fontweight="bold", gid=f"at-risk-label:{g.key}")
        for t, n in zip(at_risk["time"], at_risk["n"], strict=True):
            if round(t, 9) in shown:
                rax.text(t, y, str(n), ha="center", va="center", fontsize=7, gid=f"at-risk:{g.key}")


def km_specs(results: dict[str, Any]) -> Iterator[KmSpec]:
    """Every Kaplan–Meier figure of a results document: per endpoint overall, by arm, per subgroup."""
    study = results["study"]
    arms = [a["id"] for a in study["arms"]]
    labels = {a["id"]: a["label"] for a in study["arms"]}
    two_arm = bool(results.get("settings", {}).get("two_arm"))
    conf = results.get("settings", {}).get("conf_level", 0.95)
    for ep, block in (results.get("survival") or {}).items():
        ep_label = block.get("label") or ep.upper()
        ylabel = f"{ep_label} (%)"
        meta = {"endpoint": ep, "at_risk_times": block.get("at_risk_times")}
        overall = KmGroup("overall", "All patients", OVERALL_COLOUR, block["overall"])
        yield KmSpec(f"km_{ep}_overall", f"{ep_label}: all patients",
                     f"Kaplan–Meier estimate of {ep_label.lower()} in all analysed patients "
                     f"(n={block['overall'].get('n')}, {block['overall'].get('events')} events), "
                     f"with pointwise {conf * 100:g}% confidence band, censoring marks and numbers at risk.",
                     ylabel, (overall,), (), {**meta, "group": "overall"})
        if two_arm:
            groups = tuple(KmGroup(a, labels[a], arm_colour(i), block["by_arm"][a]) for i, a in enumerate(arms))
            note = [fmt_p(block.get("logrank_p")).replace("P", "Log-rank P", 1)]
            hr = block.get("hr") or {}
            hr_line = _hr_text(hr, conf)
            if hr_line:
                note.append(hr_line)
                if hr.get("arm") in labels and hr.get("reference") in labels:
                    note.append(f"{labels[hr['arm']]} vs {labels[hr['reference']]}")
            yield KmSpec(f"km_{ep}_by_arm", f"{ep_label} by arm",
                         f"Kaplan–Meier estimates of {ep_label.lower()} by arm; log-rank test and "
                         "unadjusted Cox hazard ratio.", ylabel, groups, tuple(note), {**meta, "group": "arm"})
        yield from _subgroup_specs(results, ep, ep_label, ylabel, arms, labels, two_arm, conf)


def _subgroup_specs(results: dict[str, Any], ep: str, ep_label: str, ylabel: str, arms: list[str],
                    labels: dict[str, str], two_arm: bool, conf: float) -> Iterator[KmSpec]:
    rows = [r for r in (results.get("subgroups") or {}).get(ep) or [] if r.get("variable") != "All patients"]
    grid = (results.get("survival") or {}).get(ep, {}).get("at_risk_times")
    if two_arm:
        for r in rows:
            vlabel = r.get("variable_label") or r["variable"]
            groups = tuple(KmGroup(a, labels[a], arm_colour(i), r["by_arm"][a]) for i, a in enumerate(arms)
                           if (r.get("by_arm") or {}).get(a, {}).get("curve"))
            note = [fmt_p(r.get("logrank_p")).replace("P", "Log-rank P", 1)]
            hr_line = _hr_text({"hr": r.get("hr"), "hr_lower": r.get("hr_lower"), "hr_upper": r.get("hr_upper")}, conf)
            if hr_line:
                note.append(hr_line)
            if r.get("interaction_p") is not None:
                note.append(fmt_p(r["interaction_p"]).replace("P", "Interaction P", 1))
            yield KmSpec(f"km_{ep}_{slug(r['variable'])}_{slug(str(r['level']))}",
                         f"{ep_label}: {vlabel} {r['level']}",
                         f"Kaplan–Meier estimates of {ep_label.lower()} by arm in the subgroup {vlabel} "
                         f"{r['level']} (n={r.get('n')}, {r.get('events')} events).",
                         ylabel, groups, tuple(note),
                         {"endpoint": ep, "group": "subgroup", "variable": r["variable"], "level": r["level"],
                          "at_risk_times": grid})
        return
    arm = arms[0]
    by_var: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_var.setdefault(r["variable"], []).append(r)
    for var, levels in by_var.items():
        vlabel = levels[0].get("variable_label") or var
        groups = tuple(KmGroup(slug(str(r["level"])), str(r["level"]), LEVEL_COLOURS[i % len(LEVEL_COLOURS)],
                               r["by_arm"][arm]) for i, r in enumerate(levels)
                       if (r.get("by_arm") or {}).get(arm, {}).get("curve"))
        note = [fmt_p(levels[0].get("levels_logrank_p")).replace("P", "Log-rank P", 1)]
        yield KmSpec(f"km_{ep}_by_{slug(var)}", f"{ep_label} by {vlabel}",
                     f"Kaplan–Meier estimates of {ep_label.lower()} by {vlabel}; log-rank test across levels.",
                     ylabel, groups, tuple(note), {"endpoint": ep, "group": "subgroup", "variable": var,
                                                   "at_risk_times": grid})
