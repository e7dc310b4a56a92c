-- NPS weighted by what customers pay: per programme, quarter or year, overall, per customer
-- segment (the CRM's segment_* columns) and per account (B2B), each customer's last answer
-- in the period weighted by their revenue in the 12 months before it. Beside it the plain
-- NPS of the same customers: a gap says the big payers feel differently.
--
-- Incremental by period on DuckDB (macros/outcomes_incremental.sql): a run builds again the
-- periods int_revenue_periods_to_rebuild marks (their revenue windows changed, or a customer
-- with a window in them changed their CRM row), every period when a CRM export was
-- replaced. A period's rows are summed from all its windows, as a full build sums them. On
-- Spark a table built in full, as the windows.
-- depends_on: {{ ref('int_revenue_periods_to_rebuild') }}  (the periods to build again)
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_revenue_periods_to_rebuild() }}",
) }}

with

windows as (

    select windows.* from {{ ref('int_customer_revenue_windows') }} as windows
    where windows.period_grain in ('quarter', 'year')
    {%- if is_incremental() %}
        and {{ in_revenue_periods_to_rebuild('windows') }}
    {%- endif %}

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

segments as (

    select * from {{ ref('int_customer_segments') }}

),

breakdowns as (

    select
        windows.*,
        'overall' as dimension_kind,
        'overall' as dimension,
        'all' as dimension_value
    from windows

    union all

    select
        windows.*,
        'segment' as dimension_kind,
        segments.segment_type as dimension,
        segments.segment_value as dimension_value
    from windows
    inner join segments on windows.customer_key = segments.customer_key

    union all

    select
        windows.*,
        'account' as dimension_kind,
        'account' as dimension,
        customers.account_id as dimension_value
    from windows
    inner join customers on windows.customer_key = customers.customer_key
    where customers.account_id is not null

),

summed as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        count(*) as customers,
        count(case when nps_category = 'promoter' then 1 end) as promoters,
        count(case when nps_category = 'detractor' then 1 end) as detractors,
        sum(greatest(revenue_before, 0)) as revenue_weight,
        sum(case when nps_category = 'promoter' then greatest(revenue_before, 0) else 0 end)
            as promoter_revenue,
        sum(case when nps_category = 'detractor' then greatest(revenue_before, 0) else 0 end)
            as detractor_revenue
    from breakdowns
    group by programme, period_grain, period_start, dimension_kind, dimension, dimension_value

),

final as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        customers,
        100e0 * (promoters - detractors) / customers as nps,
        cast(revenue_weight as decimal(18, 4)) as revenue_weight,
        cast(
            100e0 * {{ money_ratio('promoter_revenue - detractor_revenue', 'revenue_weight') }}
            as double
        ) as revenue_weighted_nps,
        customers < {{ var('nps_min_sample') }} as is_low_sample
    from summed

)

select * from final
