with

responses as (

    select * from {{ ref('int_responses_enriched') }}

),

segments as (

    select * from {{ ref('int_response_segments_pivoted') }}

),

final as (

    select
        responses.response_id,
        responses.survey_id,
        responses.invitation_id,
        responses.respondent_key,
        responses.responded_at,
        responses.response_date,
        responses.score,
        responses.nps_category,
        responses.channel,
        {%- for segment in configured_segments() %}
        segments.segment_{{ segment }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from responses
    left join segments
        on responses.response_id = segments.response_id

)

select * from final
