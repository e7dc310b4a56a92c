-- Response counts per local date, survey type and breakdown (overall, channel, every
-- segment), with the count of every score 0..10 for the score distribution.
{{ config(materialized='table') }}

with

responses as (

    select * from {{ ref('int_responses_enriched') }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}

),

by_dimension as (

    {{ unpivot_dimensions('responses', 'segments', ['response_id', 'response_date', 'survey_type', 'nps_category', 'score']) }}

),

counted as (

    select
        response_date,
        survey_type,
        dimension_kind,
        dimension,
        dimension_value,
        {{ nps_counts() }},
        {%- for score in range(11) %}
        count(case when score = {{ score }} then 1 end) as score_{{ score }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from by_dimension
    group by response_date, survey_type, dimension_kind, dimension, dimension_value

)

select * from counted
