-- Each customer's revenue per calendar quarter, from billing alone: built when billing
-- changes, read by the segment quarters (int_segment_quarters) whenever answers change.
with

revenue as (

    select * from {{ ref('stg_inbox__revenue') }}

),

final as (

    select
        customer_key,
        cast({{ dbt.date_trunc('quarter', 'revenue_month') }} as date) as quarter_start,
        sum(revenue) as revenue
    from revenue
    group by customer_key, cast({{ dbt.date_trunc('quarter', 'revenue_month') }} as date)

)

select * from final
