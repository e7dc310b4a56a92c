-- Rows that are not real responses: survey-tool previews, spam, test responses and
-- unfinished responses. Not errors, not counted in NPS; listed so that every row read is
-- accounted for.
with

rejected as (

    select * from {{ ref('int_rejected_rows_unioned') }}
    where disposition = 'excluded'

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

    from rejected

)

select * from final
