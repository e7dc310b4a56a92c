-- Each customer's revenue per calendar quarter, from billing alone (the quarters of
-- int_customer_period_revenue): read by the segment quarters (int_segment_quarters)
-- whenever answers change. A view: the rows are already built.
{{ config(materialized='view') }}

with

billed as (

    select * from {{ ref('int_customer_period_revenue') }}

),

final as (

    select
        customer_key,
        period_start as quarter_start,
        revenue,
        was_billed_last_period
    from billed
    where period_grain = 'quarter'

)

select * from final
