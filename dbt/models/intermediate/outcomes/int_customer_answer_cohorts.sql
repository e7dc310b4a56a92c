-- Answer cohorts of customers: per programme, month/quarter/year and customer, the
-- customer's last answer in the period (it decides the customer's category) with the
-- customer's acquisition and churn dates. `was_customer`: acquired by the day of that answer
-- and not gone before it (a customer who left before answering is no evidence of what an
-- answer is worth, and is left out of the outcome marts).
--
-- Incremental by customer (macros/outcomes_incremental.sql): a run builds again only the
-- customers int_cohort_customers_to_rebuild names (those of the answers linked again:
-- changed responses files; after a CRM change, the answers whose link it may have moved,
-- among them every answer of a customer whose CRM row changed); everything when a CRM
-- export or a responses file was replaced or retired. On Spark a table built in full.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_cohort_customers_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_cohort_customers_to_rebuild') }} (the customers to build again)

with

links as (

    select links.* from {{ ref('int_answer_customer_links') }} as links
    where links.customer_key is not null
    {%- if is_incremental() %}
        -- the customers the pre-hook removed (every one when it removed every row)
        and {{ in_customers_removed('links.customer_key', ref('int_cohort_customers_to_rebuild')) }}
    {%- endif %}

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

grains as (

    {{ period_grains_relation(['month', 'quarter', 'year']) }}

),

in_periods as (

    select
        links.programme,
        links.customer_key,
        links.response_id,
        links.responded_at,
        links.response_date,
        links.nps_category,
        grains.period_grain,
        {{ period_start('grains.period_grain', 'links.response_date') }} as period_start
    from links
    cross join grains

),

ranked as (

    select
        *,
        row_number() over (
            partition by programme, period_grain, period_start, customer_key
            order by responded_at desc, response_id desc
        ) as latest_first
    from in_periods

),

final as (

    select
        ranked.programme,
        ranked.period_grain,
        ranked.period_start,
        ranked.customer_key,
        ranked.response_id,
        ranked.response_date as answer_date,
        ranked.nps_category,
        customers.acquired_at,
        customers.churned_at,
        customers.acquisition_source,
        coalesce(customers.acquired_at <= ranked.response_date, true)
        and coalesce(customers.churned_at >= ranked.response_date, true) as was_customer

    from ranked
    inner join customers on ranked.customer_key = customers.customer_key
    where ranked.latest_first = 1

)

select * from final
