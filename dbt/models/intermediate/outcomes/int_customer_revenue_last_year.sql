-- Each customer's revenue in the last 12 billed months (the billing history's last month
-- and the 11 before it), from billing alone: built again when billing changes, not when
-- answers do (revenue_at_risk reads it; a run brought by answers reads a table of one row
-- per billed customer instead of every month ever billed).
with

revenue as (

    select * from {{ ref('stg_inbox__revenue') }}

),

billed as (

    select {{ date_shift('month', -12, 'max(revenue_month)') }} as year_before_last_month
    from revenue

),

final as (

    select
        revenue.customer_key,
        sum(revenue.revenue) as revenue
    from revenue
    cross join billed
    where revenue.revenue_month > billed.year_before_last_month
    group by revenue.customer_key

)

select * from final
