-- Churn after an answer, by the category of the customer's last answer in the period: of the
-- customers who answered (and were customers that day), how many left within 90, 180 and 365
-- days. Customer programmes only; one row per programme, period, category and horizon.
{%- set horizons = var('churn_horizons_days') %}

with

cohorts as (

    select * from {{ ref('int_customer_answer_cohorts') }}
    where was_customer

),

known as (

    select * from {{ ref('int_churn_known_through') }}

),

horizons as (

    {%- for days in horizons %}
    select {{ days }} as horizon_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

judged as (

    select
        cohorts.programme,
        cohorts.period_grain,
        cohorts.period_start,
        cohorts.nps_category,
        horizons.horizon_days,
        coalesce(
            cohorts.churned_at <= {{ date_shift('day', 'horizons.horizon_days', 'cohorts.answer_date') }},
            false
        ) as has_churned,
        coalesce(
            {{ date_shift('day', 'horizons.horizon_days', 'cohorts.answer_date') }}
            <= known.churn_known_through,
            false
        ) as has_elapsed
    from cohorts
    cross join horizons
    cross join known

),

counted as (

    select
        programme,
        period_grain,
        period_start,
        nps_category,
        horizon_days,
        count(*) as customers,
        count(case when has_churned then 1 end) as churned,
        count(case when has_elapsed then 1 end) as customers_horizon_elapsed
    from judged
    group by programme, period_grain, period_start, nps_category, horizon_days

),

final as (

    select
        programme,
        period_grain,
        period_start,
        nps_category,
        horizon_days,
        customers,
        churned,
        1e0 * churned / customers as churn_rate,
        {{ proportion_ci('churned', 'customers', 'low') }} as churn_rate_ci_low,
        {{ proportion_ci('churned', 'customers', 'high') }} as churn_rate_ci_high,
        customers < {{ var('nps_min_sample') }} as is_low_sample,
        customers_horizon_elapsed,
        customers_horizon_elapsed = customers as is_horizon_complete
    from counted

)

select * from final
