"""Reading the tables a protocol names: CSV, Excel, SPSS, Parquet or a table in a DuckDB database.

Values come back *as read* (text stays text; readers that know types keep them); only the headers
change: the protocol's ``columns`` mapping first, then a case/space-insensitive match onto template
and protocol-variable names ("Patient ID" -> ``patient_id``). Typing, category mapping and every
check happen in :mod:`oncocohort.validate`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from oncocohort.errors import InputError
from oncocohort.io.columns import TEMPLATE
from oncocohort.protocol import DataFile, Protocol, resolve_data_path
from oncocohort.protocol.schema import TEMPLATE_TABLES

_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".sav": "sav",
            ".zsav": "sav", ".parquet": "parquet", ".pq": "parquet", ".duckdb": "duckdb", ".db": "duckdb"}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a table came from: for the import log and the report's methods."""

    table: str
    path: str
    format: str
    sha256: str
    rows: int
    location: str = ""  # sheet or database table

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "path": self.path, "format": self.format, "sha256": self.sha256,
                "rows": self.rows, "location": self.location}


@dataclass(frozen=True, slots=True)
class RawStudy:
    """The tables of a study as read, with their sources."""

    tables: dict[str, pd.DataFrame]
    sources: dict[str, SourceInfo] = field(default_factory=dict)


def file_sha256(path: str | Path, *, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (read in 1 MiB chunks, so large files need no memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def infer_format(path: str | Path, declared: str | None = None) -> str:
    """The reader to use: the declared ``format`` or the file extension."""
    if declared is not None:
        return declared
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise InputError("data.path", f"cannot tell the format of '{path}' from its extension; add "
                         f"'format:' (one of csv, xlsx, sav, parquet, duckdb) to the protocol's data entry")
    return _FORMATS[suffix]


def read_data_file(path: str | Path, *, table: str, data_file: DataFile | None = None) -> pd.DataFrame:
    """Read one table from a file, values as read, headers as in the file (no mapping).

    Parameters
    ----------
    path : the file.
    table : the template table being read (default sheet / DuckDB table name).
    data_file : the protocol entry (format, sheet, table); None reads by extension.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{table}: data file not found: {path}")
    fmt = infer_format(path, data_file.format if data_file else None)
    try:
        if fmt == "csv":
            return _read_csv(path)
        if fmt == "xlsx":
            sheet = (data_file.sheet if data_file and data_file.sheet else table)
            return _read_excel(path, sheet)
        if fmt == "sav":
            return _read_sav(path)
        if fmt == "parquet":
            return pd.read_parquet(path)
        if fmt == "duckdb":
            return _read_duckdb(path, data_file.table if data_file and data_file.table else table)
    except InputError:
        raise
    except Exception as exc:  # a corrupt or mislabelled file: say which table and file, not a traceback
        raise InputError(f"data.{table}", f"cannot read {path} as {fmt}: {type(exc).__name__}: {exc}") from exc
    raise InputError("data.format", f"unknown format '{fmt}'; allowed: csv, xlsx, sav, parquet, duckdb")


def _read_csv(path: Path) -> pd.DataFrame:
    # Everything as text so that ids keep leading zeros and dates are parsed by our own rules;
    # only truly empty cells are missing ("NA" may be a legitimate value, e.g. a response code).
    with open(path, "rb") as handle:
        head = handle.readline().decode("utf-8-sig", errors="replace")
    sep = "\t" if head.count("\t") > head.count(",") else (";" if head.count(";") > head.count(",") else ",")
    kwargs: dict[str, Any] = {"sep": sep, "dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except UnicodeDecodeError:
        # Spreadsheet exports on Windows are often cp1252; the fallback is recorded nowhere else
        # because values are then validated like any other text.
        return pd.read_csv(path, encoding="cp1252", **kwargs)


def _read_excel(path: Path, sheet: str) -> pd.DataFrame:
    sheets = pd.ExcelFile(path, engine="openpyxl")
    if sheet not in sheets.sheet_names:
        raise InputError("data.sheet", f"sheet '{sheet}' not found in {path}; sheets: {', '.join(map(str, sheets.sheet_names))}")
    return sheets.parse(sheet, dtype=object)


def _read_sav(path: Path) -> pd.DataFrame:
    import pyreadstat

    # apply_value_formats turns coded categories (1 = "Male") into their labels, which the
    # category map then matches; SPSS date variables arrive as datetimes.
    frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    return frame


def _read_duckdb(path: Path, table: str) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        names = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if table not in names:
            raise InputError("data.table", f"table '{table}' not found in {path}; tables: {', '.join(sorted(names))}")
        return con.execute(f'select * from "{table}"').df()


def _header_key(name: str) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def map_headers(frame: pd.DataFrame, *, table: str, columns: dict[str, str] | None = None,
                known: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Rename the user's headers to template names.

    First the protocol's explicit mapping (user header -> template column), then a normalised match
    (trimmed, lower case, spaces/hyphens as ``_``) against the template columns of ``table`` and the
    ``known`` extra names (protocol variables). Other headers stay as they are.
    """
    explicit = dict(columns or {})
    targets = {c.name for c in TEMPLATE[table]} | set(known)
    renamed: dict[str, str] = {}
    for header in frame.columns:
        if header in explicit:
            renamed[header] = explicit[header]
        elif (key := _header_key(header)) in targets:
            renamed[header] = key
    mapped = frame.rename(columns=renamed)
    repeated = sorted({str(c) for c in mapped.columns[mapped.columns.duplicated()]})
    if repeated:
        sources = {c: [str(h) for h in frame.columns if renamed.get(h, h) == c] for c in repeated}
        detail = "; ".join(f"'{c}' from {', '.join(repr(h) for h in hs)}" for c, hs in sources.items())
        raise InputError(f"data.{table}", f"two headers give the same column: {detail}; rename or drop one")
    return mapped


def read_study_files(protocol: Protocol) -> RawStudy:
    """Read every table the protocol names, with the source of each (path, sha256, rows)."""
    known = protocol.variable_names()
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, SourceInfo] = {}
    hashes: dict[str, str] = {}  # one workbook or database may serve several tables
    for table in TEMPLATE_TABLES:
        data_file: DataFile | None = getattr(protocol.data, table)
        if data_file is None:
            continue
        path = resolve_data_path(protocol, data_file)
        frame = read_data_file(path, table=table, data_file=data_file)
        tables[table] = map_headers(frame, table=table, columns=data_file.columns,
                                    known=known if table == "patients" else frozenset())
        key = os.fspath(path)
        hashes.setdefault(key, file_sha256(path))
        fmt = infer_format(path, data_file.format)
        location = (data_file.sheet or table) if fmt == "xlsx" else (data_file.table or table) if fmt == "duckdb" else ""
        sources[table] = SourceInfo(table=table, path=key, format=fmt, sha256=hashes[key], rows=len(frame),
                                    location=location)
    return RawStudy(tables=tables, sources=sources)


def read_study_tables(protocol: Protocol) -> dict[str, pd.DataFrame]:
    """Read the tables the protocol names (paths relative to the protocol file), headers mapped.

    Returns a dict keyed by template table name; values as read (strings allowed).
    """
    return read_study_files(protocol).tables
