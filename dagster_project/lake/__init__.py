"""The lake: validated, pseudonymised rows as Parquet, the one input dbt builds from.

Landing and validation stay in the pipeline's private DuckDB file; what crosses to the
engine that builds the marts (DuckDB or Spark, `NPS_ENGINE`) is written here as Parquet, so
both engines read the same bytes (`layout.py` says what goes where, `export.py` keeps it in
step with the warehouse).
"""
