"""oncocohort.io stage.

CONTRACT (read docs/architecture.md, items 1 and 3, before writing this stage): expose
``read_study_tables(protocol) -> dict[str, DataFrame]`` and, in ``oncocohort.io.database``,
``study_database_path(protocol, out_dir=None)``, ``store_tables(db_path, tables, *, schema)``,
``read_table(db_path, name, *, schema)``; later stages code against these names.
"""
