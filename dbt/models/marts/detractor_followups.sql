-- Closing the loop: every customer detractor, its (redacted) verbatims, the call-back
-- deadline (followup_sla_hours after the response), the case status, time to contact, and
-- whether the same respondent's next score was higher (recovered).
-- Incremental: the rows int_detractor_followups built in this run, and every case open
-- here (the clock alone turns it overdue), replace their old version (by response_id);
-- rows no longer there (their response went away or is no longer a detractor) are deleted
-- first. The test assert_followup_marts_agree holds this mart equal to the intermediate
-- table followup_summary reads. On Spark a table built in full, as int_detractor_followups.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key='response_id',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_gone('response_id', ref('int_detractor_followups')) }}",
) }}

with

detractors as (

    select * from {{ ref('int_detractor_followups') }}
    {%- if is_incremental() %}
    where built_seq > {{ built_through_seq() }}
        or response_id in (select response_id from {{ this }} where followup_status = 'open')
    {%- endif %}

),

final as (

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
        due_at,
        has_case,
        followup_status,
        contacted_at,
        is_contacted_within_sla,
        cast(hours_to_contact as double) as hours_to_contact,
        resolved_at,
        outcome_text,
        owner_key,
        next_score,
        next_responded_at,
        is_recovered

    from detractors

)

select * from final
