-- Every customer detractor with its follow-up case, the call-back deadline, the case
-- status at `followups_as_of` (default now), and the same respondent's next score.
-- A table: two marts read it (detractor_followups, followup_summary), so it is computed once.
{{ config(materialized='table') }}
with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where survey_type = 'customer'

),

texts as (

    select response_id, reason_text, improvement_text
    from {{ ref('stg_inbox__responses') }}

),

followups as (

    select * from {{ ref('stg_inbox__followups') }}

),

next_answers as (

    select
        response_id,
        lead(score) over respondent_history as next_score,
        lead(responded_at) over respondent_history as next_responded_at

    from responses
    where respondent_key is not null
    window respondent_history as (partition by respondent_key order by responded_at, response_id)

),

detractors as (

    select
        responses.*,
        {{ dbt.dateadd('hour', var('followup_sla_hours'), 'responses.responded_at') }} as due_at,
        {% if var('followups_as_of') -%}
        cast('{{ var("followups_as_of") }}' as {{ dbt.type_timestamp() }} with time zone)
        {%- else -%}
        {{ dbt.current_timestamp() }}
        {%- endif %} as as_of

    from responses
    where nps_category = 'detractor'

),

joined as (

    select
        detractors.response_id,
        detractors.survey_id,
        detractors.respondent_key,
        detractors.channel,
        detractors.score,
        detractors.responded_at,
        detractors.response_date,
        texts.reason_text,
        texts.improvement_text,
        detractors.due_at,
        followups.response_id is not null as has_case,
        followups.contacted_at,
        followups.resolved_at,
        followups.outcome_text,
        followups.owner_key,
        case
            when followups.resolved_at is not null then 'resolved'
            when followups.contacted_at is not null then 'contacted'
            when detractors.as_of > detractors.due_at then 'overdue'
            else 'open'
        end as followup_status,
        followups.contacted_at is not null and followups.contacted_at <= detractors.due_at
            as is_contacted_within_sla,
        {{ dbt.datediff('detractors.responded_at', 'followups.contacted_at', 'second') }} / 3600.0
            as hours_to_contact,
        next_answers.next_score,
        next_answers.next_responded_at,
        case when next_answers.next_score is not null then next_answers.next_score > detractors.score end
            as is_recovered,
        detractors.source_file_id,
        detractors.source_row_number

    from detractors
    left join texts on detractors.response_id = texts.response_id
    left join followups on detractors.response_id = followups.response_id
    left join next_answers on detractors.response_id = next_answers.response_id

)

select * from joined
