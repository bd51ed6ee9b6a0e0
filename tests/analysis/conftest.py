from __future__ import annotations

import pytest

from oncocohort.protocol import Protocol, load_preset


@pytest.fixture(scope="session")
def two_arm_protocol() -> Protocol:
    return load_preset("ici-mwa-retrospective")


@pytest.fixture(scope="session")
def single_arm_protocol() -> Protocol:
    return load_preset("oligomet-ablation-lenvatinib-pd1")
