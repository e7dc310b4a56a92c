-- The customer answers an incremental build links to a customer again because the CRM
-- export changed (int_answer_customer_links; int_customer_answer_cohorts builds their
-- customers again). An answer's link depends only on what the CRM says of its respondent
-- key (a customer id? the e-mail of how many customers?) and of its account (of how many
-- customers?), so it can change only when
--   * it is linked now to a customer whose CRM row changed (that customer's e-mail or
--     account may be another now),
--   * its respondent key is the id or the e-mail of a changed CRM row, or its account is
--     the account of one (the key may lead to a customer now, or to several),
--   * it did not link because its e-mail or account was several customers' (one of them
--     may have left that e-mail or account).
-- A changed CRM row is one that became valid since the last build (a row of a new export,
-- or one judged valid again); a customer whose row lost its id to a later export keeps its
-- key in the later row. When a CRM export was replaced or retired, every answer is linked
-- again (its rows' customers are no longer known) and this is not read.
--
-- It reads the links as the last build left them: not a ref, which would build it after
-- them. Empty on a full build, on Spark (the links are a table built in full there) and when
-- the CRM did not change.
-- depends_on: {{ ref('stg_inbox__customers') }}  (the changed CRM rows, on an incremental run)
{%- set links_before = relation_as_last_built('int_answer_customer_links') %}

with

{% if links_before is not none and kind_changed_since_build('customers') -%}

changed_customers as (

    select
        customer_key,
        email_key,
        account_id
    from {{ ref('stg_inbox__customers') }}
    where {{ in_rows_to_rebuild('customers') }}

),

final as (

    select response_id
    from {{ links_before }}
    where customer_key in (select customer_key from changed_customers)
        or respondent_key in (select customer_key from changed_customers)
        or respondent_key in (select email_key from changed_customers where email_key is not null)
        or account_id in (select account_id from changed_customers where account_id is not null)
        or unlinked_reason in ({{ several_customers_reasons() | join(', ') }})

)

{%- else -%}

final as (

    select response_id
    from {{ ref('int_responses_enriched') }}
    where false

)

{%- endif %}

select * from final
