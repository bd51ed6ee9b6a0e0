"""Patient flow diagram (STROBE/CONSORT style) from the eligibility counts in results.json ``flow``:
screened → (not allocated) → allocated per arm → excluded after allocation → analysed per arm, and a
box listing every exclusion under the first criterion the patient did not meet.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from oncocohort.report.figures.style import ONE_HALF_COLUMN_IN, add_synthetic_label, new_figure

BOX = {"boxstyle": "square,pad=0.45", "facecolor": "#FFFFFF", "edgecolor": "#000000", "linewidth": 0.8}


def exclusion_lines(flow: dict[str, Any]) -> list[str]:
    """'description (n=k)' for every reason with k > 0, in protocol order (first failed criterion)."""
    criteria = flow.get("criteria") or {}
    return [f"{criteria.get(key, 'Not allocated')} (n={k})" if key == "not_allocated" else
            f"Not met: {criteria.get(key, key)} (n={k})"
            for key, k in (flow.get("excluded_by_first_reason") or {}).items() if k]


def plot_flow(results: dict[str, Any], *, synthetic: bool) -> Figure | None:
    """The flow diagram, or None when results.json has no flow."""
    flow = results.get("flow")
    if not flow:
        return None
    arms = [a["id"] for a in results["study"]["arms"]]
    labels = flow.get("arm_labels") or {a["id"]: a["label"] for a in results["study"]["arms"]}
    reasons = exclusion_lines(flow)
    height = 3.6 + 0.14 * len(reasons)
    fig = new_figure(ONE_HALF_COLUMN_IN, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, height)  # y in inches from the bottom

    def box(x: float, y: float, text: str, gid: str, **kw: Any) -> None:
        ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), fontsize=kw.pop("fontsize", 7.5),
                bbox=BOX, gid=gid, **kw)

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "lw": 0.8, "color": "#000000", "mutation_scale": 8,
                                "shrinkA": 0, "shrinkB": 0})

    top = height - 0.4
    box(0.5, top, f"Patients screened (n={flow.get('screened', 0)})", "flow-screened")
    allocated = flow.get("allocated") or {}
    after = flow.get("excluded_after_allocation") or {}
    analysed = flow.get("analysed") or {}
    not_allocated = (flow.get("excluded_by_first_reason") or {}).get("not_allocated", 0)
    split = top - 0.75
    ax.plot([0.5, 0.5], [top - 0.15, split], color="#000000", lw=0.8)
    if not_allocated:
        arrow(0.5, top - 0.42, 0.62, top - 0.42)
        box(0.63, top - 0.42, f"Not allocated to an arm (n={not_allocated})", "flow-not-allocated", ha="left",
            fontsize=7)
    xs = [0.25, 0.75] if len(arms) == 2 else [0.5]
    if len(arms) == 2:
        ax.plot([0.25, 0.75], [split, split], color="#000000", lw=0.8)
    y_alloc, y_anal = split - 0.5, split - 1.75
    for x, arm in zip(xs, arms, strict=False):
        arrow(x, split, x, y_alloc + 0.2)
        box(x, y_alloc, f"{labels.get(arm, arm)}: allocated (n={allocated.get(arm, 0)})", f"flow-allocated:{arm}")
        arrow(x, y_alloc - 0.18, x, y_anal + 0.2)
        ax.text(x + 0.02, (y_alloc + y_anal) / 2, f"Excluded after\nallocation (n={after.get(arm, 0)})", ha="left",
                va="center", fontsize=6.5, gid=f"flow-after:{arm}")
        box(x, y_anal, f"Analysed (n={analysed.get(arm, 0)})", f"flow-analysed:{arm}")
    text = f"Excluded: {flow.get('excluded', 0)} of {flow.get('screened', 0)} screened patients"
    if reasons:
        text += ", by the first criterion not met\n" + "\n".join(f"• {r}" for r in reasons)
    box(0.05, y_anal - 0.45, text, "flow-excluded", ha="left", va="top", fontsize=6.5, linespacing=1.35)
    add_synthetic_label(fig, synthetic)
    return fig
