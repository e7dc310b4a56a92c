-- Invitations sent and answered per invitation file, local send date, survey, channel and
-- combination of segment values (a row per cell, every segment as its own column): the
-- invitation cohort that the semantic layer slices by channel and segments at once.
-- Incremental by invitation file: the folder's config (dbt_project.yml, macros/incremental.sql).
-- depends_on: {{ ref('int_cohort_files_to_rebuild') }}  (the cohort's files, macros/incremental.sql)

with

invitations as (

    select * from {{ ref('int_invitations_answered') }}
    where {{ only_changed_files('source_file_id', 'cohort') }}

),

segments as (

    select * from {{ ref('stg_inbox__invitation_segments') }}
    where {{ only_changed_files('source_file_id', 'cohort') }}

),

segments_pivoted as (

    select
        segments.source_file_id,
        segments.source_row_number,
        {{ pivoted_segment_columns('segments') }}

    from segments
    group by segments.source_file_id, segments.source_row_number

),

pivoted as (

    select
        invitations.source_file_id,
        invitations.sent_date,
        invitations.survey_id,
        invitations.channel,
        invitations.is_answered,
        {{ segment_columns('segments_pivoted') }}

    from invitations
    left join segments_pivoted
        on invitations.source_file_id = segments_pivoted.source_file_id
        and invitations.source_row_number = segments_pivoted.source_row_number

),

counted as (

    select
        source_file_id,
        sent_date,
        survey_id,
        channel,
        {{ segment_columns() }},
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses

    from pivoted
    group by
        source_file_id,
        sent_date,
        survey_id,
        channel,
        {{ segment_columns() }}

)

select * from counted
