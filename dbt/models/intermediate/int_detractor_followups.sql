-- Every customer detractor with its follow-up case, the call-back deadline, the case
-- status at `followups_as_of` (default now), and the same respondent's next score.
-- Two marts read it (detractor_followups, followup_summary), so it is computed once.
--
-- Incremental (macros/incremental.sql). A detractor's row changes when its own response
-- changes (its file changed), when its respondent answers again or an answer goes away
-- (a changed response file holds the respondent, or held the row's next answer), when its
-- case changes (a changed follow-up file holds it, or held it), and with time while the
-- case is open (open turns overdue). Those rows are rebuilt - for every detractor of the
-- respondents concerned, from their whole history - and replace the old ones by
-- response_id; rows of changed files that are no longer detractors are deleted first.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='response_id',
    pre_hook="{{ delete_changed_files() }}",
) }}

with

{% if is_incremental() %}

changed_responses as (

    select response_id, respondent_key
    from {{ ref('stg_inbox__responses') }}
    where {{ in_files_to_rebuild() }}

),

new_cases as (

    select response_id
    from {{ ref('stg_inbox__followups') }}
    where {{ in_files_to_rebuild() }}

),

stale_rows as (

    select response_id, respondent_key
    from {{ this }}
    where {{ in_files_to_rebuild('next_response_file_id') }}
        or {{ in_files_to_rebuild('followup_file_id') }}
        or followup_status = 'open'

),

affected_responses as (

    select response_id, respondent_key from changed_responses
    union
    select response_id, respondent_key from stale_rows
    union
    select response_id, respondent_key
    from {{ ref('stg_inbox__responses') }}
    where response_id in (select response_id from new_cases)

),

affected_respondents as (

    select distinct respondent_key from affected_responses where respondent_key is not null

),

{% endif %}

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where survey_type = 'customer'
    {%- if is_incremental() %}
        and (
            respondent_key in (select respondent_key from affected_respondents)
            or response_id in (select response_id from affected_responses)
        )
    {%- endif %}

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
        lead(responded_at) over respondent_history as next_responded_at,
        lead(source_file_id) over respondent_history as next_response_file_id

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
        detractors.source_row_number,
        -- what the row depends on besides its own file (the incremental build's keys)
        next_answers.next_response_file_id,
        followups.source_file_id as followup_file_id

    from detractors
    left join texts on detractors.response_id = texts.response_id
    left join followups on detractors.response_id = followups.response_id
    left join next_answers on detractors.response_id = next_answers.response_id

)

select * from joined
