"""Running `nps-warehouse run` (what `make run` calls) as a separate process, as users do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.conftest import FIXTURES, copy_deployment
from tests.pipeline import TEST_KEY

# Columns whose values depend on when a run happened, not on what it computed.
TIME_OF_RUN_COLUMNS = {"landed_at", "replaced_at"}


@dataclass
class Deployment:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "nps.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published" / "nps_marts.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NPS_") and k != "DAGSTER_HOME"}
        env.update(
            NPS_RAW_DIR=str(self.inbox),
            NPS_WAREHOUSE=str(self.warehouse),
            NPS_PUBLISHED=str(self.published),
            NPS_SECRETS_DIR=str(self.root / "secrets"),
            NPS_SURVEYS_CONFIG=str(FIXTURES / "surveys.yml"),
            NPS_PSEUDONYMISATION_KEY=TEST_KEY,
            NPS_LOG_LEVEL="WARNING",
            NPS_INBOX_SETTLE_SECONDS="0",  # files written by a test are complete
        )
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "dagster_project.cli", "run", *args]

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            env=self.env(**extra),
            capture_output=True,
            text=True,
            start_new_session=True,
            timeout=600,
            check=False,
        )

    def start(self, *args: str, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


def deployment(root: Path, inbox: Path) -> Deployment:
    shutil.copytree(inbox, root / "inbox")
    return Deployment(root)


def published_tables(path: Path) -> dict[str, list]:
    """Every published table, sorted, without the columns that record when a run happened."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name <> 'meta' order by 1, 2"
        ).fetchall()
        content = {}
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = $s and table_name = $t "
                    "order by column_index",
                    {"s": schema, "t": table},
                ).fetchall()
                if name not in TIME_OF_RUN_COLUMNS
            ]
            selected = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {selected} from {schema}."{table}"').fetchall()
            content[f"{schema}.{table}"] = sorted(map(repr, rows))
        return content
    finally:
        con.close()


def published_version(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select version from meta.publication").fetchall()[0][0]
    finally:
        con.close()


def copy_site(built: Deployment, root: Path) -> Deployment:
    """A fresh copy of a deployment that has already run (inbox, warehouse, published file)."""
    copy_deployment(built.root, root)
    return Deployment(root)
