with

source as (

    select * from {{ source('inbox', 'revenue') }}

),

renamed as (

    select
        -- ids
        customer_key || '|' || month as revenue_id,
        customer_key,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        currency,

        -- numerics
        revenue,

        -- dates
        cast(month || '-01' as date) as revenue_month

    from source

)

select * from renamed
