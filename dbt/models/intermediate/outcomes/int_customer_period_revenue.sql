-- Each customer's revenue per month, quarter and year billed, and whether the customer was
-- billed in the period before: what earned growth (marts/outcomes/earned_growth) adds up.
--
-- Incremental by period on DuckDB (macros/outcomes_incremental.sql): a run builds again
-- the periods holding a month of a changed billing file and the periods after them (whose
-- "billed the period before" they decide); everything when a billing file was replaced.
-- On Spark a table built in full, as the other models incremental by key.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_periods_to_rebuild() }}",
) }}

with

revenue as (

    select * from {{ ref('stg_inbox__revenue') }}

),

grains as (

    {{ period_grains_relation(['month', 'quarter', 'year']) }}

),

-- Each billing row once per grain, with the period it falls in.
revenue_periods as (

    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'revenue.revenue_month') }} as period_start,
        revenue.customer_key,
        revenue.currency,
        revenue.revenue
    from revenue
    cross join grains

),

-- The periods to build: all on a full build; those the model no longer holds (the pre-hook
-- removed them) on an incremental one.
periods as (

    select distinct
        period_grain,
        period_start
    from revenue_periods
    {%- if is_incremental() %}
    except
    select distinct
        period_grain,
        period_start
    from {{ this }}
    {%- endif %}

),

billed as (

    select
        revenue_periods.period_grain,
        revenue_periods.period_start,
        revenue_periods.customer_key,
        max(revenue_periods.currency) as currency,
        sum(revenue_periods.revenue) as revenue
    from revenue_periods
    inner join periods
        on revenue_periods.period_grain = periods.period_grain
        and revenue_periods.period_start = periods.period_start
    group by
        revenue_periods.period_grain,
        revenue_periods.period_start,
        revenue_periods.customer_key

),

-- The customers billed in the period before each period to build.
billed_before as (

    select distinct
        revenue_periods.period_grain,
        periods.period_start,
        revenue_periods.customer_key
    from revenue_periods
    inner join periods
        on revenue_periods.period_grain = periods.period_grain
        and revenue_periods.period_start
        = {{ period_shift('periods.period_grain', 'periods.period_start', -1) }}

),

final as (

    select
        billed.period_grain,
        billed.period_start,
        billed.customer_key,
        billed.currency,
        billed.revenue,
        billed_before.customer_key is not null as was_billed_last_period
    from billed
    left join billed_before
        on billed.period_grain = billed_before.period_grain
        and billed.period_start = billed_before.period_start
        and billed.customer_key = billed_before.customer_key

)

select * from final
