-- Every landed row that failed validation, with the reason. Respondent ids and free
-- text are not in `raw_values`, so this is safe to show to analysts.
-- Excluded rows (previews, spam, unfinished) are in `excluded_rows`.
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
    where disposition = 'quarantined'

)

select * from final
