-- Per customer segment and quarter, the revenue kept from the segment's customers billed the
-- quarter before (net revenue retention, NRR): what they brought that quarter against what
-- they bring in this one (0 for those no longer billed), from billing and the CRM alone
-- (built again when those change, not when answers do). A quarter not wholly billed yet
-- carries no NRR.
with

segments as (

    select * from {{ ref('int_customer_segments') }}

),

revenue as (

    select * from {{ ref('int_customer_quarter_revenue') }}

),

billed as (

    select max(period_start) as last_billed_month from {{ ref('int_customer_period_revenue') }}
    where period_grain = 'month'

),

-- each customer's revenue in a quarter beside what the customer brought in the next
kept_by_customer as (

    select
        previous.customer_key,
        {{ date_shift('quarter', 1, 'previous.quarter_start') }} as quarter_start,
        previous.revenue as previous_revenue,
        coalesce(this_quarter.revenue, 0) as retained_revenue
    from revenue as previous
    left join revenue as this_quarter
        on previous.customer_key = this_quarter.customer_key
        and this_quarter.quarter_start = {{ date_shift('quarter', 1, 'previous.quarter_start') }}

),

summed as (

    select
        segments.segment_type,
        segments.segment_value,
        kept_by_customer.quarter_start,
        sum(kept_by_customer.previous_revenue) as previous_revenue,
        sum(kept_by_customer.retained_revenue) as retained_revenue
    from kept_by_customer
    inner join segments on kept_by_customer.customer_key = segments.customer_key
    group by segments.segment_type, segments.segment_value, kept_by_customer.quarter_start

),

final as (

    select
        summed.segment_type,
        summed.segment_value,
        summed.quarter_start,
        summed.previous_revenue,
        summed.retained_revenue,
        cast(
            case
                when {{ date_shift('quarter', 1, 'summed.quarter_start') }}
                    <= {{ date_shift('month', 1, 'billed.last_billed_month') }}
                    then {{ money_ratio('summed.retained_revenue', 'summed.previous_revenue') }}
            end as double
        ) as nrr
    from summed
    cross join billed

)

select * from final
