-- Bain's Earned Growth Rate per month, quarter and year, from billing and the CRM export:
-- NRR = this period's revenue from the customers billed last period / last period's revenue;
-- ENC (earned new customers) = revenue of customers acquired this period through an earned
-- source (var earned_acquisition_sources: a recommendation) / last period's revenue;
-- EGR = NRR + ENC - 1: the growth the company would have without buying any customer.
{%- set earned = var('earned_acquisition_sources') %}

with

billed as (

    select * from {{ ref('int_customer_period_revenue') }}

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

last_billed as (

    select
        min(period_start) as first_billed_month,
        max(period_start) as last_billed_month
    from billed
    where period_grain = 'month'

),

-- Acquisition matters only for customers not billed the period before (a few per period).
paired as (

    select
        billed.period_grain,
        billed.period_start,
        billed.customer_key,
        billed.currency,
        billed.revenue,
        billed.was_billed_last_period,
        coalesce(
            not billed.was_billed_last_period
            and billed.period_start
            = {{ period_start('billed.period_grain', 'customers.acquired_at') }},
            false
        ) as is_acquired_this_period,
        coalesce(customers.acquisition_source in ({{ "'" ~ earned | join("', '") ~ "'" }}), false)
            as is_earned_source
    from billed
    left join customers
        on billed.customer_key = customers.customer_key
        and not billed.was_billed_last_period

),

summed as (

    select
        period_grain,
        period_start,
        max(currency) as currency,
        count(*) as customers_billed,
        sum(revenue) as revenue,
        sum(case when was_billed_last_period then revenue else 0 end) as retained_revenue,
        sum(
            case
                when not was_billed_last_period and is_acquired_this_period and is_earned_source
                    then revenue
                else 0
            end
        ) as earned_new_revenue,
        sum(
            case
                when not was_billed_last_period and is_acquired_this_period and not is_earned_source
                    then revenue
                else 0
            end
        ) as bought_new_revenue
    from paired
    group by period_grain, period_start

),

with_previous as (

    select
        summed.*,
        previous_period.revenue as previous_revenue
    from summed
    left join summed as previous_period
        on summed.period_grain = previous_period.period_grain
        and previous_period.period_start
        = {{ period_shift('summed.period_grain', 'summed.period_start', -1) }}

),

ratios as (

    select
        *,
        {{ money_ratio('retained_revenue', 'previous_revenue') }} as nrr,
        {{ money_ratio('earned_new_revenue', 'previous_revenue') }} as enc,
        {{ money_ratio('revenue', 'previous_revenue') }} - 1 as reported_growth
    from with_previous

),

final as (

    select
        ratios.period_grain,
        ratios.period_start,
        ratios.currency,
        ratios.customers_billed,
        cast(ratios.previous_revenue as decimal(18, 4)) as previous_revenue,
        cast(ratios.revenue as decimal(18, 4)) as revenue,
        cast(ratios.retained_revenue as decimal(18, 4)) as retained_revenue,
        cast(ratios.earned_new_revenue as decimal(18, 4)) as earned_new_revenue,
        cast(ratios.bought_new_revenue as decimal(18, 4)) as bought_new_revenue,
        cast(
            ratios.revenue - ratios.retained_revenue - ratios.earned_new_revenue - ratios.bought_new_revenue
            as decimal(18, 4)
        ) as other_revenue,
        cast(ratios.nrr as double) as nrr,
        cast(ratios.enc as double) as enc,
        cast(ratios.nrr + ratios.enc - 1 as double) as egr,
        cast(ratios.reported_growth as double) as reported_growth,
        cast(
            case
                when ratios.reported_growth > 0
                    then (ratios.nrr + ratios.enc - 1) / ratios.reported_growth
            end as double
        ) as earned_share_of_growth,
        {{ period_shift('ratios.period_grain', 'ratios.period_start', -1) }} >= last_billed.first_billed_month
        and {{ period_shift('ratios.period_grain', 'ratios.period_start', 1) }}
        <= {{ date_shift('month', 1, 'last_billed.last_billed_month') }} as is_complete_period
    from ratios
    cross join last_billed

)

select * from final
