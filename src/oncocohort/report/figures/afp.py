"""AFP (or the protocol's marker) over time for responders (CR/PR): one line per patient on a log
scale, coloured by arm, with procedure markers (e.g. MWA) on the patient's line. Data from
results.json ``plots.afp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncocohort.report.figures.style import ONE_HALF_COLUMN_IN, add_synthetic_label, arm_colour, new_figure

LABEL_LINES_UP_TO = 10
"""Lines are labelled with the patient id at their last point when there are at most this many."""


def plot_afp(results: dict[str, Any], *, synthetic: bool) -> Figure | None:
    """The marker-over-time figure, or None without responders' values."""
    block = (results.get("plots") or {}).get("afp") or {}
    patients = [p for p in block.get("patients") or [] if p.get("time")]
    if not patients:
        return None
    arms = [a["id"] for a in results["study"]["arms"]]
    labels = {a["id"]: a["label"] for a in results["study"]["arms"]}
    fig = new_figure(ONE_HALF_COLUMN_IN, 3.4)
    ax = fig.add_axes((0.13, 0.14, 0.74, 0.76))
    positive = all(v is not None and v > 0 for p in patients for v in p["value"])
    if positive:
        ax.set_yscale("log")
    procedures: set[str] = set()
    for p in patients:
        colour = arm_colour(arms.index(p["arm"])) if p["arm"] in arms else "#000000"
        t = np.array(p["time"], dtype=float)
        v = np.array([np.nan if x is None else x for x in p["value"]], dtype=float)
        ax.plot(t, v, marker="o", ms=2.5, lw=1.0, color=colour, alpha=0.9, gid=f"afp-line:{p['patient_id']}")
        if len(patients) <= LABEL_LINES_UP_TO:
            ax.text(t[-1], v[-1], f" {p['patient_id']}", fontsize=6, va="center", color=colour)
        for proc in p.get("procedures") or []:
            procedures.add(proc["name"])
            # marker drawn on the patient's own line (interpolated between measurements, for display only)
            y = np.exp(np.interp(proc["time"], t, np.log(v))) if positive else np.interp(proc["time"], t, v)
            ax.plot(proc["time"], y, marker="v", ms=6, color="#000000", ls="none",
                    gid=f"afp-procedure:{p['patient_id']}")
    ax.axvline(0, color="#888888", lw=0.6, ls=":")
    unit = patients[0].get("unit") or ""
    test = str(block.get("test") or "AFP").upper()
    ax.set_ylabel(f"{test} ({unit})" if unit else test)
    ax.set_xlabel(f"Time since start of treatment ({block.get('time_unit', 'months')})")
    ax.set_title(f"{test} over time in responders (CR/PR)")
    handles = [Line2D([], [], color=arm_colour(i), marker="o", ms=2.5, label=labels[a])
               for i, a in enumerate(arms) if any(p["arm"] == a for p in patients)]
    handles += [Line2D([], [], marker="v", ls="none", color="#000000", ms=6, label=name) for name in sorted(procedures)]
    ax.legend(handles=handles, loc="best")
    add_synthetic_label(fig, synthetic)
    return fig
