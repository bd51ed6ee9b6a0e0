"""oncocohort.validate: type the raw tables by the data template and report every problem at once.

Contract (docs/architecture.md, item 2): ``validate_study(protocol, tables, *, raise_on_error=True)
-> ValidatedStudy`` and ``load_study(protocol_or_path) -> ValidatedStudy`` (frozen dataclass with
``protocol``, ``tables``, ``problems``, ``sources``; also ``raw``).
"""

from oncocohort.validate.report import format_report_text, write_validation_report
from oncocohort.validate.study import ValidatedStudy, load_study, validate_study

__all__ = ["ValidatedStudy", "format_report_text", "load_study", "validate_study", "write_validation_report"]
