"""The NPS scale and its categories: the one Python definition.

Scores are whole numbers 0–10; 9–10 are promoters, 7–8 passives, 0–6 detractors
(`docs/nps.md`). Validation's rules and the sample generator use these constants; the dbt
side has its one macro `nps_category` (dbt/macros/nps.sql), held to the same cut-offs by
tests/unit/test_one_rule_one_place.py.
"""

from __future__ import annotations

SCALE_MIN, SCALE_MAX = 0, 10
PROMOTER_MIN_SCORE = 9
PASSIVE_MIN_SCORE = 7


def category_of(score: int) -> str:
    if score >= PROMOTER_MIN_SCORE:
        return "promoter"
    return "passive" if score >= PASSIVE_MIN_SCORE else "detractor"


def category_sql(
    score: str, promoter: str = "'promoter'", passive: str = "'passive'", detractor: str = "'detractor'"
) -> str:
    """A SQL CASE giving the category of the numeric expression `score` (labels as SQL literals)."""
    return (
        f"case when {score} >= {PROMOTER_MIN_SCORE} then {promoter} "
        f"when {score} >= {PASSIVE_MIN_SCORE} then {passive} else {detractor} end"
    )
