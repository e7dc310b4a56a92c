-- Every customer detractor with its follow-up case, the call-back deadline, the case
-- status at `followups_as_of` (default now), and the same respondent's next score.
-- Two marts read it (detractor_followups, followup_summary), so it is computed once.
--
-- Incremental (macros/incremental.sql). A detractor's row changes when its own response
-- changes (its file changed: the pre-hook deletes it, and it is built again if still a
-- detractor), when its next answer changes (a new answer of the respondent at or after it
-- and not after its next one, or the file of its next answer changed), when its case
-- changes (the case's file changed, or a changed follow-up file holds one), and with time
-- while the case is open (open turns overdue). Only those rows are built, the next answers
-- from the whole history of their respondents, and they replace the old rows by
-- response_id. On Spark, whose Parquet tables cannot replace rows by key (Delta's merge
-- could), it is a table built in full (docs/scale-out.md).
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key='response_id',
    pre_hook="{{ delete_changed_files() }}",
) }}

with

{% if is_incremental() %}

changed_responses as (

    select response_id, respondent_key, survey_type, responded_at
    from {{ ref('stg_inbox__responses') }}
    where {{ in_files_to_rebuild() }}

),

new_cases as (

    select response_id
    from {{ ref('stg_inbox__followups') }}
    where {{ in_files_to_rebuild() }}

),

-- The rows built before (those of changed files were deleted by the pre-hook).
built as (

    select * from {{ this }}

),

-- A new answer of the respondent at or after the detractor's, and not after its next one
-- (inclusive both ends: ties rebuild a row more than needed, never fewer).
answered_again as (

    select built.response_id
    from built
    inner join changed_responses
        on built.respondent_key = changed_responses.respondent_key
        and changed_responses.survey_type = 'customer'
        and changed_responses.responded_at >= built.responded_at
        and (built.next_responded_at is null or changed_responses.responded_at <= built.next_responded_at)

),

refreshed as (

    select response_id from built
    where {{ in_files_to_rebuild('next_response_file_id') }}
        or {{ in_files_to_rebuild('followup_file_id') }}
        or followup_status = 'open'
    union
    select response_id from built where response_id in (select response_id from new_cases)
    union
    select response_id from answered_again

),

{% endif %}

detractor_responses as (

    -- customer detractors (on an incremental build: those of changed files), as validated now
    select
        responses.response_id,
        responses.survey_id,
        responses.respondent_key,
        responses.channel,
        responses.score,
        responses.responded_at,
        responses.response_date,
        texts.reason_text,
        texts.improvement_text,
        responses.source_file_id,
        responses.source_row_number
    from {{ ref('int_responses_enriched') }} as responses
    left join {{ ref('stg_inbox__responses') }} as texts
        on responses.response_id = texts.response_id
        and {{ in_files_to_rebuild('texts.source_file_id') if is_incremental() else 'true' }}
    where responses.survey_type = 'customer' and responses.nps_category = 'detractor'
        and {{ in_files_to_rebuild('responses.source_file_id') if is_incremental() else 'true' }}

    {%- if is_incremental() %}

    union all

    -- detractors built before whose answer, case or status may have changed: their own
    -- response is unchanged (its file did not change)
    select
        response_id,
        survey_id,
        respondent_key,
        channel,
        score,
        responded_at,
        response_date,
        reason_text,
        improvement_text,
        source_file_id,
        source_row_number
    from built
    where response_id in (select response_id from refreshed)
    {%- endif %}

),

-- the answers the next score is looked up in: those of these detractors' respondents
history as (

    select
        answers.response_id,
        answers.respondent_key,
        answers.score,
        answers.responded_at,
        answers.source_file_id
    from {{ ref('stg_inbox__responses') }} as answers
    where answers.survey_type = 'customer'
        and answers.respondent_key in (select detractor_responses.respondent_key from detractor_responses)

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

    from history
    window respondent_history as (partition by respondent_key order by responded_at, response_id)

),

detractors as (

    select
        detractor_responses.*,
        {{ timestamp_shift('hour', var('followup_sla_hours'), 'detractor_responses.responded_at') }}
            as due_at,
        {{ as_of_timestamp('followups_as_of') }} as as_of

    from detractor_responses

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
        detractors.reason_text,
        detractors.improvement_text,
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
        {{ seconds_between('detractors.responded_at', 'followups.contacted_at') }}
        / 3600e0 as hours_to_contact,
        next_answers.next_score,
        next_answers.next_responded_at,
        case when next_answers.next_score is not null then next_answers.next_score > detractors.score end
            as is_recovered,
        detractors.source_file_id,
        detractors.source_row_number,
        -- what the row depends on besides its own file (the incremental build's keys)
        next_answers.next_response_file_id,
        followups.source_file_id as followup_file_id,
        -- the validation run this row was built from (detractor_followups and publishing
        -- copy the rows built since they last did)
        {{ validation_seq_now() }} as built_seq

    from detractors
    left join followups on detractors.response_id = followups.response_id
    left join next_answers on detractors.response_id = next_answers.response_id

)

select * from joined
