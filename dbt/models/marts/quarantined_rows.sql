-- Every landed row that failed validation, with the reason. Respondent ids and free text
-- are not in `raw_values`, so this is safe to show to analysts. Excluded rows (previews,
-- spam, unfinished) are in `excluded_rows`.
select * from {{ ref('int_rejected_rows') }}
where disposition = 'quarantined'
