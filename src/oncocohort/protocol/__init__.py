"""Study protocol files: typed schema, loading with precise errors, shipped presets."""

from oncocohort.protocol.loader import (
    PRESETS,
    load_preset,
    load_protocol,
    parse_protocol,
    preset_text,
    protocol_dir,
    resolve_data_path,
    write_preset,
)
from oncocohort.protocol.schema import (
    Arm,
    Criterion,
    CutPoints,
    DataFile,
    EndpointRule,
    Protocol,
    ResponseSettings,
    SafetySettings,
    Variable,
)

__all__ = [
    "PRESETS", "Arm", "Criterion", "CutPoints", "DataFile", "EndpointRule", "Protocol", "ResponseSettings",
    "SafetySettings", "Variable", "load_preset", "load_protocol", "parse_protocol", "preset_text",
    "protocol_dir", "resolve_data_path", "write_preset",
]
