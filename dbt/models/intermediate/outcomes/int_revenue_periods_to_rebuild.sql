-- The periods of revenue_weighted_nps (programme, quarter or year) an incremental build
-- builds again, with what the revenue windows of each hold now (int_customer_revenue_windows:
-- a row count and a fingerprint, the sum of the rows' hashes). A period is built again when:
--   - its windows differ from those the mart was last built from (int_revenue_periods_built,
--     read as the last build left it: it is built after the mart, so a build that fails
--     before the mart is done leaves it as it was), or it appeared or went away;
--   - a customer whose CRM row changed since the last build (segments, account) has a
--     window in it.
-- Every period is built again when a CRM export was replaced or retired (the customers its
-- rows held are no longer known), when there is no earlier record (a full build, a first
-- build of this version) and on Spark (the mart is a table built in full there).
-- depends_on: {{ ref('stg_inbox__customers') }}  (the customers whose CRM row changed)
{%- set built_before = relation_as_last_built('int_revenue_periods_built') %}

with

windows as (

    select * from {{ ref('int_customer_revenue_windows') }}
    where period_grain in ('quarter', 'year')

),

periods as (

    select
        programme,
        period_grain,
        period_start,
        count(*) as window_rows,
        {{ rows_fingerprint(['customer_key', 'nps_category', 'revenue_before']) }} as fingerprint
    from windows
    group by programme, period_grain, period_start

),

{% if built_before is not none and not kind_replaced_since_build('customers') -%}

crm_changed as (

    select distinct
        programme,
        period_grain,
        period_start
    from windows
    where customer_key in (
        select customer_key from {{ ref('stg_inbox__customers') }}
        where {{ in_rows_to_rebuild('customers') }}
    )

),

compared as (

    select
        coalesce(periods.programme, built.programme) as programme,
        coalesce(periods.period_grain, built.period_grain) as period_grain,
        coalesce(periods.period_start, built.period_start) as period_start,
        periods.window_rows,
        periods.fingerprint,
        (
            periods.programme is null
            or built.programme is null
            or periods.window_rows != built.window_rows
            or periods.fingerprint != built.fingerprint
            or crm_changed.programme is not null
        ) as is_rebuilt
    from periods
    full outer join {{ built_before }} as built
        on periods.programme = built.programme
        and periods.period_grain = built.period_grain
        and periods.period_start = built.period_start
    left join crm_changed
        on periods.programme = crm_changed.programme
        and periods.period_grain = crm_changed.period_grain
        and periods.period_start = crm_changed.period_start

)

{%- else -%}

compared as (

    select
        programme,
        period_grain,
        period_start,
        window_rows,
        fingerprint,
        true as is_rebuilt
    from periods

)

{%- endif %}

select * from compared
