-- Bain's Earned Growth Rate per month, quarter and year, from billing and the CRM export:
-- NRR = this period's revenue from the customers billed last period / last period's revenue;
-- ENC (earned new customers) = revenue of customers acquired this period through an earned
-- source (var earned_acquisition_sources: a recommendation) / last period's revenue;
-- EGR = NRR + ENC - 1: the growth the company would have without buying any customer.
{%- set earned = var('earned_acquisition_sources') %}

with

revenue as (

    select * from {{ ref('stg_inbox__revenue') }}

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

grains as (

    {{ period_grains_relation(['month', 'quarter', 'year']) }}

),

billed as (

    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'revenue.revenue_month') }} as period_start,
        revenue.customer_key,
        max(revenue.currency) as currency,
        sum(revenue.revenue) as revenue
    from revenue
    cross join grains
    group by
        grains.period_grain,
        {{ period_start('grains.period_grain', 'revenue.revenue_month') }},
        revenue.customer_key

),

last_billed as (

    select
        min(revenue_month) as first_billed_month,
        max(revenue_month) as last_billed_month
    from revenue

),

paired as (

    select
        this_period.period_grain,
        this_period.period_start,
        this_period.customer_key,
        this_period.currency,
        this_period.revenue,
        previous_period.customer_key is not null as was_billed_last_period,
        coalesce(
            this_period.period_start
            = {{ period_start('this_period.period_grain', 'customers.acquired_at') }},
            false
        ) as is_acquired_this_period,
        coalesce(customers.acquisition_source in ({{ "'" ~ earned | join("', '") ~ "'" }}), false)
            as is_earned_source
    from billed as this_period
    left join billed as previous_period
        on this_period.period_grain = previous_period.period_grain
        and this_period.customer_key = previous_period.customer_key
        and previous_period.period_start
        = {{ period_shift('this_period.period_grain', 'this_period.period_start', -1) }}
    left join customers on this_period.customer_key = customers.customer_key

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
