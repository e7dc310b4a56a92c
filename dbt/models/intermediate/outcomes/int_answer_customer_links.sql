-- Which customer each customer answer belongs to, compared on pseudonyms only (the CRM's
-- customer id and e-mail land as HMAC pseudonyms made with the answers' key, so equal clear
-- values, in any case, are equal keys). In order: the respondent id is a customer id; else
-- it is the e-mail of exactly one customer; else (B2B) the answer's account is the account
-- of exactly one customer. An answer that links nowhere says why.
--
-- Incremental on DuckDB (macros/outcomes_incremental.sql): a run links again the answers of
-- changed responses files and, when the CRM export changed, the answers whose link it may
-- have changed (int_answers_to_link_again); every answer when a CRM export was replaced or
-- retired. On Spark a table built in full.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_answers_to_link_again() }}",
) }}
-- depends_on: {{ ref('int_answers_to_link_again') }}
{%- set whole = not is_incremental() or kind_replaced_since_build('customers') %}

with

answers as (

    select * from {{ ref('int_responses_enriched') }}
    {%- if not whole %}
    where {{ in_answers_to_link_again() }}
    {%- endif %}

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

by_email as (

    select
        email_key,
        min(customer_key) as customer_key,
        count(*) as customers
    from customers
    where email_key is not null
    group by email_key

),

by_account as (

    select
        account_id,
        min(customer_key) as customer_key,
        count(*) as customers
    from customers
    where account_id is not null
    group by account_id

),

linked as (

    select
        answers.response_id,
        answers.programme,
        answers.survey_id,
        answers.respondent_key,
        answers.account_id,
        answers.score,
        answers.nps_category,
        answers.responded_at,
        answers.response_date,
        answers.source_file_id,
        case
            when by_id.customer_key is not null then by_id.customer_key
            when by_email.customers = 1 then by_email.customer_key
            when by_account.customers = 1 then by_account.customer_key
        end as customer_key,
        case
            when by_id.customer_key is not null then 'customer_id'
            when by_email.customers = 1 then 'email'
            when by_account.customers = 1 then 'account'
        end as linked_by,
        case
            when by_id.customer_key is not null or by_email.customers = 1 or by_account.customers = 1
                then null
            when answers.respondent_key is null and answers.account_id is null
                then 'anonymous answer (no respondent id or account)'
            {%- set several = several_customers_reasons() %}
            when by_email.customers > 1 then {{ several[0] }}
            when by_account.customers > 1 then {{ several[1] }}
            else 'respondent not in the customer export'
        end as unlinked_reason

    from answers
    left join customers as by_id on answers.respondent_key = by_id.customer_key
    left join by_email on answers.respondent_key = by_email.email_key
    left join by_account on answers.account_id = by_account.account_id

)

select * from linked
