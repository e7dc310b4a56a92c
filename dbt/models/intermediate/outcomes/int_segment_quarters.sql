-- Per programme, customer segment (the CRM export's segment_* columns) and quarter: the NPS
-- of the segment's customers who answered in the quarter (each by their last answer), and
-- what happened to the segment's customers in the quarter - the share of those who were
-- customers when it began who left during it, and the revenue kept from the customers
-- billed the quarter before (NRR). Quarters that end after the day churn is known through
-- carry no churn rate, quarters not wholly billed no NRR. The series lagged correlations are
-- taken over.
with

cohorts as (

    select * from {{ ref('int_customer_answer_cohorts') }}
    where was_customer and period_grain = 'quarter'

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

segments as (

    select * from {{ ref('int_customer_segments') }}

),

known as (

    select * from {{ ref('int_churn_known_through') }}

),

billed as (

    select max(revenue_month) as last_billed_month from {{ ref('stg_inbox__revenue') }}

),

revenue as (

    select * from {{ ref('int_customer_quarter_revenue') }}

),

answered as (

    select
        cohorts.programme,
        segments.segment_type,
        segments.segment_value,
        cohorts.period_start as quarter_start,
        count(*) as customers_answering,
        count(case when cohorts.nps_category = 'promoter' then 1 end) as promoters,
        count(case when cohorts.nps_category = 'detractor' then 1 end) as detractors
    from cohorts
    inner join segments on cohorts.customer_key = segments.customer_key
    group by cohorts.programme, segments.segment_type, segments.segment_value, cohorts.period_start

),

lags as (

    {%- for lag in range(5) %}
    select {{ lag }} as lag_quarters{{ ' union all' if not loop.last }}
    {%- endfor %}

),

quarters as (

    select distinct
        answered.programme,
        answered.segment_type,
        answered.segment_value,
        {{ date_shift('quarter', 'lags.lag_quarters', 'answered.quarter_start') }} as quarter_start
    from answered
    cross join lags

),

churn as (

    select
        quarters.programme,
        quarters.segment_type,
        quarters.segment_value,
        quarters.quarter_start,
        count(*) as customers_at_start,
        count(
            case
                when customers.churned_at < {{ date_shift('quarter', 1, 'quarters.quarter_start') }} then 1
            end
        ) as churned_in_quarter
    from quarters
    inner join segments
        on quarters.segment_type = segments.segment_type
        and quarters.segment_value = segments.segment_value
    inner join customers on segments.customer_key = customers.customer_key
    where coalesce(customers.acquired_at < quarters.quarter_start, true)
        and coalesce(customers.churned_at >= quarters.quarter_start, true)
    group by quarters.programme, quarters.segment_type, quarters.segment_value, quarters.quarter_start

),

retention as (

    select
        quarters.programme,
        quarters.segment_type,
        quarters.segment_value,
        quarters.quarter_start,
        sum(previous.revenue) as previous_revenue,
        sum(coalesce(this_quarter.revenue, 0)) as retained_revenue
    from quarters
    inner join segments
        on quarters.segment_type = segments.segment_type
        and quarters.segment_value = segments.segment_value
    inner join revenue as previous
        on segments.customer_key = previous.customer_key
        and previous.quarter_start = {{ date_shift('quarter', -1, 'quarters.quarter_start') }}
    left join revenue as this_quarter
        on segments.customer_key = this_quarter.customer_key
        and quarters.quarter_start = this_quarter.quarter_start
    group by quarters.programme, quarters.segment_type, quarters.segment_value, quarters.quarter_start

),

final as (

    select
        quarters.programme,
        quarters.segment_type,
        quarters.segment_value,
        quarters.quarter_start,
        answered.customers_answering,
        case
            when answered.customers_answering > 0
                then 100e0 * (answered.promoters - answered.detractors) / answered.customers_answering
        end as nps,
        case
            when churn.customers_at_start > 0
                and {{ date_shift('quarter', 1, 'quarters.quarter_start') }}
                <= {{ date_shift('day', 1, 'known.churn_known_through') }}
                then 1e0 * churn.churned_in_quarter / churn.customers_at_start
        end as churn_rate,
        cast(
            case
                when {{ date_shift('quarter', 1, 'quarters.quarter_start') }}
                    <= {{ date_shift('month', 1, 'billed.last_billed_month') }}
                    then {{ money_ratio('retention.retained_revenue', 'retention.previous_revenue') }}
            end as double
        ) as nrr
    from quarters
    cross join known
    cross join billed
    left join answered
        on quarters.programme = answered.programme
        and quarters.segment_type = answered.segment_type
        and quarters.segment_value = answered.segment_value
        and quarters.quarter_start = answered.quarter_start
    left join churn
        on quarters.programme = churn.programme
        and quarters.segment_type = churn.segment_type
        and quarters.segment_value = churn.segment_value
        and quarters.quarter_start = churn.quarter_start
    left join retention
        on quarters.programme = retention.programme
        and quarters.segment_type = retention.segment_type
        and quarters.segment_value = retention.segment_value
        and quarters.quarter_start = retention.quarter_start

)

select * from final
