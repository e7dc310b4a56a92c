with

source as (

    select * from {{ source('inbox', 'responses') }}

),

renamed as (

    select
        -- ids
        response_id,
        survey_id,
        invitation_id,
        respondent_key,
        account_id,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        survey_type,
        channel,
        respondent_role,
        reason as reason_text,
        improvement as improvement_text,

        -- numerics
        cast(score as integer) as score,

        -- timestamps
        responded_at

    from source

)

select * from renamed
