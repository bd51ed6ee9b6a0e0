"""oncocohort.validate stage.

CONTRACT (read docs/architecture.md, item 2, before writing this stage): expose
``validate_study(protocol, tables, *, raise_on_error=True) -> ValidatedStudy`` and
``load_study(protocol_or_path) -> ValidatedStudy`` (frozen dataclass with ``protocol``, ``tables``,
``problems``, ``sources``); the derivation and demo engineers code against these names and types.
"""
