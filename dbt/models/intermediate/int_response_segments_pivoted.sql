-- One row per valid response with a `segment_<name>` column per configured segment.
with

responses as (

    select * from {{ ref('stg_inbox__responses') }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}

),

pivoted as (

    select
        responses.response_id,
        {%- for segment in configured_segments() %}
        max(case when segments.segment_type = '{{ segment }}' then segments.segment_value end)
            as segment_{{ segment }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from responses
    left join segments
        on responses.source_file_id = segments.source_file_id
        and responses.source_row_number = segments.source_row_number
    group by responses.response_id

)

select * from pivoted
