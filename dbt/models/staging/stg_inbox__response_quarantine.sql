with

source as (

    select * from {{ source('inbox', 'responses_quarantine') }}

),

renamed as (

    select
        -- ids
        source as source_name,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        file_path as source_file_path,
        reason,
        cast(raw_values as varchar) as raw_values,

        -- timestamps
        landed_at

    from source

)

select * from renamed
