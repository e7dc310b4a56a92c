with

source as (

    select * from {{ source('inbox', 'invitations') }}

),

renamed as (

    select
        -- ids
        invitation_id,
        survey_id,
        respondent_key,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        channel,

        -- timestamps
        sent_at,
        delivered_at,
        opened_at,
        started_at,
        completed_at

    from source

)

select * from renamed
