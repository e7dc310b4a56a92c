"""The NPS statistics macros and the rows fingerprint of incremental builds, compiled and run
by real dbt (`dbt show --inline`) on DuckDB."""

from __future__ import annotations

import json
import math

import pytest

from dagster_project.settings import Settings
from tests.dbt_runs import run_dbt


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbt_show")
    settings = Settings(raw_dir=root / "inbox", warehouse_path=root / "scratch.duckdb")

    def run(sql: str) -> dict:
        result = run_dbt(
            settings,
            "show",
            "--inline",
            sql,
            "--output",
            "json",
            "--log-format",
            "json",
            target=root / "target",
            check=True,
        )
        for line in result.stdout.splitlines():
            event = json.loads(line)
            preview = event.get("data", {}).get("preview")
            if preview:
                return json.loads(preview)[0]
        raise AssertionError(result.stdout[-2000:])

    return run


def test_margin_of_error_of_the_worked_example(show):
    """40% promoters, 40% passives, 20% detractors, n = 500, computed by hand: +-6.6 by Wald."""
    row = show(
        "select {{ nps_margin_of_error(200, 100, 500, 'wald') }} as wald, "
        "{{ nps_margin_of_error(200, 100, 500) }} as adjusted, "
        "{{ nps_point(200, 100, 500) }} as adjusted_centre"
    )
    assert round(row["wald"], 1) == 6.6
    assert round(row["wald"], 4) == 6.5593  # 100 * 1.96 * sqrt(0.56 / 500)
    # adjusted: 200.75 P, 100.75 D of 503: Var = 0.59940 - 0.19881^2 = 0.55987
    assert round(row["adjusted"], 4) == 6.5390
    assert round(row["adjusted_centre"], 4) == round(100 * 100 / 503, 4)


def test_the_interval_is_clipped_to_plus_minus_100(show):
    row = show(
        "select {{ nps_ci_low(5, 0, 5) }} as low, {{ nps_ci_high(5, 0, 5) }} as high, "
        "{{ nps_ci_high(5, 0, 5, 'wald') }} as wald_high"
    )
    assert row["high"] == 100.0 and row["wald_high"] == 100.0
    assert -100.0 < row["low"] < 100.0


Z_VALUES = [0.0, 0.5, 1.0, 1.959963984540054, 2.5, 3.3, -2.0, 4.152]


def test_p_value_matches_the_normal_distribution(show):
    columns = ", ".join(f"{{{{ two_sided_p_value('{z}') }}}} as p{i}" for i, z in enumerate(Z_VALUES))
    row = show(f"select {columns}")
    for i, z in enumerate(Z_VALUES):
        assert abs(row[f"p{i}"] - math.erfc(abs(z) / math.sqrt(2))) < 1e-6, z
    assert abs(row["p3"] - 0.05) < 1e-6  # z = 1.96 is the 5% threshold


def test_z_of_a_change(show):
    """NPS 20 (40/40/20, n 500) against NPS 0 (30/40/30, n 500): z = 20 / (100 * sqrt(0.00232))."""
    row = show("select {{ nps_difference_z(200, 100, 500, 150, 150, 500) }} as z")
    assert round(row["z"], 3) == round(20 / (100 * math.sqrt(0.56 / 500 + 0.6 / 500)), 3) == 4.152


def test_rows_fingerprint_tells_changed_rows_whose_pairs_cancel_in_an_xor(show):
    """A customer's rows {A, A, B} becoming {C, C, B}: same count, and an xor of the hashes
    would be B both times. The fingerprint differs; the same rows in another order do not."""
    row = show(
        "with rows as (select * from (values "
        "('before', 'A', 1), ('before', 'A', 1), ('before', 'B', 2), "
        "('after', 'C', 3), ('after', 'B', 2), ('after', 'C', 3), "
        "('reordered', 'B', 2), ('reordered', 'A', 1), ('reordered', 'A', 1)"
        ") as t(version, letter, number)), "
        "prints as (select version, {{ rows_fingerprint(['letter', 'number']) }} as fingerprint "
        "from rows group by version) "
        "select "
        "(select fingerprint from prints where version = 'before') "
        "!= (select fingerprint from prints where version = 'after') as tells_change, "
        "(select fingerprint from prints where version = 'before') "
        "= (select fingerprint from prints where version = 'reordered') as ignores_order"
    )
    assert row == {"tells_change": True, "ignores_order": True}
