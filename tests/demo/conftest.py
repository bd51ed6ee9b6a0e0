"""Session fixtures of the demo tests: each study is generated, validated and derived once."""

from __future__ import annotations

import warnings

import pytest

from oncocohort.demo import bundled_protocol_path, generate_study, write_study


def _derive(protocol_path):
    from oncocohort.endpoints import derive_study
    from oncocohort.validate import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validated = load_study(protocol_path)
        return validated, derive_study(validated)


@pytest.fixture(scope="session")
def mwa_pipeline():
    """(validated, derived) of the BUNDLED seed-001 demo study, through the package's pipeline."""
    return _derive(bundled_protocol_path("ici-mwa-retrospective"))


@pytest.fixture(scope="session")
def mwa_other_seed(tmp_path_factory):
    """(validated, derived) of the seed-001 design generated with another seed (exact counts hold for any seed)."""
    folder = tmp_path_factory.mktemp("mwa-seed-2026")
    path = write_study(generate_study("ici-mwa-retrospective", seed=2026), folder)
    return _derive(path)


@pytest.fixture(scope="session")
def derive():
    return _derive
