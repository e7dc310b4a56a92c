-- Every landed row that failed validation, with the reason. Respondent ids and free text
-- are not in `raw_values`, so this is safe to show to analysts. Excluded rows (previews,
-- spam, unfinished) are in `excluded_rows`.
-- Incremental by judged file: the folder's config (dbt_project.yml, macros/incremental.sql).
select * from {{ ref('int_rejected_rows') }}
where disposition = 'quarantined'
    and {{ only_changed_files('source_file_id', 'judged') }}
