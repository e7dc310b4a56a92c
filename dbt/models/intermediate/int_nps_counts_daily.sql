-- Response counts per local date and breakdown (overall, channel, every segment).
{{ config(materialized='table') }}

with

responses as (

    select * from {{ ref('int_responses_enriched') }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}

),

by_dimension as (

    {{ unpivot_dimensions('responses', 'segments', ['response_id', 'response_date', 'nps_category']) }}

),

counted as (

    select
        response_date,
        dimension_kind,
        dimension,
        dimension_value,
        {{ nps_counts() }}

    from by_dimension
    group by response_date, dimension_kind, dimension, dimension_value

)

select * from counted
