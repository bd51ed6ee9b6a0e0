"""What a rendered figure hands to the documents (kept free of matplotlib, so that the process that
writes report.html / report.docx and receives figures from the figure workers never imports it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("png", "svg", "pdf")
"""Figure file formats the report can write."""


def check_formats(formats: Sequence[str]) -> None:
    """Raise ValueError naming any format not in :data:`FORMATS`."""
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: {', '.join(bad)} not allowed; allowed: {', '.join(FORMATS)}")


@dataclass(frozen=True, slots=True)
class FigureOutput:
    """One rendered figure: its kind, file stem, caption, written paths and embeddable images."""

    kind: str
    name: str
    title: str
    caption: str
    paths: tuple[Path, ...] = ()
    png: bytes = b""
    svg: str = ""
    meta: dict = field(default_factory=dict)
