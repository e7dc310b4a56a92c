-- Per customer segment (the CRM export's segment_* columns), how many of its customers are
-- there at the start of a quarter and how many of those leave during it, from the CRM alone
-- (built again when the CRM export changes, not when answers do). One row per quarter in
-- which the count changes or someone leaves; between rows the count stays as it was
-- (int_segment_quarters reads it as of each quarter it needs).
--
-- A customer is there at the start of quarter q when acquired before q (or on an unknown
-- day) and not gone before q: from the first quarter that starts after the acquisition to
-- the quarter of the churn. Each customer is read once, as a +1 where that span begins and a
-- -1 after it ends; the count is their running sum.
with

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

segments as (

    select * from {{ ref('int_customer_segments') }}

),

segment_customers as (

    select
        segments.segment_type,
        segments.segment_value,
        customers.acquired_at,
        customers.churned_at,
        cast({{ dbt.date_trunc('quarter', 'customers.churned_at') }} as date) as churn_quarter
    from segments
    inner join customers on segments.customer_key = customers.customer_key

),

spans as (

    select
        segment_type,
        segment_value,
        coalesce(
            {{ date_shift('quarter', 1, "cast(" ~ dbt.date_trunc('quarter', 'acquired_at') ~ " as date)") }},
            cast('0001-01-01' as date)
        ) as first_quarter,
        {{ date_shift('quarter', 1, 'churn_quarter') }} as after_last_quarter
    from segment_customers

),

changes as (

    select
        segment_type,
        segment_value,
        first_quarter as quarter_start,
        1 as change
    from spans
    where after_last_quarter is null or first_quarter < after_last_quarter

    union all

    select
        segment_type,
        segment_value,
        after_last_quarter as quarter_start,
        -1 as change
    from spans
    where first_quarter < after_last_quarter

),

-- those there at the start of the quarter of their churn
leaving as (

    select
        segment_type,
        segment_value,
        churn_quarter as quarter_start,
        0 as change,
        1 as leaving
    from segment_customers
    where churn_quarter is not null and coalesce(acquired_at < churn_quarter, true)

),

by_quarter as (

    select
        segment_type,
        segment_value,
        quarter_start,
        sum(change) as change,
        sum(leaving) as churned_in_quarter
    from (
        select
            segment_type,
            segment_value,
            quarter_start,
            change,
            0 as leaving
        from changes
        union all
        select
            segment_type,
            segment_value,
            quarter_start,
            change,
            leaving
        from leaving
    ) as events
    group by segment_type, segment_value, quarter_start

),

final as (

    select
        segment_type,
        segment_value,
        quarter_start,
        sum(change) over (
            partition by segment_type, segment_value
            order by quarter_start
            rows between unbounded preceding and current row
        ) as customers_at_start,
        churned_in_quarter
    from by_quarter

)

select * from final
