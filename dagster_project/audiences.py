"""Audiences (`config/audiences.yml`, or `NPS_AUDIENCES_CONFIG`): who may read which
programmes, each from its own published file and report folder.

Customer programmes go to the default audience, whose file is NPS_PUBLISHED (what BI tools
open). The employee programme goes to an audience of its own (HR), never together with a
customer programme: employee NPS is published only as the k-anonymous aggregates of dbt's
`hr` schema (docs/nps.md#employee-anonymity), in a file only that audience can read.

The file is validated as a whole, like the other configuration files: a mistake is a
`ConfigurationError` naming the entry and the field.
"""

from __future__ import annotations

import grp
import re
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from dagster_project.config_files import load_config_file
from dagster_project.settings import Settings

CUSTOMER_PROGRAMMES = ("relationship", "transactional", "unclassified")
EMPLOYEE_PROGRAMME = "employee"
# What dbt builds for each side (the warehouse's schemas): customer marts, HR's marts;
# the reference tables (benchmarks, the calendar) go to everyone.
CUSTOMER_SCHEMAS = ("marts", "reference")
EMPLOYEE_SCHEMAS = ("hr", "reference")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_MODE = re.compile(r"0?[0-7]{3}")
_WRITE_BITS = 0o222


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    programmes: tuple[Literal["relationship", "transactional", "unclassified", "employee"], ...]
    default: bool = False
    folder: str | None = None
    file: str | None = None
    file_mode: str = "0444"
    folder_mode: str | None = None
    group: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError("must be a lower-case identifier (e.g. cx, hr)")
        return value

    @field_validator("file_mode", "folder_mode")
    @classmethod
    def _mode(cls, value: str | None) -> str | None:
        if value is not None and not _MODE.fullmatch(value):
            raise ValueError(f'{value!r} is not an octal mode (e.g. "0440")')
        return value

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                grp.getgrnam(value)
            except KeyError:
                raise ValueError(f"there is no Unix group {value!r} on this machine") from None
        return value

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is not None:
            parts = PurePosixPath(value).parts
            if not parts or PurePosixPath(value).is_absolute() or ".." in parts:
                raise ValueError("must be a relative folder inside the published folder (e.g. hr)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Audience:
        if not self.programmes:
            raise ValueError("an audience needs at least one programme")
        if EMPLOYEE_PROGRAMME in self.programmes and len(self.programmes) > 1:
            raise ValueError("employee NPS is never published together with customer programmes")
        if self.is_employee and self.default:
            raise ValueError("the default audience (NPS_PUBLISHED, what BI tools open) cannot be employee")
        if self.default and (self.folder or self.file):
            raise ValueError("the default audience's file is NPS_PUBLISHED: no folder or file")
        if not self.default and not (self.folder and self.file):
            raise ValueError("an audience other than the default needs a folder and a file")
        if self.file is not None and ("/" in self.file or not self.file.endswith(".duckdb")):
            raise ValueError("must be a file name ending in .duckdb")
        if int(self.file_mode, 8) & _WRITE_BITS:
            raise ValueError("file_mode: a published file is never writable (readers open it read-only)")
        return self

    @property
    def is_employee(self) -> bool:
        return EMPLOYEE_PROGRAMME in self.programmes

    @property
    def schemas(self) -> tuple[str, ...]:
        return EMPLOYEE_SCHEMAS if self.is_employee else CUSTOMER_SCHEMAS

    @property
    def file_permissions(self) -> int:
        return int(self.file_mode, 8)

    @property
    def folder_permissions(self) -> int | None:
        return int(self.folder_mode, 8) if self.folder_mode else None

    @property
    def gid(self) -> int | None:
        return grp.getgrnam(self.group).gr_gid if self.group else None

    def published_path(self, settings: Settings) -> Path:
        """Its file: NPS_PUBLISHED for the default audience, else `<folder>/<file>` beside it."""
        if self.default:
            return settings.published_path
        return settings.published_path.parent / self.folder / self.file

    def report_dir(self, settings: Settings) -> Path:
        return self.published_path(settings).parent / "report"


class Audiences(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    audiences: tuple[Audience, ...]

    @model_validator(mode="after")
    def _whole(self) -> Audiences:
        names = [a.name for a in self.audiences]
        if len(set(names)) != len(names):
            raise ValueError(f"audience names must be unique: {', '.join(names)}")
        if sum(a.default for a in self.audiences) != 1:
            raise ValueError("exactly one audience is the default (its file is NPS_PUBLISHED)")
        folders = [a.folder for a in self.audiences if a.folder]
        if len(set(folders)) != len(folders):
            raise ValueError("two audiences never share a folder")
        return self

    @property
    def default(self) -> Audience:
        return next(a for a in self.audiences if a.default)

    def named(self, name: str) -> Audience:
        for audience in self.audiences:
            if audience.name == name:
                return audience
        raise KeyError(f"no audience {name!r} (known: {', '.join(a.name for a in self.audiences)})")


def load_audiences(path: Path) -> Audiences:
    return load_config_file(path, Audiences, "audience configuration", "audiences", "audience", "name")


# The audience of a deployment without an audience file of its own in code paths that
# publish one file (tests of publishing, the benchmark): customers, NPS_PUBLISHED, read-only.
DEFAULT_AUDIENCE = Audience(
    name="cx",
    description="Customer experience - BI tools, analysts and CX teams (customer NPS)",
    programmes=CUSTOMER_PROGRAMMES,
    default=True,
)
