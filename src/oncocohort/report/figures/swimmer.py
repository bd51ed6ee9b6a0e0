"""Swimmer plot: one lane per analysed patient — time on treatment (bar coloured by best response),
follow-up after treatment (thin line), first response, progression, death or an ongoing arrow, and
procedure markers (e.g. MWA). Lanes come sorted from results.json ``plots.swimmer``.
"""

from __future__ import annotations

from typing import Any

from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncocohort.report.figures.style import (
    DOUBLE_COLUMN_IN, OKABE_ITO, RESPONSE_COLOURS, RESPONSE_LABELS, add_synthetic_label, new_figure,
)

MAX_LABELLED_LANES = 120
"""Beyond this many patients the lanes carry no patient-id labels."""


def plot_swimmer(results: dict[str, Any], *, synthetic: bool) -> Figure | None:
    """The swimmer figure, or None without lanes."""
    block = (results.get("plots") or {}).get("swimmer") or {}
    lanes = [lane for lane in block.get("lanes") or [] if lane.get("end_time") is not None]
    if not lanes:
        return None
    n = len(lanes)
    fig = new_figure(DOUBLE_COLUMN_IN, min(12.0, max(3.0, 0.105 * n + 1.3)))
    h = fig.get_figheight()
    ax = fig.add_axes((0.1, 0.5 / h, 0.85, 1 - 0.85 / h))
    labels = {a["id"]: a["label"] for a in results["study"]["arms"]}
    y_of = {i: n - 1 - i for i in range(n)}
    x_max = max(lane["end_time"] for lane in lanes)
    ys = [y_of[i] for i in range(n)]
    ends = [lane["end_time"] for lane in lanes]
    treat = [lane["end_time"] if lane.get("treatment_end_time") is None else lane["treatment_end_time"]
             for lane in lanes]
    colours = [RESPONSE_COLOURS.get(lane.get("best_response") or "NE", RESPONSE_COLOURS["NE"]) for lane in lanes]
    bars = ax.barh(ys, treat, height=0.7, color=colours, lw=0.3, edgecolor="#333333")
    for patch, lane in zip(bars.patches, lanes, strict=True):
        patch.set_gid(f"swimmer-lane:{lane['patient_id']}")
    follow = [[(t, y), (e, y)] for t, e, y in zip(treat, ends, ys, strict=True) if e > t]
    ax.add_collection(LineCollection(follow, colors="#777777", linewidths=0.8, gid="swimmer-follow-up"))

    def points(key: str) -> tuple[list[float], list[int]]:
        pts = [(lane[key], y) for lane, y in zip(lanes, ys, strict=True) if lane.get(key) is not None]
        return [p[0] for p in pts], [p[1] for p in pts]

    # one artist per marker kind (drawing hundreds of single-point lines is what made big swimmers slow)
    x_resp, y_resp = points("first_response_time")
    ax.plot(x_resp, y_resp, marker="^", ms=4, color="#000000", ls="none", gid="swimmer-response")
    x_prog, y_prog = points("progression_time")
    ax.plot(x_prog, y_prog, marker="X", ms=4.5, color=OKABE_ITO["vermillion"], mec="#000000", mew=0.3, ls="none",
            gid="swimmer-progression")
    dead = [(e, y) for lane, e, y in zip(lanes, ends, ys, strict=True) if lane.get("death")]
    ax.plot([d[0] for d in dead], [d[1] for d in dead], marker="s", ms=3.5, color="#000000", ls="none",
            gid="swimmer-death")
    going = [(e, y) for lane, e, y in zip(lanes, ends, ys, strict=True) if lane.get("ongoing") and not lane.get("death")]
    gap = 0.035 * x_max
    ax.add_collection(LineCollection([[(e, y), (e + gap, y)] for e, y in going], colors="#000000", linewidths=0.8))
    ax.plot([e + gap for e, _ in going], [y for _, y in going], marker=">", ms=3.5, color="#000000", ls="none",
            gid="swimmer-ongoing")
    procedures: dict[str, list[tuple[float, int]]] = {}
    for lane, y in zip(lanes, ys, strict=True):
        for proc in lane.get("procedures") or []:
            procedures.setdefault(proc["name"], []).append((proc["time"], y))
    for name, pts in procedures.items():
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="D", ms=3.2, color=OKABE_ITO["yellow"],
                mec="#000000", mew=0.5, ls="none", gid=f"swimmer-procedure:{name}")
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlim(0, x_max * 1.08)
    if n <= MAX_LABELLED_LANES:
        ax.set_yticks([y_of[i] for i in range(n)])
        ax.set_yticklabels([lane["patient_id"] for lane in lanes], fontsize=5 if n > 40 else 6.5)
    else:
        ax.set_yticks([])
    ax.tick_params(axis="y", length=0)
    _arm_brackets(ax, lanes, labels, y_of)
    ax.set_xlabel(f"Time since start of treatment ({block.get('time_unit', 'months')})")
    seen = [r for r in RESPONSE_COLOURS if any((lane.get("best_response") or "NE") == r for lane in lanes)]
    handles: list[Artist] = [Patch(facecolor=RESPONSE_COLOURS[r], edgecolor="#333333", lw=0.3, label=RESPONSE_LABELS[r])
               for r in seen]
    handles += [Line2D([], [], marker="^", ls="none", color="#000000", ms=4, label="First response"),
                Line2D([], [], marker="X", ls="none", color=OKABE_ITO["vermillion"], ms=4.5, label="Progression"),
                Line2D([], [], marker="s", ls="none", color="#000000", ms=3.5, label="Death"),
                Line2D([], [], marker=">", ls="-", color="#000000", ms=3.5, lw=0.8, label="Ongoing")]
    handles += [Line2D([], [], marker="D", ls="none", color=OKABE_ITO["yellow"], mec="#000000", ms=3.5,
                       label=name) for name in sorted(procedures)]
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, title="Bar: time on treatment (best response)",
              title_fontsize=6.5)
    ax.set_title("Time on treatment, response and status per patient")
    add_synthetic_label(fig, synthetic)
    return fig


def _arm_brackets(ax: Any, lanes: list[dict[str, Any]], labels: dict[str, str], y_of: dict[int, int]) -> None:
    """Separate the arms by a rule and name each arm's block of lanes at the right edge."""
    arms = [lane["arm"] for lane in lanes]
    if len(set(arms)) < 2:
        return
    start = 0
    for i in range(1, len(arms) + 1):
        if i == len(arms) or arms[i] != arms[start]:
            ys = [y_of[k] for k in range(start, i)]
            ax.text(1.005, (max(ys) + min(ys)) / 2, labels.get(arms[start], arms[start]), rotation=270,
                    ha="left", va="center", fontsize=7, fontweight="bold",
                    transform=ax.get_yaxis_transform(), gid=f"swimmer-arm:{arms[start]}")
            if i < len(arms):
                ax.axhline(min(ys) - 0.5, color="#000000", lw=0.6, ls="-")
            start = i
