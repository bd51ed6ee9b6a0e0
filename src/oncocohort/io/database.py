"""The study database: one DuckDB file per study with the raw, validated and derived tables.

Layout
------
- schema ``raw``: each table as read (headers mapped, identifying columns removed; text columns
  stored as text);
- schema ``validated``: the typed tables of :class:`oncocohort.validate.ValidatedStudy`;
- schema ``derived``: written by later stages (:func:`store_tables` with ``schema="derived"``);
- table ``main.import_log``: one row per source table per import: ``import_id, imported_at,
  table_name, source_path, source_format, source_location, sha256, rows_raw, rows_validated,
  n_warnings, status`` (``imported`` or ``unchanged``), ``tool_version``, ``protocol_sha256``.

Idempotence: an import whose sources (sha256 of every file) and protocol are those of the last
import leaves the data tables untouched and is logged as ``unchanged``; otherwise every table is
replaced (never appended), so a database never holds two copies of a row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import duckdb
import pandas as pd
import pyarrow as pa

from oncocohort import __version__
from oncocohort.errors import InputError
from oncocohort.protocol import Protocol, protocol_dir

if TYPE_CHECKING:  # validate is a later stage; imported for types only
    from oncocohort.validate import ValidatedStudy

Schema = Literal["raw", "validated", "derived"]
SCHEMAS: tuple[str, ...] = ("raw", "validated", "derived")
IMPORT_LOG = "import_log"

_LOG_COLUMNS = {
    "import_id": "INTEGER", "imported_at": "TIMESTAMP", "table_name": "VARCHAR", "source_path": "VARCHAR",
    "source_format": "VARCHAR", "source_location": "VARCHAR", "sha256": "VARCHAR", "rows_raw": "BIGINT",
    "rows_validated": "BIGINT", "n_warnings": "INTEGER", "status": "VARCHAR", "tool_version": "VARCHAR",
    "protocol_sha256": "VARCHAR",
}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Outcome of :func:`import_study`."""

    db_path: Path
    import_id: int
    status: Literal["imported", "unchanged"]
    rows: dict[str, int]

    def __str__(self) -> str:
        counts = ", ".join(f"{t} {n}" for t, n in self.rows.items())
        return f"import #{self.import_id} {self.status}: {self.db_path} ({counts})"


def _inside_package(path: Path) -> bool:
    import oncocohort

    package_root = Path(oncocohort.__file__).resolve().parent
    return package_root in path.resolve().parents or path.resolve() == package_root


def default_output_dir(protocol: Protocol) -> Path:
    """Where a study's outputs go without ``--out``: ``<protocol folder>/out``, or
    ``./out/<study name>`` for a study shipped inside the package (never write into site-packages)."""
    folder = protocol_dir(protocol)
    if _inside_package(folder):
        return Path.cwd() / "out" / protocol.study.name
    return folder / "out"


def study_database_path(protocol: Protocol, out_dir: str | Path | None = None) -> Path:
    """The study's DuckDB file: ``<out_dir>/<study>.duckdb`` when given, else in the study's folder
    (``<protocol folder>/<study>.duckdb``) or, for a study shipped in the package, in
    :func:`default_output_dir`."""
    name = f"{protocol.study.name}.duckdb"
    if out_dir is not None:
        return Path(out_dir) / name
    folder = protocol_dir(protocol)
    return (default_output_dir(protocol) if _inside_package(folder) else folder) / name


def _check_schema(schema: str) -> None:
    if schema not in SCHEMAS:
        raise InputError("schema", f"unknown schema '{schema}'; allowed: {', '.join(SCHEMAS)}")


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns DuckDB can store: mixed-type object columns (Excel cells) become text."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object:
            text = column.astype("string")
            out[str(name)] = text.mask(column.isna())
        else:
            out[str(name)] = column
    return pd.DataFrame(out, index=frame.index)


def _store(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame], schema: str) -> None:
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    for name, frame in tables.items():
        view = f"__oncocohort_{schema}_{name}"
        # Handing DuckDB an Arrow table keeps the scan columnar (pandas object columns are read
        # value by value).
        con.register(view, pa.Table.from_pandas(_storable(frame), preserve_index=False))
        try:
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{name}" AS SELECT * FROM "{view}"')
        finally:
            con.unregister(view)


def store_tables(db_path: str | Path, tables: dict[str, pd.DataFrame], *, schema: Schema) -> None:
    """Create or replace ``tables`` in ``schema`` ("raw", "validated" or "derived") of the database.

    The whole write is one transaction: a failure leaves the database as it was.
    """
    _check_schema(schema)
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _store(con, tables, schema)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def read_table(db_path: str | Path, name: str, *, schema: Schema | Literal["main"]) -> pd.DataFrame:
    """Read one table of the study database as a DataFrame (``schema="main"`` for the import log)."""
    if schema != "main":
        _check_schema(schema)
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"study database not found: {db_path} (run `oncocohort import` first)")
    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, name]).fetchone()
        if not found or found[0] == 0:
            names = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()]
            raise InputError("name", f"no table '{name}' in schema '{schema}' of {db_path}; "
                             f"tables: {', '.join(sorted(names)) or '(none)'}")
        return con.execute(f'SELECT * FROM "{schema}"."{name}"').df()


def list_tables(db_path: str | Path) -> dict[str, list[str]]:
    """Schema -> table names present in the database."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("select table_schema, table_name from information_schema.tables "
                           "order by table_schema, table_name").fetchall()
    out: dict[str, list[str]] = {}
    for schema, name in rows:
        out.setdefault(schema, []).append(name)
    return out


def protocol_fingerprint(protocol: Protocol) -> str:
    """sha256 of the protocol's content (a changed protocol changes the validated tables)."""
    text = json.dumps(protocol.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _last_import(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, str], str | None, str | None]:
    """(last import id, table -> sha256, protocol sha256, tool version) of the last import; 0 when none."""
    row = con.execute(f"select max(import_id) from {IMPORT_LOG}").fetchone()
    last = int(row[0]) if row and row[0] is not None else 0
    if last == 0:
        return 0, {}, None, None
    rows = con.execute(f"select table_name, sha256, protocol_sha256, tool_version from {IMPORT_LOG} "
                       "where import_id = ?", [last]).fetchall()
    return last, {t: s for t, s, _, _ in rows}, rows[0][2], rows[0][3]


def content_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a table's content (for tables validated from memory, with no source file)."""
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def import_study(study: ValidatedStudy, db_path: str | Path) -> ImportResult:
    """Store a validated study (raw + validated tables) and log the import.

    Importing the same files under the same protocol again adds no rows to the data tables; the log
    gains rows with status ``unchanged``.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # One log row per source table; a table validated from memory (no file) is logged with the
    # sha256 of its content so that re-importing it is recognised as unchanged too.
    sources = {t: dict(study.sources.get(t, {"path": "", "format": "memory", "rows": len(frame)}))
               for t, frame in study.raw.items()} or dict(study.sources)
    hashes = {t: str(info.get("sha256") or content_sha256(study.raw[t])) for t, info in sources.items()}
    protocol_sha = protocol_fingerprint(study.protocol)
    n_warnings = sum(p.severity == "warning" for p in study.problems)
    rows = {t: len(study.tables[t]) for t in study.tables}
    with duckdb.connect(str(db_path)) as con:
        cols = ", ".join(f"{k} {v}" for k, v in _LOG_COLUMNS.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {IMPORT_LOG} ({cols})")
        con.execute("BEGIN TRANSACTION")
        try:
            last, last_hashes, last_protocol, last_version = _last_import(con)
            have = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'validated'").fetchall()}
            # A new tool version may type values differently: it re-imports even unchanged files.
            unchanged = (last > 0 and last_hashes == hashes and last_protocol == protocol_sha
                         and last_version == __version__ and set(study.tables) <= have)
            status: Literal["imported", "unchanged"] = "unchanged" if unchanged else "imported"
            if not unchanged:
                _store(con, study.raw, "raw")
                _store(con, study.tables, "validated")
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            log = pd.DataFrame([{
                "import_id": last + 1, "imported_at": now, "table_name": table,
                "source_path": str(info.get("path", "")), "source_format": str(info.get("format", "")),
                "source_location": str(info.get("location", "")), "sha256": hashes[table],
                "rows_raw": int(info.get("rows", len(study.raw.get(table, [])))),
                "rows_validated": rows.get(table, 0), "n_warnings": n_warnings, "status": status,
                "tool_version": __version__, "protocol_sha256": protocol_sha,
            } for table, info in sources.items()], columns=list(_LOG_COLUMNS))
            con.register("__oncocohort_log", log)
            con.execute(f"INSERT INTO {IMPORT_LOG} SELECT * FROM __oncocohort_log")
            con.unregister("__oncocohort_log")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return ImportResult(db_path=db_path, import_id=last + 1, status=status, rows=rows)
