{#- Incremental by customer (int_customer_revenue_windows): the pre-hook removes the rows of
    the customers int_window_customers_to_rebuild names (their answer cohorts or their
    billing months changed), the model builds them. Everything is built again when a
    billing file was replaced (its rows' customers are no longer known) or when the billing
    history's first or last month moved (which windows are complete). -#}
{% macro delete_customers_to_rebuild() -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_customers_to_rebuild')()) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_customers_to_rebuild() -%}
    delete from {{ this }}
    where
        exists (
            select 1 from {{ source('inbox', 'file_verdicts') }}
            where kind = 'revenue' and not is_live and validation_seq > {{ built_through_seq() }}
        )
        or exists (
            select 1
            from (
                select min(period_start) as first_month, max(period_start) as last_month
                from {{ ref('int_customer_period_revenue') }}
                where period_grain = 'month'
            ) as billed
            where billed.first_month is distinct from (select min(first_billed_month) from {{ this }})
                or billed.last_month is distinct from (select max(last_billed_month) from {{ this }})
        )
        or customer_key in (select customer_key from {{ ref('int_window_customers_to_rebuild') }})
{%- endmacro %}

{#- In the model of an incremental build by customer: the customers its pre-hook removed,
    those `customers` (a relation of customer_key) lists, or every customer when the
    pre-hook removed every row. -#}
{% macro in_customers_removed(customer_column, customers) -%}
    ({{ customer_column }} in (select customer_key from {{ customers }})
        or not exists (select 1 from {{ this }}))
{%- endmacro %}

{#- Incremental by customer (int_customer_period_revenue, int_customer_revenue_last_year): the
    pre-hook removes the rows of the customers to build again, the model builds them
    (billed_customers_to_build).

    A customer is built again when one of its billing months became valid since the last
    build (in_rows_to_rebuild: a row of a new file, or of an earlier file judged valid
    again; a row that lost its id to a later file shares it, so its customer, with the
    winner). Everything is built again when a billing file was replaced or retired (the
    customers its rows held are no longer known), and, with `whole_when_last_month_moves`,
    when the billing history's last month moved (the last 12 months are others). -#}
{% macro delete_billed_customers_to_rebuild(whole_when_last_month_moves=false) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_billed_customers_to_rebuild')(whole_when_last_month_moves)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The customers an incremental build of such a model builds: those of the billing months
    valid since the last build, or every one when the model holds nothing (the pre-hook removed everything). The changed
    files go in as constants, so the scan reads their rows only. -#}
{% macro billed_customers_to_build(revenue) -%}
    (
        select customer_key from {{ revenue }} where {{ in_rows_to_rebuild('revenue') }}
        union
        select customer_key from {{ revenue }} where not exists (select 1 from {{ this }})
    )
{%- endmacro %}

{% macro default__delete_billed_customers_to_rebuild(whole_when_last_month_moves) -%}
    delete from {{ this }}
    where
        exists (
            select 1 from {{ source('inbox', 'file_verdicts') }}
            where kind = 'revenue' and not is_live and validation_seq > {{ built_through_seq() }}
        )
        {%- if whole_when_last_month_moves %}
        or exists (
            select 1 from (select max(last_billed_month) as built_month from {{ this }}) as built
            where built.built_month is distinct from
                (
                    select max(period_start) from {{ ref('int_customer_period_revenue') }}
                    where period_grain = 'month'
                )
        )
        {%- endif %}
        or customer_key in (
            select customer_key from {{ ref('stg_inbox__revenue') }}
            where {{ in_rows_to_rebuild('revenue') }}
        )
{%- endmacro %}

{#- Incremental by customer (int_customer_answer_cohorts): the pre-hook removes the rows of
    the customers to build again (int_cohort_customers_to_rebuild: the customers of the
    answers linked again, as linked now and as the cohorts held them), the model builds
    them. Everything is built again when a CRM export or a responses file was replaced or
    retired (the customers of the rows it held are no longer known). -#}
{% macro delete_cohort_customers_to_rebuild() -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_cohort_customers_to_rebuild')()) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_cohort_customers_to_rebuild() -%}
    delete from {{ this }}
    {%- if not cohorts_rebuilt_whole() %}
    where customer_key in (select customer_key from {{ ref('int_cohort_customers_to_rebuild') }})
    {%- endif %}
{%- endmacro %}

{#- Whether this build builds the answer cohorts again whole: a CRM export or a responses
    file was replaced or retired since the last build (the customers of the rows such a
    file held are no longer known). What follows the cohorts customer by customer then
    builds again whole too, or compares (int_window_customers_to_rebuild). A query now;
    false while parsing. -#}
{% macro cohorts_rebuilt_whole() -%}
    {{ return(kind_replaced_since_build('customers') or kind_replaced_since_build('responses')) }}
{%- endmacro %}

{#- Incremental by customer (int_latest_customer_answers): the pre-hook removes the rows of
    the customers whose answer cohorts were built again (int_cohort_customers_to_rebuild),
    the model builds them. Everything again when the cohorts were built again whole (a CRM
    export or a responses file replaced or retired) or when the day churn is known through
    moved (every row carries it). -#}
{% macro delete_latest_answers_to_rebuild() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if not cohorts_rebuilt_whole() %}
        where
            churn_known_through is distinct from
                (select churn_known_through from {{ ref('int_churn_known_through') }})
            or customer_key in (select customer_key from {{ ref('int_cohort_customers_to_rebuild') }})
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Incremental on DuckDB (int_answer_customer_links): a run links again the answers of
    changed responses files and, when the CRM changed since the last build, those
    int_answers_to_link_again names; every answer when a CRM export was replaced or retired
    (the model then reads every answer). -#}
{% macro in_answers_to_link_again() -%}
    ({{ in_files_to_rebuild() }}
    {%- if kind_changed_since_build('customers') %}
        or response_id in (select response_id from {{ ref('int_answers_to_link_again') }})
    {%- endif -%})
{%- endmacro %}

{% macro delete_answers_to_link_again() -%}
    {%- if not is_incremental() -%}
        select 1
    {%- elif kind_replaced_since_build('customers') -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }} where {{ in_answers_to_link_again() }}
    {%- endif -%}
{%- endmacro %}

{#- Why an answer whose key matched did not link: its e-mail, or its account, is several
    customers' (SQL text literals, in that order). -#}
{% macro several_customers_reasons() -%}
    {{ return([
        "'e-mail address of several customers'",
        "'account of several customers, respondent not among them'",
    ]) }}
{%- endmacro %}

{#- Incremental by period (revenue_weighted_nps): the pre-hook removes the rows of the periods
    int_revenue_periods_to_rebuild marks (their revenue windows changed, or a customer with a
    window in them changed their CRM row), or every row when it marks every period; the
    model builds them (in_revenue_periods_to_rebuild). -#}
{% macro delete_revenue_periods_to_rebuild() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as built
        where {{ in_revenue_periods_to_rebuild('built') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Whether the row `alias` (programme, period_grain, period_start) is in a period an
    incremental build of revenue_weighted_nps builds again: a marked one, or any when every
    period is marked. -#}
{% macro in_revenue_periods_to_rebuild(alias) -%}
    (
        exists (
            select 1 from {{ ref('int_revenue_periods_to_rebuild') }} as to_rebuild
            where to_rebuild.is_rebuilt
                and to_rebuild.programme = {{ alias }}.programme
                and to_rebuild.period_grain = {{ alias }}.period_grain
                and to_rebuild.period_start = {{ alias }}.period_start
        )
        or not exists (
            select 1 from {{ ref('int_revenue_periods_to_rebuild') }} where not is_rebuilt
        )
    )
{%- endmacro %}
