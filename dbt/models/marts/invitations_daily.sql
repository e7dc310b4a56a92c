-- Invitations sent and answered per local send day, survey, channel and combination of
-- segment values, with the survey's programme and touchpoint: the invitation cohort at its
-- finest published grain, which the semantic layer's response_rate slices by any of them.
with

cells as (

    select * from {{ ref('int_invitation_cells_daily') }}

),

surveys as (

    select * from {{ ref('surveys') }}

),

summed as (

    select
        sent_date,
        survey_id,
        channel,
        {{ segment_columns() }},
        sum(invitations) as invitations,
        sum(responses) as responses

    from cells
    group by
        sent_date,
        survey_id,
        channel,
        {{ segment_columns() }}

),

final as (

    select
        summed.sent_date,
        summed.survey_id,
        coalesce(surveys.programme, 'unclassified') as programme,
        surveys.touchpoint,
        summed.channel,
        {{ segment_columns('summed') }},
        cast(summed.invitations as bigint) as invitations,
        cast(summed.responses as bigint) as responses

    from summed
    left join surveys
        on summed.survey_id = surveys.survey_id

)

select * from final
