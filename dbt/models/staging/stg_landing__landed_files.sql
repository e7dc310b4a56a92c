with

source as (

    select * from {{ source('landing', 'landed_files') }}

),

renamed as (

    select
        -- ids
        file_id,
        source,

        -- strings
        kind,
        format,
        file_path,
        archive_path,
        archive_member,
        encoding,
        delimiter,
        parser,
        rejected_reason,
        mapped_columns,

        -- numerics
        file_bytes,
        rows_read,
        landing_seq,

        -- booleans
        replaced_at is not null as is_replaced,

        -- timestamps
        landed_at,
        replaced_at

    from source

)

select * from renamed
