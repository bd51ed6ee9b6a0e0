"""Hand-made, synthetic example studies: one per preset, shipped with the package.

Each folder ``<preset-name>/`` holds ``protocol.yaml`` (the preset with ``study.synthetic: true``; data
paths relative to it), one CSV per template table the preset names and a README.md describing the
patients (who is not eligible and why). They are small on purpose (about 15 screened patients) and
serve the tests and first runs until the calibrated demo studies replace them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from oncocohort.protocol.loader import PRESETS

EXAMPLES = PRESETS
"""Names of the example studies (the same as the presets)."""


def example_study_path(name: str) -> Path:
    """Path of the example study's ``protocol.yaml`` for preset ``name``.

    Raises ``KeyError`` naming the allowed names for an unknown one.

    Examples
    --------
    >>> example_study_path("tace-ici-realworld").name
    'protocol.yaml'
    """
    if name not in EXAMPLES:
        raise KeyError(f"unknown example study '{name}'; allowed: {', '.join(EXAMPLES)}")
    # Editable and wheel installs both place the folders next to this module on disk.
    return Path(str(resources.files("oncocohort.protocol.examples").joinpath(name, "protocol.yaml")))


__all__ = ["EXAMPLES", "example_study_path"]
