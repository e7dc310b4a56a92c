-- Where the revenue sits: per programme, the customers who are still customers (as far as
-- churn is known), by the category of their latest answer in the programme, and their
-- revenue in the last 12 billed months - with detractors', the revenue at risk.
with

latest as (

    select * from {{ ref('int_latest_customer_answers') }}

),

last_year as (

    select * from {{ ref('int_customer_revenue_last_year') }}

),

current_customers as (

    select
        latest.programme,
        latest.nps_category,
        latest.customer_key,
        coalesce(last_year.revenue, 0) as revenue
    from latest
    left join last_year on latest.customer_key = last_year.customer_key
    where coalesce(latest.churned_at > latest.churn_known_through, true)

),

summed as (

    select
        programme,
        nps_category,
        count(*) as customers,
        sum(revenue) as revenue
    from current_customers
    group by programme, nps_category

),

final as (

    select
        programme,
        nps_category,
        customers,
        cast(revenue as decimal(18, 4)) as revenue_last_12_months,
        cast(
            case
                when sum(revenue) over (partition by programme) <> 0
                    then cast(revenue as double) / sum(cast(revenue as double)) over (partition by programme)
            end as double
        ) as share_of_revenue,
        nps_category = 'detractor' as is_revenue_at_risk
    from summed

)

select * from final
