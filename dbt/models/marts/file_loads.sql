-- One row per file content landed (the load record): what came in and what became of
-- its rows. For a file in use, rows_read = valid_rows + quarantined_rows + excluded_rows.
with

files as (

    select * from {{ ref('stg_landing__landed_files') }}

),

valid as (

    select source_file_id, count(*) as valid_rows
    from (
        select source_file_id from {{ ref('stg_inbox__responses') }}
        union all
        select source_file_id from {{ ref('stg_inbox__invitations') }}
        union all
        select source_file_id from {{ ref('stg_inbox__followups') }}
    ) as valid_rows
    group by source_file_id

),

quarantined as (

    select source_file_id, count(*) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by source_file_id

),

excluded as (

    select source_file_id, count(*) as excluded_rows
    from {{ ref('excluded_rows') }}
    group by source_file_id

),

final as (

    select
        files.file_id,
        files.source_name,
        files.kind,
        files.format,
        files.file_path,
        files.encoding,
        files.delimiter,
        files.parser,
        files.file_bytes,
        files.rows_read,
        coalesce(valid.valid_rows, 0) as valid_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
        coalesce(excluded.excluded_rows, 0) as excluded_rows,
        files.rejected_reason,
        files.is_replaced,
        files.landed_at,
        files.replaced_at

    from files
    left join valid on files.file_id = valid.source_file_id
    left join quarantined on files.file_id = quarantined.source_file_id
    left join excluded on files.file_id = excluded.source_file_id

)

select * from final
