"""Figure workers started at the beginning of a run, so that importing matplotlib and warming its
caches happen on the second core while the calling process validates, derives and analyses.

:func:`start_figure_pool` forks the workers (Linux, ``fork`` start method, two or more cores; else
it returns None and the figures are drawn by :func:`~oncocohort.report.figures.render_figures`).
Each worker imports the figure modules and draws one small throw-away figure (fonts, a log axis
whose tick labels go through mathtext, PNG encoding) before any real figure. :meth:`FigurePool.render`
then hands out the figures one at a time to whichever worker is free, while the caller writes the
documents' text. Neither this module nor the caller imports matplotlib: the figures come back as
:class:`~oncocohort.report.figure_output.FigureOutput`. The files written are the same as when
the figures are drawn in one process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from oncocohort.report.figure_output import FigureOutput, check_formats

POOL_WORKERS = 2
"""Figure workers of a pool: with the caller busy on the documents, two keep two cores drawing."""


class FigurePool:
    """Forked figure workers, warm before the results exist; close (or use as a context manager)."""

    def __init__(self, workers: int = POOL_WORKERS) -> None:
        context = mp.get_context("fork")
        # one worker warms up at a time: with the caller busy on the other core, two at once would
        # take turns on that core with the caller and slow it down
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up,
                                             initargs=(context.Lock(),))
        self._executor.submit(int)  # forks every worker now (fork-started pools spawn all at once)

    def render(self, results: dict[str, Any], out_dir: str | Path | None, *, formats: Sequence[str] = ("png",),
               dpi: int = 300, show_ci: bool = True, embed_svg: bool = False,
               only: Callable[[str], bool] | None = None,
               while_drawing: Callable[[], None] | None = None) -> list[FigureOutput]:
        """As :func:`~oncocohort.report.figures.render_figures`, drawn by the pool's workers."""
        check_formats(formats)
        folder = None if out_dir is None else Path(out_dir)
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        job = (results, folder, tuple(formats), dpi, show_ci, embed_svg)
        try:
            names = self._executor.submit(_plan_names, results, show_ci).result()
            wanted = [i for i, name in enumerate(names) if only is None or only(name)]
            # the slowest kinds first, so that no worker is left with a slow figure at the end
            futures = {i: self._executor.submit(_render, job, i)
                       for i in sorted(wanted, key=lambda i: _SLOW_FIRST.get(names[i].split("_")[0], 0))}
            if while_drawing is not None:
                while_drawing()
            done = [futures[i].result() for i in wanted]
        except BaseException:
            self.close(abandon=True)
            raise
        return [out for out in done if out is not None]

    def close(self, *, abandon: bool = False) -> None:
        """Stop the workers; ``abandon`` (after an error) ends them at once instead of letting a
        warm-up or a figure in progress finish."""
        if abandon:  # the executor has no public way to end running workers
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                process.terminate()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(abandon=exc_type is not None)


def pool_available() -> bool:
    """Forked workers are possible (Linux, ``fork``) and useful (two or more cores)."""
    return sys.platform == "linux" and "fork" in mp.get_all_start_methods() and (os.cpu_count() or 1) >= 2


def start_figure_pool(workers: int = POOL_WORKERS) -> FigurePool | None:
    """A warm :class:`FigurePool`, or None where :func:`pool_available` is false."""
    return FigurePool(workers) if pool_available() else None


_SLOW_FIRST = {"swimmer": -3, "afp": -2, "waterfall": -1}
"""Order in which figure kinds (file-name prefix) are handed out; the rest (KM, forest, flow) after."""


def _warm_up(lock: Any) -> None:
    """Worker initializer: import the figure modules and draw one small figure, discarded."""
    import io

    with lock:
        from oncocohort.report.figures.style import DEFAULT_DPI, figure_style, new_figure

        _draw_warm_up_figure(io.BytesIO(), figure_style, new_figure, DEFAULT_DPI)


def _draw_warm_up_figure(buffer: Any, figure_style: Any, new_figure: Any, dpi: int) -> None:
    with figure_style():
        fig = new_figure(1.5, 1.5)
        ax = fig.add_subplot()
        ax.set_yscale("log")  # tick labels 10^k are mathtext: builds its parser once
        ax.plot([1.0, 2.0], [1.0, 100.0])
        ax.set_title("warm-up")
        fig.savefig(buffer, format="png", dpi=dpi)


def _plan_names(results: dict[str, Any], show_ci: bool) -> list[str]:
    from oncocohort.report.figures import figure_plan

    return [plan[1] for plan in figure_plan(results, show_ci=show_ci)]


def _render(job: tuple[Any, ...], index: int) -> FigureOutput | None:
    from oncocohort.report.figures import _Job

    return _Job(*job, None).render(index)
