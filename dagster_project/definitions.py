"""The Dagster code location: `dagster dev -m dagster_project.definitions`."""

from dagster_project.defs import build_definitions
from dagster_project.settings import Settings

defs = build_definitions(Settings.from_env())
