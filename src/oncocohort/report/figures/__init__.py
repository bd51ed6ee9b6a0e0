"""Report figures (matplotlib, Agg): Kaplan–Meier, waterfall, swimmer, forest, flow, AFP over time.

:func:`render_figures` draws every figure a results document supports and writes each as
``<kind>…​.<format>`` into a folder; the builders (``plot_km``, ``plot_waterfall``, …) return
``matplotlib.figure.Figure`` objects for tests and notebooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from oncocohort.report.figures.afp import plot_afp
from oncocohort.report.figures.flow import plot_flow
from oncocohort.report.figures.forest import forest_endpoints, plot_forest
from oncocohort.report.figures.km import KmSpec, km_specs, plot_km
from oncocohort.report.figures.style import DEFAULT_DPI, FORMATS, FigureOutput, figure_style, save_figure
from oncocohort.report.figures.swimmer import plot_swimmer
from oncocohort.report.figures.waterfall import plot_waterfall

Builder = Callable[[], Any]


def figure_plan(results: dict[str, Any], *, show_ci: bool = True) -> Iterator[tuple[str, str, str, str, Builder, dict]]:
    """(kind, name, title, caption, builder, meta) for every figure, in report order."""
    synthetic = bool(results["study"].get("synthetic"))
    conf = results.get("settings", {}).get("conf_level", 0.95)
    yield ("flow", "flow", "Patient flow",
           "Patient flow: screened, excluded (first criterion not met), allocated and analysed patients.",
           lambda: plot_flow(results, synthetic=synthetic), {})
    yield ("waterfall", "waterfall", "Waterfall plot of best target-lesion change",
           "Best percentage change from baseline in the sum of target lesions, one bar per patient with "
           "measurements, coloured by best overall response; dashed lines at +20% and −30%.",
           lambda: plot_waterfall(results, synthetic=synthetic), {})
    yield ("swimmer", "swimmer", "Swimmer plot",
           "Time on treatment per patient (bar, coloured by best response), follow-up after treatment (line), "
           "first response, progression, death or ongoing follow-up (arrow), and procedures.",
           lambda: plot_swimmer(results, synthetic=synthetic), {})
    for spec in km_specs(results):
        yield ("km", spec.name, spec.title, spec.caption,
               _km_builder(spec, synthetic, show_ci, conf), dict(spec.meta))
    for ep in forest_endpoints(results):
        label = (results.get("survival") or {}).get(ep, {}).get("label") or ep.upper()
        yield ("forest", f"forest_{ep}", f"{label}: subgroup hazard ratios",
               f"Forest plot of {label.lower()} hazard ratios (unadjusted Cox, {conf * 100:g}% CI) by subgroup; "
               "P for the arm × subgroup interaction (Wald test).",
               (lambda ep=ep: plot_forest(results, ep, synthetic=synthetic)), {"endpoint": ep})
    yield ("afp", "afp_responders", "Tumour marker over time in responders",
           "Serum marker over time for patients with a complete or partial response; triangles mark procedures.",
           lambda: plot_afp(results, synthetic=synthetic), {})


def _km_builder(spec: KmSpec, synthetic: bool, show_ci: bool, conf: float) -> Builder:
    return lambda: plot_km(spec, synthetic=synthetic, show_ci=show_ci, conf_level=conf)


def render_figures(results: dict[str, Any], out_dir: str | Path | None, *, formats: Sequence[str] = ("png",),
                   dpi: int = DEFAULT_DPI, show_ci: bool = True, embed_svg: bool = False,
                   only: Callable[[str], bool] | None = None) -> list[FigureOutput]:
    """Draw and save every figure; return what was written (figures a study cannot have are skipped).

    Parameters
    ----------
    results : the results.json document (``StudyResults.to_dict()``).
    out_dir : folder for the files (created), or None to keep the images in memory only.
    formats : any of ``png``, ``svg``, ``pdf``.
    dpi : raster resolution (PNG).
    embed_svg : also keep an SVG text of each figure (for inline HTML) when SVG files are not asked for.
    only : keep only figures whose name passes this test.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: {', '.join(bad)} not allowed; allowed: {', '.join(FORMATS)}")
    folder = None if out_dir is None else Path(out_dir)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    outputs: list[FigureOutput] = []
    with figure_style():
        for kind, name, title, caption, build, meta in figure_plan(results, show_ci=show_ci):
            if only is not None and not only(name):
                continue
            fig = build()
            if fig is None:
                continue
            outputs.append(save_figure(fig, name, folder, formats=formats, dpi=dpi, kind=kind, title=title,
                                       caption=caption, embed_svg=embed_svg, meta=meta))
            fig.clear()
    return outputs


__all__ = ["FigureOutput", "figure_plan", "km_specs", "plot_afp", "plot_flow", "plot_forest", "plot_km",
           "plot_swimmer", "plot_waterfall", "render_figures"]
