"""Deterministic, realistic sample survey exports (see generator.py)."""

from dagster_project.sample_data.generator import GeneratorConfig, generate

__all__ = ["GeneratorConfig", "generate"]
