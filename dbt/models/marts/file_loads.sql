-- One row per file content landed (the load record): what came in and what became of its
-- rows. For a file in use, rows_read = valid_rows + quarantined_rows + excluded_rows
-- (`reconciles`); a replaced file's rows are gone (counts 0, `reconciles` null).
with

files as (

    select * from {{ ref('stg_landing__landed_files') }}

),

reconciliation as (

    select * from {{ ref('stg_inbox__file_reconciliation') }}

),

final as (

    select
        files.file_id,
        files.source,
        files.kind,
        files.format,
        files.file_path,
        files.archive_path,
        files.archive_member,
        files.encoding,
        files.delimiter,
        files.parser,
        files.file_bytes,
        files.rows_read,
        coalesce(reconciliation.valid_rows, 0) as valid_rows,
        coalesce(reconciliation.quarantined_rows, 0) as quarantined_rows,
        coalesce(reconciliation.excluded_rows, 0) as excluded_rows,
        reconciliation.reconciles,
        files.rejected_reason,
        files.is_replaced,
        files.landed_at,
        files.replaced_at

    from files
    left join reconciliation on files.file_id = reconciliation.source_file_id

)

select * from final
