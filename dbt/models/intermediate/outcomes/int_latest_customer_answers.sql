-- Each customer's latest answer in each programme, with the customer's CRM dates and the
-- day churn is known through: where retention curves start and what today's customers
-- last said. `was_customer`: acquired by that day and not gone before it.
--
-- Read from the answer cohorts (int_customer_answer_cohorts), not ranked again over every
-- linked answer: a customer's latest answer is the answer of its latest year cohort (the
-- cohort keeps the last answer of each year, ordered as here, and holds the same
-- customers: linked and in the CRM). Incremental by customer on DuckDB, as the cohorts
-- (macros/outcomes_incremental.sql): a run builds again the customers whose cohorts it
-- built again; everything when the cohorts were built again whole or the day churn is
-- known through moved. On Spark a table built in full.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_latest_answers_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_cohort_customers_to_rebuild') }} (the customers to build again)
with

cohorts as (

    select cohorts.* from {{ ref('int_customer_answer_cohorts') }} as cohorts
    where cohorts.period_grain = 'year'
    {%- if is_incremental() %}
        -- the customers the pre-hook removed (every one when it removed every row)
        and {{ in_customers_removed('cohorts.customer_key', ref('int_cohort_customers_to_rebuild')) }}
    {%- endif %}

),

known as (

    select * from {{ ref('int_churn_known_through') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by programme, customer_key
            order by period_start desc
        ) as latest_year_first
    from cohorts

),

final as (

    select
        ranked.programme,
        ranked.customer_key,
        ranked.answer_date as response_date,
        ranked.nps_category,
        ranked.acquired_at,
        ranked.churned_at,
        known.churn_known_through,
        ranked.was_customer
    from ranked
    cross join known
    where ranked.latest_year_first = 1

)

select * from final
