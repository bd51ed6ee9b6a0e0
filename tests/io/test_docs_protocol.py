"""docs/protocol.md names every key of the protocol schema (kept in step with schema.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from oncocohort.protocol import schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
MODELS = [m for m in vars(schema).values()
          if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == schema.__name__
          and not m.__name__.startswith("_")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_schema_key_is_documented(model) -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in model.model_fields if f"| `{name}` |" not in text]
    assert missing == [], f"{model.__name__}: keys missing from docs/protocol.md: {missing}"
