-- Invitations sent, answered and through each funnel stage per invitation file, local send
-- date and breakdown (the invitation cohort). `tracked_<stage>` counts the invitations whose
-- source reports that stage; rates are taken over those only. Per file, so that it is
-- incremental: a run counts again the invitation files that changed or hold an invitation
-- whose answer came or went (the folder's config, macros/incremental.sql); readers sum
-- over files.
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

by_dimension as (

    {{ unpivot_dimensions('invitations', 'segments', [
        'invitation_id', 'source_file_id', 'sent_date', 'is_answered',
        'tracks_delivered', 'is_delivered', 'tracks_opened', 'is_opened',
        'tracks_started', 'is_started', 'tracks_completed', 'is_completed',
    ]) }}

),

counted as (

    select
        source_file_id,
        sent_date,
        dimension_kind,
        dimension,
        dimension_value,
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses,
        {%- for stage in ['delivered', 'opened', 'started', 'completed'] %}
        count(case when tracks_{{ stage }} then 1 end) as tracked_{{ stage }},
        count(case when tracks_{{ stage }} and is_{{ stage }} then 1 end)
            as {{ stage }}{% if not loop.last %},
        {% endif %}
        {%- endfor %}

    from by_dimension
    group by source_file_id, sent_date, dimension_kind, dimension, dimension_value

)

select * from counted
