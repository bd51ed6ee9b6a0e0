"""Reading, checking and writing protocol files.

Errors name the key path, the offending value and what is allowed, all at once, e.g.::

    endpoints.os.origin: value 'start' not allowed; allowed: 'treatment_start', 'diagnosis', 'enrollment'
"""

from __future__ import annotations

import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from oncocohort.errors import ProtocolError
from oncocohort.protocol.schema import DataFile, Protocol

PRESETS = (
    "ici-mwa-retrospective",
    "tace-ici-realworld",
    "oligomet-ablation-lenvatinib-pd1",
    "hepatectomy-lenvatinib-durvalumab",
)


def load_protocol(path: str | Path) -> Protocol:
    """Read and validate a protocol YAML file; raise :class:`ProtocolError` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise ProtocolError(str(path), [f"file not found: {path}"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProtocolError(str(path), [f"not valid YAML: {exc}"]) from None
    protocol = parse_protocol(raw, source=str(path))
    object.__setattr__(protocol, "__protocol_dir__", path.resolve().parent)
    return protocol


def parse_protocol(raw: Any, *, source: str = "<protocol>") -> Protocol:
    """Validate an already-parsed mapping (e.g. from YAML) into a :class:`Protocol`."""
    if not isinstance(raw, dict):
        raise ProtocolError(source, [f"the top level must be a mapping of keys, got {type(raw).__name__}"])
    try:
        return Protocol.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolError(source, _describe_errors(exc, raw)) from None


def protocol_dir(protocol: Protocol) -> Path:
    """Folder the protocol file was read from (data paths are relative to it); cwd if parsed from memory."""
    return getattr(protocol, "__protocol_dir__", Path.cwd())


def resolve_data_path(protocol: Protocol, data_file: DataFile) -> Path:
    p = Path(data_file.path)
    return p if p.is_absolute() else protocol_dir(protocol) / p


def preset_text(name: str) -> str:
    """The YAML text of a shipped preset protocol."""
    if name not in PRESETS:
        raise ProtocolError(name, [f"unknown preset '{name}'; allowed: {', '.join(PRESETS)}"])
    return resources.files("oncocohort.protocol").joinpath("presets", f"{name}.yaml").read_text(encoding="utf-8")


def write_preset(name: str, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write preset ``name`` to ``path`` (a YAML file to create) for the user to edit."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another path or remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(preset_text(name), encoding="utf-8")
    return path


def load_preset(name: str) -> Protocol:
    return parse_protocol(yaml.safe_load(preset_text(name)), source=f"preset {name}")


# --- error formatting -----------------------------------------------------------------------------
def _describe_errors(exc: ValidationError, raw: dict[str, Any]) -> list[str]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        where = ".".join(loc) if loc else "(top level)"
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            msg = f"unknown key '{loc[-1]}'" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
            out.append(f"{'.'.join(loc[:-1]) or '(top level)'}: {msg}")
        elif kind == "missing":
            out.append(f"{where}: required key is missing")
        elif kind in ("literal_error", "enum"):
            expected = err.get("ctx", {}).get("expected", "")
            out.append(f"{where}: value {value!r} not allowed; allowed: {expected}")
        elif kind == "value_error":
            out.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        else:
            out.append(f"{where}: {err['msg']} (got {value!r})")
    return out


def _allowed_keys(loc: list[str]) -> list[str]:
    """Field names of the model found by following ``loc`` from :class:`Protocol` (best effort)."""
    model: Any = Protocol
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(part)
        if field is None:
            # inside a list or dict: part is an index/key, stay on the item model
            continue
        model = _inner_model(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for a in reversed(args):
        m = _inner_model(a)
        if isinstance(m, type) and issubclass(m, BaseModel):
            return m
    return annotation
