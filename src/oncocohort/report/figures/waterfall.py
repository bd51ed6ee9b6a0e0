"""Waterfall plot: one bar per analysed patient with a measured best per cent change of the target
sum, coloured by best overall response, with the +20 % (progression) and −30 % (response) lines.

Bars come sorted from results.json ``plots.waterfall`` (largest increase first); a two-arm study
gets one panel per arm, sharing the y axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncocohort.report.figures.style import (
    DOUBLE_COLUMN_IN, RESPONSE_COLOURS, RESPONSE_LABELS, add_synthetic_label, new_figure,
)


def plot_waterfall(results: dict[str, Any], *, synthetic: bool) -> Figure | None:
    """The waterfall figure, or None when no patient has a measured best change."""
    block = (results.get("plots") or {}).get("waterfall") or {}
    bars = [b for b in block.get("bars") or [] if b.get("best_pct_change") is not None]
    if not bars:
        return None
    arms = [a for a in results["study"]["arms"] if any(b["arm"] == a["id"] for b in bars)]
    widths = [max(3, sum(b["arm"] == a["id"] for b in bars)) for a in arms]
    fig = new_figure(DOUBLE_COLUMN_IN, 3.2)
    grid = fig.add_gridspec(1, len(arms), width_ratios=widths, wspace=0.06, left=0.09, right=0.95,
                            top=0.86, bottom=0.2)
    lines = block.get("reference_lines") or [20, -30]
    values = np.array([b["best_pct_change"] for b in bars], dtype=float)
    top = max(40.0, float(np.nanmax(values)) + 10)
    low = min(-100.0, float(np.nanmin(values)) - 5)
    first = None
    for i, arm in enumerate(arms):
        ax = fig.add_subplot(grid[i], sharey=first)
        first = first or ax
        mine = [b for b in bars if b["arm"] == arm["id"]]
        x = np.arange(len(mine))
        colours = [RESPONSE_COLOURS.get(b.get("best_response") or "NE", RESPONSE_COLOURS["NE"]) for b in mine]
        container = ax.bar(x, [b["best_pct_change"] for b in mine], width=0.8, color=colours, lw=0.3,
                           edgecolor="#333333")
        for patch, b in zip(container.patches, mine, strict=True):
            patch.set_gid(f"waterfall-bar:{b['patient_id']}")
        for ref in lines:
            ax.axhline(ref, ls="--", lw=0.8, color="#444444", gid=f"waterfall-line:{ref:g}")
        ax.axhline(0, lw=0.6, color="#000000")
        ax.set_xlim(-0.7, len(mine) - 0.3)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_title(f"{arm['label']} (n={len(mine)})", loc="center")
        if i == 0:
            ax.set_ylabel("Best change in target-lesion sum (%)")
        else:
            ax.tick_params(labelleft=False)
    if first is not None:
        first.set_ylim(low, top)
        for ref in lines:  # the reference values, once, at the right edge of the last panel
            ax.text(1.0, ref, f" {ref:+g}%", fontsize=6.5, va="center", ha="left", color="#444444",
                    transform=ax.get_yaxis_transform())
    seen = [r for r in RESPONSE_COLOURS if any((b.get("best_response") or "NE") == r for b in bars)]
    fig.legend(handles=[Patch(facecolor=RESPONSE_COLOURS[r], edgecolor="#333333", lw=0.3,
                              label=f"{RESPONSE_LABELS[r]} ({r})") for r in seen],
               loc="lower center", ncol=len(seen), bbox_to_anchor=(0.5, 0.0), fontsize=7)
    criteria = (results.get("response") or {}).get("criteria")
    fig.suptitle("Best percentage change from baseline in the sum of target lesions"
                 + (f" ({criteria_name(criteria)})" if criteria else ""), x=0.09, ha="left", fontsize=8.5,
                 fontweight="bold")
    add_synthetic_label(fig, synthetic)
    return fig


def criteria_name(criteria: str | None) -> str:
    """Display name of response criteria: 'mrecist' -> 'mRECIST'."""
    return {"recist1.1": "RECIST 1.1", "mrecist": "mRECIST", "irecist": "iRECIST"}.get(criteria or "", criteria or "")
