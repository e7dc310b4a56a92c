-- The customers whose revenue windows (int_customer_revenue_windows) an incremental build
-- builds again, listed once for its pre-hook (which removes their rows) and its model
-- (which builds them):
--   - those of billing months valid since the last build;
--   - those whose answer cohorts it built again (int_cohort_customers_to_rebuild), or,
--     when it built the cohorts again whole (a CRM export or a responses file replaced or
--     retired), those whose cohort rows differ from the windows the last build left:
--     compared per customer as a count and a fingerprint (rows_fingerprint: the sum of
--     the rows' hashes), two small relations by customer instead of all rows against all.
--
-- It reads the windows as the last build left them: not a ref, which would build it after
-- them. Empty on a full build and on Spark (the windows are a table built in full there).
-- depends_on: {{ ref('stg_inbox__revenue') }}  (the customers to build, on an incremental run)
-- depends_on: {{ ref('int_customer_answer_cohorts') }}
-- depends_on: {{ ref('int_cohort_customers_to_rebuild') }}
{%- set windows_before = relation_as_last_built('int_customer_revenue_windows') %}

with

{% if windows_before is not none -%}

billed as (

    select customer_key from {{ ref('stg_inbox__revenue') }}
    where {{ in_rows_to_rebuild('revenue') }}

),

{% if cohorts_rebuilt_whole() -%}

cohort_rows as (

    select
        customer_key,
        count(*) as cohort_rows,
        {{ rows_fingerprint([
            'programme', 'period_grain', 'period_start', 'nps_category',
            'cast(' ~ dbt.date_trunc('month', 'answer_date') ~ ' as date)',
        ]) }} as fingerprint
    from {{ ref('int_customer_answer_cohorts') }}
    where was_customer
    group by customer_key

),

window_rows as (

    select
        customer_key,
        count(*) as cohort_rows,
        {{ rows_fingerprint(['programme', 'period_grain', 'period_start', 'nps_category', 'answer_month']) }}
            as fingerprint
    from {{ windows_before }}
    group by customer_key

),

answered as (

    select coalesce(cohort_rows.customer_key, window_rows.customer_key) as customer_key
    from cohort_rows
    full outer join window_rows
        on cohort_rows.customer_key = window_rows.customer_key
    where cohort_rows.customer_key is null
        or window_rows.customer_key is null
        or cohort_rows.cohort_rows != window_rows.cohort_rows
        or cohort_rows.fingerprint != window_rows.fingerprint

),

{%- else -%}

answered as (

    select customer_key from {{ ref('int_cohort_customers_to_rebuild') }}

),

{%- endif %}

final as (

    select customer_key from billed
    union
    select customer_key from answered

)

{%- else -%}

final as (

    select customer_key
    from {{ ref('int_cohort_customers_to_rebuild') }}
    where false

)

{%- endif %}

select * from final
