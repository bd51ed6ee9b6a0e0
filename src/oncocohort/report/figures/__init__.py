"""Report figures (matplotlib, Agg): Kaplan–Meier, waterfall, swimmer, forest, flow, AFP over time.

:func:`render_figures` draws every figure a results document supports and writes each as
``<kind>…​.<format>`` into a folder; the builders (``plot_km``, ``plot_waterfall``, …) return
``matplotlib.figure.Figure`` objects for tests and notebooks.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncocohort.report.figures.afp import plot_afp
from oncocohort.report.figures.flow import plot_flow
from oncocohort.report.figures.forest import forest_endpoints, plot_forest
from oncocohort.report.figures.km import KmSpec, km_specs, plot_km
from oncocohort.report.figure_output import FigureOutput, check_formats
from oncocohort.report.figures.style import DEFAULT_DPI, figure_style, save_figure
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
               _forest_builder(results, ep, synthetic), {"endpoint": ep})
    yield ("afp", "afp_responders", "Tumour marker over time in responders",
           "Serum marker over time for patients with a complete or partial response; triangles mark procedures.",
           lambda: plot_afp(results, synthetic=synthetic), {})


def _forest_builder(results: dict[str, Any], endpoint: str, synthetic: bool) -> Builder:
    return lambda: plot_forest(results, endpoint, synthetic=synthetic)


def _km_builder(spec: KmSpec, synthetic: bool, show_ci: bool, conf: float) -> Builder:
    return lambda: plot_km(spec, synthetic=synthetic, show_ci=show_ci, conf_level=conf)


def render_figures(results: dict[str, Any], out_dir: str | Path | None, *, formats: Sequence[str] = ("png",),
                   dpi: int = DEFAULT_DPI, show_ci: bool = True, embed_svg: bool = False,
                   only: Callable[[str], bool] | None = None, workers: int | None = None,
                   while_drawing: Callable[[], None] | None = None) -> list[FigureOutput]:
    """Draw and save every figure; return what was written (figures a study cannot have are skipped).

    Parameters
    ----------
    results : the results.json document (``StudyResults.to_dict()``).
    out_dir : folder for the files (created), or None to keep the images in memory only.
    formats : any of ``png``, ``svg``, ``pdf``.
    dpi : raster resolution (PNG).
    embed_svg : also keep an SVG text of each figure (for inline HTML) when SVG files are not asked for.
    only : keep only figures whose name passes this test.
    workers : processes drawing figures (default: 2 where ``fork`` is available and there are at least
        ``PARALLEL_FROM`` figures, else 1). Rasterising at 300 dpi is most of the report's time; a
        forked worker halves it on two cores. The output is identical either way.
    while_drawing : work of the caller (e.g. the document text) run while the worker still draws; run
        once in any case, before this function returns.
    """
    check_formats(formats)
    folder = None if out_dir is None else Path(out_dir)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    job = _Job(results, folder, tuple(formats), dpi, show_ci, embed_svg, only)
    indices = list(range(len(job.plan())))
    n_workers = _n_workers(workers, len(indices))
    if n_workers <= 1:
        done = {i: job.render(i) for i in indices}
        if while_drawing is not None:
            while_drawing()
    else:
        done = _render_parallel(job, indices, n_workers, while_drawing)
    return [out for i in indices if (out := done[i]) is not None]


PARALLEL_FROM = 6
"""Figures below this count are drawn in the calling process (a worker would not pay off)."""


@dataclass(frozen=True)
class _Job:
    """Everything needed to draw figure ``i`` of the plan, in this process or a forked worker."""

    results: dict[str, Any]
    folder: Path | None
    formats: tuple[str, ...]
    dpi: int
    show_ci: bool
    embed_svg: bool
    only: Callable[[str], bool] | None

    def plan(self) -> list[tuple[str, str, str, str, Builder, dict]]:
        return [p for p in figure_plan(self.results, show_ci=self.show_ci) if self.only is None or self.only(p[1])]

    def render(self, index: int) -> FigureOutput | None:
        kind, name, title, caption, build, meta = self.plan()[index]
        with figure_style():
            fig = build()
            if fig is None:
                return None
            return save_figure(fig, name, self.folder, formats=self.formats, dpi=self.dpi, kind=kind, title=title,
                               caption=caption, embed_svg=self.embed_svg, meta=meta)


def _n_workers(workers: int | None, n_figures: int) -> int:
    if workers is not None:
        return max(1, workers)
    if n_figures < PARALLEL_FROM or sys.platform != "linux" or "fork" not in mp.get_all_start_methods():
        return 1  # spawn would re-import everything: slower than drawing here
    return min(2, os.cpu_count() or 1)


_WORKER_JOB: _Job | None = None
"""Set only inside a forked figure worker (by its initializer); never in the calling process."""


def _worker_init(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _worker_render(index: int) -> FigureOutput | None:
    assert _WORKER_JOB is not None
    return _WORKER_JOB.render(index)


def _render_parallel(job: _Job, indices: list[int], n_workers: int,
                     while_drawing: Callable[[], None] | None) -> dict[int, FigureOutput | None]:
    """The calling process draws every (n+1)-th figure, forked workers the others (results inherited by fork).

    The caller takes the smaller share because it also runs ``while_drawing`` (the documents' text).
    """
    mine = indices[::n_workers + 1]
    theirs = [i for i in indices if i not in set(mine)]
    with ProcessPoolExecutor(max_workers=n_workers - 1, mp_context=mp.get_context("fork"),
                             initializer=_worker_init, initargs=(job,)) as pool:
        futures = {i: pool.submit(_worker_render, i) for i in theirs}
        done = {i: job.render(i) for i in mine}
        if while_drawing is not None:
            while_drawing()
        done.update({i: f.result() for i, f in futures.items()})
    return done


__all__ = ["FigureOutput", "figure_plan", "km_specs", "plot_afp", "plot_flow", "plot_forest", "plot_km",
           "plot_swimmer", "plot_waterfall", "render_figures"]
