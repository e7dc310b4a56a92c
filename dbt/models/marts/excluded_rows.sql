-- Rows that are not real responses: survey-tool previews, spam, test responses and
-- unfinished responses. Not errors, not counted in NPS; listed so that every row read is
-- accounted for.
with

responses as (

    select * from {{ ref('stg_inbox__response_quarantine') }}

),

invitations as (

    select * from {{ ref('stg_inbox__invitation_quarantine') }}

),

unioned as (

    select * from responses
    union all
    select * from invitations

),

final as (

    select
        source_name,
        source_file_id,
        source_file_path,
        source_row_number,
        disposition,
        reason,
        raw_values,
        landed_at

    from unioned
    where disposition = 'excluded'

)

select * from final
