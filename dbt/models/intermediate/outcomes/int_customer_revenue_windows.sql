-- Per answer cohort row (int_customer_answer_cohorts, customers that day): the customer's
-- revenue in the 12 months before the month of the answer and in the 12 months after it
-- (the month itself in neither), and whether both windows lie inside the billing history.
with

cohorts as (

    select * from {{ ref('int_customer_answer_cohorts') }}
    where was_customer

),

revenue as (

    select * from {{ ref('stg_inbox__revenue') }}

),

billed as (

    select
        min(revenue_month) as first_billed_month,
        max(revenue_month) as last_billed_month
    from revenue

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

windows as (

    select
        answer_months.programme,
        answer_months.period_grain,
        answer_months.period_start,
        answer_months.nps_category,
        answer_months.customer_key,
        answer_months.answer_month,
        coalesce(sum(
            case
                when revenue.revenue_month < answer_months.answer_month then revenue.revenue else 0
            end
        ), 0) as revenue_before,
        coalesce(sum(
            case
                when revenue.revenue_month > answer_months.answer_month then revenue.revenue else 0
            end
        ), 0) as revenue_after
    from answer_months
    left join revenue
        on answer_months.customer_key = revenue.customer_key
        and revenue.revenue_month >= {{ date_shift('month', -12, 'answer_months.answer_month') }}
        and revenue.revenue_month <= {{ date_shift('month', 12, 'answer_months.answer_month') }}
    group by
        answer_months.programme,
        answer_months.period_grain,
        answer_months.period_start,
        answer_months.nps_category,
        answer_months.customer_key,
        answer_months.answer_month

),

final as (

    select
        windows.*,
        coalesce(
            {{ date_shift('month', -12, 'windows.answer_month') }} >= billed.first_billed_month
            and {{ date_shift('month', 12, 'windows.answer_month') }} <= billed.last_billed_month,
            false
        ) as is_window_complete
    from windows
    cross join billed

)

select * from final
