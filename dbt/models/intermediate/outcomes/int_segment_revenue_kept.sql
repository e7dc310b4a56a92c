-- Per customer segment and quarter, the revenue kept from the segment's customers billed the
-- quarter before (net revenue retention, NRR): what they brought that quarter against what
-- they bring in this one (0 for those no longer billed), from billing and the CRM alone
-- (built again when those change, not when answers do). A quarter not wholly billed yet
-- carries no NRR.
{{ config(
    pre_hook="{{ no_duckdb_partial_aggregate_pushdown() }}",
    post_hook="{{ every_duckdb_optimizer() }}",
) }}

with

segments as (

    select * from {{ ref('int_customer_segments') }}

),

revenue as (

    select * from {{ ref('int_customer_quarter_revenue') }}

),

billed as (

    select max(period_start) as last_billed_month from {{ ref('int_customer_period_revenue') }}
    where period_grain = 'month'

),

-- Per segment and quarter, what its customers billed brought, and what those of them also
-- billed the quarter before brought (the revenue that quarter kept). Summed by segment
-- first, then paired with the quarter before: pairing each customer's quarter with the
-- customer's next first (a self-join of every customer's quarters) took 16 s at 14M
-- customer quarters and spilled ~3 GB; this takes 1.6 s (DuckDB's partial aggregation
-- before the join off: the customer quarters are unique already, it took 5 s more).
by_segment as (

    select
        segments.segment_type,
        segments.segment_value,
        revenue.quarter_start,
        sum(revenue.revenue) as revenue,
        sum(case when revenue.was_billed_last_period then revenue.revenue else 0 end) as retained_revenue
    from revenue
    inner join segments on revenue.customer_key = segments.customer_key
    group by segments.segment_type, segments.segment_value, revenue.quarter_start

),

-- the revenue of the segment's customers billed the quarter before, and what they brought
-- in this one (0 when none of them is billed in it)
summed as (

    select
        previous.segment_type,
        previous.segment_value,
        {{ date_shift('quarter', 1, 'previous.quarter_start') }} as quarter_start,
        previous.revenue as previous_revenue,
        coalesce(this_quarter.retained_revenue, 0) as retained_revenue
    from by_segment as previous
    left join by_segment as this_quarter
        on previous.segment_type = this_quarter.segment_type
        and previous.segment_value = this_quarter.segment_value
        and this_quarter.quarter_start = {{ date_shift('quarter', 1, 'previous.quarter_start') }}

),

final as (

    select
        summed.segment_type,
        summed.segment_value,
        summed.quarter_start,
        summed.previous_revenue,
        summed.retained_revenue,
        cast(
            case
                when {{ date_shift('quarter', 1, 'summed.quarter_start') }}
                    <= {{ date_shift('month', 1, 'billed.last_billed_month') }}
                    then {{ money_ratio('summed.retained_revenue', 'summed.previous_revenue') }}
            end as double
        ) as nrr
    from summed
    cross join billed

)

select * from final
