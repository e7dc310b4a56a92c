-- Do promoters buy more? Per programme, answer cohort and category: the customers' revenue
-- in the 12 months after the month of their last answer in the period, over their revenue
-- in the 12 months before it (int_customer_revenue_windows). A window that reaches outside
-- the billing history is not complete (flagged, never silently short).
with

windows as (

    select * from {{ ref('int_customer_revenue_windows') }}

),

summed as (

    select
        programme,
        period_grain,
        period_start,
        nps_category,
        count(*) as customers,
        sum(revenue_before) as revenue_before,
        sum(revenue_after) as revenue_after,
        min(case when is_window_complete then 1 else 0 end) = 1 as is_window_complete
    from windows
    group by programme, period_grain, period_start, nps_category

),

final as (

    select
        programme,
        period_grain,
        period_start,
        nps_category,
        customers,
        cast(revenue_before as decimal(18, 4)) as revenue_12_months_before,
        cast(revenue_after as decimal(18, 4)) as revenue_12_months_after,
        {{ money_ratio('revenue_after', 'revenue_before') }} as revenue_retention,
        customers < {{ var('nps_min_sample') }} as is_low_sample,
        is_window_complete
    from summed

)

select * from final
