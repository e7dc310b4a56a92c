-- The customers whose answer cohorts an incremental build builds again
-- (int_customer_answer_cohorts) and, with them, whose revenue windows
-- (int_customer_revenue_windows): the customers of the answers linked again this build
-- (those of changed responses files; after a CRM change, those int_answers_to_link_again
-- names, among them every answer of a customer whose CRM row changed), as they are linked
-- now and as the cohorts the last build left hold them (a corrected answer may belong to
-- someone else now, or to no one). A customer's cohort rows depend only on its answers'
-- links and its CRM row, so no other customer's rows can change. Empty when a CRM export or
-- a responses file was replaced or retired: the cohorts are then built again whole
-- (cohorts_rebuilt_whole).
--
-- It reads the cohorts as the last build left them: not a ref, which would build it after
-- them. Empty on a full build and on Spark (the cohorts are a table built in full there).
-- depends_on: {{ ref('int_responses_enriched') }}  (the changed answers, on an incremental run)
-- depends_on: {{ ref('int_answers_to_link_again') }}
{%- set cohorts_before = relation_as_last_built('int_customer_answer_cohorts') %}

with

{% if cohorts_before is not none and not cohorts_rebuilt_whole() -%}

changed_answers as (

    select response_id from {{ ref('int_responses_enriched') }}
    where {{ in_files_to_rebuild() }}
    {%- if kind_changed_since_build('customers') %}
    union all
    select response_id from {{ ref('int_answers_to_link_again') }}
    {%- endif %}

),

final as (

    select customer_key from {{ cohorts_before }}
    where response_id in (select response_id from changed_answers)

    union

    select customer_key from {{ ref('int_answer_customer_links') }}
    where response_id in (select response_id from changed_answers)
        and customer_key is not null

)

{%- else -%}

final as (

    select customer_key
    from {{ ref('int_answer_customer_links') }}
    where false

)

{%- endif %}

select * from final
