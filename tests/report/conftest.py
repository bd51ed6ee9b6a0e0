"""One report per test session, built from the small bundled example study (PNG at a low dpi)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oncocohort.report import RunOutcome, run_study

EXAMPLE = Path(__file__).resolve().parents[2] / "src/oncocohort/protocol/examples/ici-mwa-retrospective/protocol.yaml"
FIXTURE_DPI = 80
"""Low resolution keeps the session fixture fast; the content checks do not depend on it."""


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    out = tmp_path_factory.mktemp("report") / "out"
    return run_study(EXAMPLE, out, formats=("png",), dpi=FIXTURE_DPI)


@pytest.fixture(scope="session")
def results(report_run: RunOutcome) -> dict[str, Any]:
    return json.loads(report_run.results_json.read_text(encoding="utf-8"))
