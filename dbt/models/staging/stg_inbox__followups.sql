with

source as (

    select * from {{ source('inbox', 'followups') }}

),

renamed as (

    select
        -- ids
        response_id,
        owner_key,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        outcome as outcome_text,

        -- timestamps
        contacted_at,
        resolved_at

    from source

)

select * from renamed
