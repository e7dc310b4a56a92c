-- Valid responses with their NPS category and their date in the reporting time zone.
with

responses as (

    select * from {{ ref('stg_inbox__responses') }}

),

enriched as (

    select
        response_id,
        survey_id,
        invitation_id,
        respondent_key,
        account_id,
        source_file_id,
        source_row_number,
        survey_type,
        channel,
        respondent_role,
        lower(trim(respondent_role)) in (
            {%- for role in var('decision_maker_roles') %}
            '{{ role | lower | replace("'", "''") }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_decision_maker,
        score,
        {{ nps_category('score') }} as nps_category,
        responded_at,
        {{ to_local_date('responded_at') }} as response_date

    from responses

)

select * from enriched
