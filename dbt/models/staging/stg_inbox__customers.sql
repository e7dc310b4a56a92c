with

source as (

    select * from {{ source('inbox', 'customers') }}

),

renamed as (

    select
        -- ids
        customer_key,
        email_key,
        account_id,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        lower(acquisition_source) as acquisition_source,

        -- dates
        acquired_at,
        churned_at

    from source

)

select * from renamed
