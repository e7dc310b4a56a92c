-- Retention curves by category (Kaplan-Meier): from each customer's last answer in the
-- programme (the customer was a customer that day), the days until the customer left, or -
-- for those still customers - until the day churn is known through (censored). One row per
-- programme, category and day on which someone left or was censored (and day 0): how many
-- were still at risk, how many left, and the share still a customer, with its 95% interval
-- (Greenwood's variance, clipped to 0-1).
{%- set z = nps_z_95() %}

with

latest as (

    select * from {{ ref('int_latest_customer_answers') }}
    where was_customer and response_date <= churn_known_through

),

followed as (

    select
        programme,
        nps_category,
        coalesce(churned_at <= churn_known_through, false) as has_left,
        {{ days_between(
            'response_date',
            'case when churned_at <= churn_known_through then churned_at else churn_known_through end'
        ) }} as days_followed
    from latest

),

by_day as (

    select
        programme,
        nps_category,
        days_followed as days_since_answer,
        count(case when has_left then 1 end) as churned,
        count(case when not has_left then 1 end) as censored,
        count(*) as leaving
    from followed
    group by programme, nps_category, days_followed

    union all

    -- day 0 is always a row (everyone at risk, the curve at 1)
    select
        programme,
        nps_category,
        0 as days_since_answer,
        0 as churned,
        0 as censored,
        0 as leaving
    from followed
    group by programme, nps_category

),

merged as (

    select
        programme,
        nps_category,
        days_since_answer,
        sum(churned) as churned,
        sum(censored) as censored,
        sum(leaving) as leaving
    from by_day
    group by programme, nps_category, days_since_answer

),

at_risk as (

    select
        *,
        sum(leaving) over (
            partition by programme, nps_category order by days_since_answer desc
            rows between unbounded preceding and current row
        ) as customers_at_risk
    from merged

),

steps as (

    select
        *,
        ln(greatest(1e0 - 1e0 * churned / customers_at_risk, 1e-300)) as log_step,
        case when churned = customers_at_risk then 1 else 0 end as is_everyone_gone,
        case
            when churned < customers_at_risk
                then 1e0 * churned / (customers_at_risk * (customers_at_risk - churned))
        end as greenwood_term
    from at_risk

),

curves as (

    select
        programme,
        nps_category,
        cast(days_since_answer as integer) as days_since_answer,
        cast(customers_at_risk as bigint) as customers_at_risk,
        cast(churned as bigint) as churned,
        cast(censored as bigint) as censored,
        case
            when max(is_everyone_gone) over running = 1 then 0e0
            else exp(sum(log_step) over running)
        end as survival,
        sum(greenwood_term) over running as greenwood_sum
    from steps
    window running as (
        partition by programme, nps_category order by days_since_answer
        rows between unbounded preceding and current row
    )

),

final as (

    select
        programme,
        nps_category,
        days_since_answer,
        customers_at_risk,
        churned,
        censored,
        survival,
        greatest(0e0, survival - {{ z }} * survival * sqrt(greenwood_sum)) as survival_ci_low,
        least(1e0, survival + {{ z }} * survival * sqrt(greenwood_sum)) as survival_ci_high
    from curves

)

select * from final
