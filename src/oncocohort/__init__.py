"""oncocohort: patient-level oncology cohort records to a reproducible statistical analysis and report.

Stages, in the order data flows through them (a stage imports only from earlier stages and
from :mod:`oncocohort.stats`): protocol → io → validate → cohort → response → endpoints →
analysis → report → demo.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("oncocohort")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
