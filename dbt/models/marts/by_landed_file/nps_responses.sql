-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where {{ only_changed_files() }}

),

segments as (

    select * from {{ ref('int_response_segments_pivoted') }}
    where {{ only_changed_files() }}

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
        responses.programme,
        responses.touchpoint,
        responses.account_id,
        responses.responded_at,
        responses.response_date,
        responses.score,
        responses.nps_category,
        responses.channel,
        responses.source_file_id,
        responses.source_row_number,
    {%- for segment in configured_segments() %}
    case when responses.survey_type = 'customer' then segments.segment_{{ segment }} end
        as segment_{{ segment }}{% if not loop.last %},{% endif %}
    {%- endfor %}

    from responses
    left join segments
        on responses.source_file_id = segments.source_file_id
        and responses.source_row_number = segments.source_row_number

)

select * from final
