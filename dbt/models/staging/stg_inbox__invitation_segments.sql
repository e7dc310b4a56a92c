with

source as (

    select * from {{ source('inbox', 'invitations_segments') }}

),

renamed as (

    select
        file_id as source_file_id,
        row_number as source_row_number,
        segment_name as segment_type,
        segment_value

    from source

)

select * from renamed
