-- What revenue_weighted_nps was built from, per period: the row count and fingerprint of its
-- revenue windows (int_revenue_periods_to_rebuild). Built after the mart, so it changes only
-- once the mart did; the next build compares with it.
-- depends_on: {{ ref('revenue_weighted_nps') }}  (built after it)

select
    programme,
    period_grain,
    period_start,
    window_rows,
    fingerprint
from {{ ref('int_revenue_periods_to_rebuild') }}
where window_rows is not null
