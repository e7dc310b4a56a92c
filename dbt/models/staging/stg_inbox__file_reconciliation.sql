-- Per live file: rows read = valid + quarantined + excluded rows. The view is the one
-- definition of the reconciliation (dagster_project/validation/reconciliation.py).
with

source as (

    select * from {{ source('inbox', 'file_reconciliation') }}

),

renamed as (

    select
        -- ids
        file_id as source_file_id,

        -- numerics
        valid_rows,
        quarantined_rows,
        excluded_rows,

        -- booleans
        reconciles

    from source

)

select * from renamed
