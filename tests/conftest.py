"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Copies of the public R reference datasets and results (see tests/data/reference/README.md)."""
    return DATA_DIR / "reference"
