-- Rows that are not real responses (survey previews, spam, unfinished): not errors, not in
-- any NPS. Rows with an error are in `quarantined_rows`.
select * from {{ ref('int_rejected_rows') }}
where disposition = 'excluded'
