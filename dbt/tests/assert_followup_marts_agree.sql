-- The two follow-up marts agree: detractor_followups (kept by increment: the rows built
-- since its last build and its open cases) holds exactly the rows of
-- int_detractor_followups, which followup_summary counts. A check on detractor_followups in
-- Dagster (meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'detractor_followups'}}}) }}
{%- set compared = [
    'response_id', 'followup_status', 'due_at', 'contacted_at', 'resolved_at', 'next_score', 'is_recovered'
] %}
with

summarised as (

    select {{ compared | join(', ') }}
    from {{ ref('int_detractor_followups') }}

),

published as (

    select {{ compared | join(', ') }}
    from {{ ref('detractor_followups') }}

),

only_summarised as (

    select * from summarised
    except all
    select * from published

),

only_published as (

    select * from published
    except all
    select * from summarised

)

select
    'only in int_detractor_followups' as found,
    *
from only_summarised
union all
select
    'only in detractor_followups' as found,
    *
from only_published
