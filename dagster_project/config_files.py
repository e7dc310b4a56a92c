"""Reading a YAML configuration file (`config/sources.yml`, `config/surveys.yml`): a mapping
with one list of entries, validated as a whole by a pydantic model. Any mistake is one
`ConfigurationError` naming the file, the entry (its number and identifier) and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Config = TypeVar("Config", bound=BaseModel)


class ConfigurationError(ValueError):
    """A setting or a configuration file has a value the pipeline cannot work with."""


def _describe(error: dict, raw: dict, lists: dict[str, tuple[str, str]]) -> str:
    """One validation error as `<entry_word> #n ('id'), field f: message`; `lists` maps each
    list of entries to (entry word, identifying key)."""
    location = list(error["loc"])
    where = next(iter(lists))
    if len(location) >= 2 and location[0] in lists and isinstance(location[1], int):
        entries_key = location[0]
        entry_word, id_key = lists[entries_key]
        entries = raw.get(entries_key) or []
        entry = entries[location[1]] if location[1] < len(entries) else {}
        identifier = entry.get(id_key) if isinstance(entry, dict) else None
        where = f"{entry_word} #{location[1] + 1}" + (f" ({identifier!r})" if identifier else "")
        location = location[2:]
    field = ".".join(str(part) for part in location)
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}{', field ' + field if field else ''}: {message}"


def load_config_file(
    path: Path,
    model: type[Config],
    what: str,
    entries_key: str,
    entry_word: str,
    id_key: str,
    more_entries: dict[str, tuple[str, str]] | None = None,
) -> Config:
    """Read `path` (a mapping with the list `entries_key`, and any `more_entries` lists) and
    validate it as `model`, or raise a ConfigurationError; `what` names the file in messages
    (e.g. "survey catalogue")."""
    lists = {entries_key: (entry_word, id_key), **(more_entries or {})}
    if not path.exists():
        raise ConfigurationError(f"{what} {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: expected a mapping with a '{entries_key}' list")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e, raw, lists) for e in exc.errors())
        raise ConfigurationError(f"{path}: {problems}") from None
