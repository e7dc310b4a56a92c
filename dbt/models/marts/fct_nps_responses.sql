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
        -- eNPS: no respondent key and no segments on employee rows (small teams would be
        -- identifiable); their aggregates are in the NPS marts, with small groups suppressed.
        case when responses.survey_type = 'customer' then responses.respondent_key end as respondent_key,
        responses.survey_type,
        responses.account_id,
        responses.responded_at,
        responses.response_date,
        responses.score,
        responses.nps_category,
        responses.channel,
        {%- for segment in configured_segments() %}
        case when responses.survey_type = 'customer' then segments.segment_{{ segment }} end
            as segment_{{ segment }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from responses
    left join segments
        on responses.response_id = segments.response_id

)

select * from final
