"""The one job: every asset and check, from inbox to marts."""

import dagster as dg

nps_pipeline = dg.define_asset_job(
    "nps_pipeline",
    selection=dg.AssetSelection.all(),
    description="Land new inbox files, validate them (GX), build the dbt marts.",
    tags={"nps/warehouse": "writer"},
)
