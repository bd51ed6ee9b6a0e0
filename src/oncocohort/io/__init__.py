"""oncocohort.io: reading the study's files, the data template, the study database.

Contract (docs/architecture.md, items 1 and 3): ``read_study_tables(protocol) -> dict[str, DataFrame]``;
``oncocohort.io.database``: ``study_database_path(protocol, out_dir=None)``,
``store_tables(db_path, tables, *, schema)``, ``read_table(db_path, name, *, schema)``.
"""

from oncocohort.io.columns import TEMPLATE, ColumnSpec, column_spec, template_columns
from oncocohort.io.readers import (
    RawStudy,
    SourceInfo,
    file_sha256,
    map_headers,
    read_data_file,
    read_study_files,
    read_study_tables,
)

__all__ = [
    "TEMPLATE", "ColumnSpec", "RawStudy", "SourceInfo", "column_spec", "file_sha256", "map_headers",
    "read_data_file", "read_study_files", "read_study_tables", "template_columns",
]
