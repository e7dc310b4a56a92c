-- The CRM export's segments (its segment_* columns) of each customer, by pseudonym.
with

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

segments as (

    select * from {{ ref('stg_inbox__customer_segments') }}

),

final as (

    select
        customers.customer_key,
        segments.segment_type,
        segments.segment_value
    from segments
    inner join customers
        on segments.source_file_id = customers.source_file_id
        and segments.source_row_number = customers.source_row_number

)

select * from final
