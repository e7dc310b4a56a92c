"""Rules written once on each side: the NPS category cut-offs (Python constant, one dbt
macro) agree on every score of the scale."""

from __future__ import annotations

import re

import duckdb
import jinja2

from dagster_project.nps_scale import SCALE_MAX, SCALE_MIN, category_of, category_sql
from dagster_project.settings import DBT_PROJECT_DIR


def _dbt_nps_category(score_column: str) -> str:
    """The dbt macro `nps_category`, rendered as dbt renders it (plain Jinja)."""
    macros = (DBT_PROJECT_DIR / "macros" / "nps.sql").read_text()
    block = re.search(r"{% macro nps_category\(.*?{%- endmacro %}", macros, re.S).group(0)
    return jinja2.Environment().from_string(block + "{{ nps_category('" + score_column + "') }}").render()


def test_python_and_dbt_categories_agree_on_every_score():
    con = duckdb.connect()
    rows = con.execute(
        f"""select score, {_dbt_nps_category("score")}, {category_sql("score")}
            from range({SCALE_MIN}, {SCALE_MAX + 1}) as scores(score) order by score"""
    ).fetchall()
    assert [(s, dbt, py) for s, dbt, py in rows] == [(s, category_of(s), category_of(s)) for s in range(11)]
    assert [category_of(s) for s in (6, 7, 8, 9)] == ["detractor", "passive", "passive", "promoter"]


def test_dbt_gives_no_category_off_the_scale():
    con = duckdb.connect()
    assert con.execute(f"select {_dbt_nps_category('11')}, {_dbt_nps_category('-1')}").fetchall() == [
        (None, None)
    ]
