-- Rows that are not real responses (survey previews, spam, unfinished): not errors, not in
-- any NPS. Rows with an error are in `quarantined_rows`.
-- Incremental by judged file: the folder's config (dbt_project.yml, macros/incremental.sql).
select * from {{ ref('int_rejected_rows') }}
where disposition = 'excluded'
    and {{ only_changed_files('source_file_id', 'judged') }}
