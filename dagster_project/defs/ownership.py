"""Who answers for each asset, the tags that say what it is, and how fresh what readers see
must be: set on every asset by its group (dbt folder or Dagster group), in one place.

Freshness: the marts, reference tables, the published file and the report must have been
materialised within a day (the daily schedule plus slack): warn after 25 hours, fail
(red in the Dagster UI) after 26. Dagster's daemon evaluates the policies (`make dev`;
`freshness: enabled` in dagster_home/dagster.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import dagster as dg

DATA_ENGINEERING = "team:data-engineering"
CX_ANALYTICS = "team:cx-analytics"
PEOPLE_ANALYTICS = "team:people-analytics"
# Landing, validation and modelling internals belong to the engineers who run the pipeline;
# what readers see (marts, reference tables, the published file, the report) to analytics.
OWNERS = {
    "ingest": DATA_ENGINEERING,
    "quality": DATA_ENGINEERING,
    "lake": DATA_ENGINEERING,
    # the detractor alert outbox: the engineers keep delivery running
    "alerts": DATA_ENGINEERING,
    "staging": DATA_ENGINEERING,
    "intermediate": DATA_ENGINEERING,
    "marts": CX_ANALYTICS,
    # employee NPS: HR's analysts answer for it (config/audiences.yml)
    "hr": PEOPLE_ANALYTICS,
    "reference": CX_ANALYTICS,
    "publish": CX_ANALYTICS,
}
READER_FACING = {"marts", "hr", "reference", "publish"}
READERS_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(hours=26), warn_window=dt.timedelta(hours=25)
)


def _owned(spec: dg.AssetSpec) -> dg.AssetSpec:
    group = spec.group_name or "default"
    tags = {"nps/layer": group, "nps/audience": "readers" if group in READER_FACING else "pipeline"}
    spec = spec.merge_attributes(owners=[OWNERS.get(group, DATA_ENGINEERING)], tags=tags)
    return spec.replace_attributes(freshness_policy=READERS_FRESHNESS) if group in READER_FACING else spec


def with_owners(assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    return list(dg.map_asset_specs(_owned, list(assets)))
