-- Per answer cohort row (int_customer_answer_cohorts, customers that day): the customer's
-- revenue in the 12 months before the month of the answer and in the 12 months after it
-- (the month itself in neither), and whether both windows lie inside the billing history.
--
-- Incremental by customer (macros/outcomes_incremental.sql): a run builds again only the
-- customers int_window_customers_to_rebuild names (their cohorts were built again: an
-- answer, a link, a CRM date; or they are in a changed billing file); everything when a
-- billing file was replaced or the billing history grew (a new first or last month changes
-- which windows are complete). On Spark a table
-- built in full, as the other models incremental by key. DuckDB builds it on one thread: with
-- two, the join of every answer month with the customer's billed months ran out of the
-- memory cap at 38M billed months (3M answers); one thread took 24 s there.
-- depends_on: {{ ref('int_window_customers_to_rebuild') }}  (the customers to build again)
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook=["{{ delete_customers_to_rebuild() }}", "{{ one_duckdb_thread() }}"],
    post_hook="{{ every_duckdb_thread() }}",
) }}

with

cohorts as (

    select answers.* from {{ ref('int_customer_answer_cohorts') }} as answers
    where answers.was_customer
    {%- if is_incremental() %}
        -- the customers the pre-hook removed (every one when it removed every row)
        and {{ in_customers_removed('answers.customer_key', ref('int_window_customers_to_rebuild')) }}
    {%- endif %}

),

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
        min(revenue_month) as first_billed_month,
        max(revenue_month) as last_billed_month
    from billed_months

),

answer_months as (

    select
        programme,
        period_grain,
        period_start,
        nps_category,
        customer_key,
        cast({{ dbt.date_trunc('month', 'answer_date') }} as date) as answer_month
    from cohorts

),

-- One window per customer and month of an answer, whatever the grains it stands for.
months as (

    select distinct
        customer_key,
        answer_month
    from answer_months

),

month_windows as (

    select
        months.customer_key,
        months.answer_month,
        coalesce(sum(
            case
                when revenue.revenue_month < months.answer_month then revenue.revenue else 0
            end
        ), 0) as revenue_before,
        coalesce(sum(
            case
                when revenue.revenue_month > months.answer_month then revenue.revenue else 0
            end
        ), 0) as revenue_after
    from months
    left join revenue
        on months.customer_key = revenue.customer_key
        and revenue.revenue_month >= {{ date_shift('month', -12, 'months.answer_month') }}
        and revenue.revenue_month <= {{ date_shift('month', 12, 'months.answer_month') }}
    group by months.customer_key, months.answer_month

),

final as (

    select
        answer_months.programme,
        answer_months.period_grain,
        answer_months.period_start,
        answer_months.nps_category,
        answer_months.customer_key,
        answer_months.answer_month,
        month_windows.revenue_before,
        month_windows.revenue_after,
        coalesce(
            {{ date_shift('month', -12, 'answer_months.answer_month') }} >= billed.first_billed_month
            and {{ date_shift('month', 12, 'answer_months.answer_month') }} <= billed.last_billed_month,
            false
        ) as is_window_complete,
        billed.first_billed_month,
        billed.last_billed_month
    from answer_months
    inner join month_windows
        on answer_months.customer_key = month_windows.customer_key
        and answer_months.answer_month = month_windows.answer_month
    cross join billed

)

select * from final
