-- Each customer's revenue in the last 12 billed months (the billing history's last month
-- and the 11 before it), from billing alone: built again when billing changes, not when
-- answers do (revenue_at_risk reads it; a run brought by answers reads a table of one row
-- per billed customer instead of every month ever billed).
--
-- Incremental by customer on DuckDB (macros/outcomes_incremental.sql): a run builds again
-- the customers of a changed billing file; everything when a billing file was replaced or
-- the history's last month moved. On Spark a table built in full.
-- depends_on: {{ ref('stg_inbox__revenue') }}  (the customers to build, on an incremental run)
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_billed_customers_to_rebuild(whole_when_last_month_moves=true) }}",
) }}

with

-- Each customer's billed months: the month rows of int_customer_period_revenue (one per
-- billing row), a table in the warehouse, read ten times faster than the billing rows in
-- the lake's Parquet.
revenue as (

    select
        customer_key,
        period_start as revenue_month,
        revenue
    from {{ ref('int_customer_period_revenue') }}
    where period_grain = 'month'

),

-- The months alone, for the history's ends (a CTE read twice is materialised: `revenue`
-- read by both would be every billing row written out once more).
billed_months as (

    select period_start as revenue_month
    from {{ ref('int_customer_period_revenue') }}
    where period_grain = 'month'

),

billed as (

    select
        max(revenue_month) as last_billed_month,
        {{ date_shift('month', -12, 'max(revenue_month)') }} as year_before_last_month
    from billed_months

),

last_year as (

    select revenue.*
    from revenue
    cross join billed
    where revenue.revenue_month > billed.year_before_last_month

),

final as (

    select
        last_year.customer_key,
        sum(last_year.revenue) as revenue,
        max(billed.last_billed_month) as last_billed_month
    from last_year
    cross join billed
    {%- if is_incremental() %}
    -- the customers the pre-hook removed
    where last_year.customer_key in {{ billed_customers_to_build(ref('stg_inbox__revenue')) }}
    {%- endif %}
    group by last_year.customer_key

)

select * from final
