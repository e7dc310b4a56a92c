-- Per programme, customer segment (the CRM export's segment_* columns) and quarter: the NPS
-- of the segment's customers who answered in the quarter (each by their last answer), and
-- what happened to the segment's customers in the quarter - the share of those who were
-- customers when it began who left during it, and the revenue kept from the customers
-- billed the quarter before (NRR). Quarters that end after the day churn is known through
-- carry no churn rate, quarters not wholly billed no NRR. The series lagged correlations are
-- taken over.
--
-- Only the answers are read here: the segments' customers (int_segment_presence) and revenue
-- (int_segment_revenue_kept) are built from the CRM and billing alone, so a run that brings
-- answers does not go through every customer and month billed again.
with

cohorts as (

    select * from {{ ref('int_customer_answer_cohorts') }}
    where was_customer and period_grain = 'quarter'

),

segments as (

    select * from {{ ref('int_customer_segments') }}

),

presence as (

    select * from {{ ref('int_segment_presence') }}

),

revenue_kept as (

    select * from {{ ref('int_segment_revenue_kept') }}

),

known as (

    select * from {{ ref('int_churn_known_through') }}

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

segment_quarters as (

    select distinct
        segment_type,
        segment_value,
        quarter_start
    from quarters

),

-- the segment's presence row in force at the start of each quarter: the last one before it
presence_as_of as (

    select
        segment_quarters.segment_type,
        segment_quarters.segment_value,
        segment_quarters.quarter_start,
        max(presence.quarter_start) as presence_quarter
    from segment_quarters
    inner join presence
        on segment_quarters.segment_type = presence.segment_type
        and segment_quarters.segment_value = presence.segment_value
        and segment_quarters.quarter_start >= presence.quarter_start
    group by segment_quarters.segment_type, segment_quarters.segment_value, segment_quarters.quarter_start

),

churn as (

    select
        presence_as_of.segment_type,
        presence_as_of.segment_value,
        presence_as_of.quarter_start,
        presence.customers_at_start,
        case
            when presence.quarter_start = presence_as_of.quarter_start then presence.churned_in_quarter else 0
        end as churned_in_quarter
    from presence_as_of
    inner join presence
        on presence_as_of.segment_type = presence.segment_type
        and presence_as_of.segment_value = presence.segment_value
        and presence_as_of.presence_quarter = presence.quarter_start

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
        revenue_kept.nrr
    from quarters
    cross join known
    left join answered
        on quarters.programme = answered.programme
        and quarters.segment_type = answered.segment_type
        and quarters.segment_value = answered.segment_value
        and quarters.quarter_start = answered.quarter_start
    left join churn
        on quarters.segment_type = churn.segment_type
        and quarters.segment_value = churn.segment_value
        and quarters.quarter_start = churn.quarter_start
    left join revenue_kept
        on quarters.segment_type = revenue_kept.segment_type
        and quarters.segment_value = revenue_kept.segment_value
        and quarters.quarter_start = revenue_kept.quarter_start

)

select * from final
