-- Every landed row that failed validation, with the reason. Respondent ids and free
-- text are not in `raw_values`, so this is safe to show to analysts.
-- Excluded rows (previews, spam, unfinished) are in `excluded_rows`.
with

rejected as (

    select * from {{ ref('int_rejected_rows_unioned') }}
    where disposition = 'quarantined'

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
