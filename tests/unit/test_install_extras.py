"""What a first run installs: the core holds no Spark and no test tool (they are extras the
Makefile adds when asked for), and asking for Spark without it says the one command to run."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from dagster_project.settings import REPO_ROOT


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[=<>! ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_the_core_install_holds_no_spark_and_no_test_tool():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    core, extras = _names(project["dependencies"]), project["optional-dependencies"]
    assert {"dbt-duckdb", "dagster", "great-expectations", "dbt-metricflow", "altair"} <= core
    assert not core & {"pyspark", "dbt-spark", "selenium", "pytest", "hypothesis", "dagster-webserver"}
    assert _names(extras["spark"]) == {"pyspark", "dbt-spark"}
    assert {"dagster-webserver", "dagster-dg-cli"} == _names(extras["ui"])
    assert {"pytest", "selenium", "aiosmtpd"} <= _names(extras["dev"])


def test_spark_without_its_extra_is_refused_with_the_command_to_install_it(tmp_path):
    # pyspark hidden from the import system, as in an environment with the core install only
    script = (
        "import sys; sys.modules['pyspark'] = None; "
        "from dagster_project.cli import main; sys.exit(main(['run']))"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "NPS_ENGINE": "spark",
        "NPS_RAW_DIR": str(tmp_path / "inbox"),
        "NPS_WAREHOUSE": str(tmp_path / "warehouse" / "nps.duckdb"),
        "NPS_SECRETS_DIR": str(tmp_path / "secrets"),
    }
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=99, check=False)
    assert result.returncode == 2, result.stderr
    assert "NPS_ENGINE=spark make run" in result.stderr
    assert not (tmp_path / "warehouse" / "nps.duckdb").exists()
