-- Responses of the customer programmes per landed file, local date, breakdown and
-- weighting cell: the response's value of var `nps_weighting_dimension` (its channel, or
-- its value of that segment type; NULL without one). What weighted NPS sums
-- (int_weighted_nps_by_period). Per file, so that it is incremental by landed file.
{%- set weighting = weighting_dimension() %}

with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where programme in ('relationship', 'transactional')
        and {{ only_changed_files() }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}
    where {{ only_changed_files() }}

),

celled as (

    select
        responses.*,
        {%- if weighting == 'channel' %}
        responses.channel as weighting_cell
        {%- else %}
        cell_segments.segment_value as weighting_cell
        {%- endif %}

    from responses
    {%- if weighting != 'channel' %}
    left join segments as cell_segments
        on responses.source_file_id = cell_segments.source_file_id
        and responses.source_row_number = cell_segments.source_row_number
        and cell_segments.segment_type = '{{ weighting }}'
    {%- endif %}

),

by_dimension as (

    {{ unpivot_dimensions(
        'celled', 'segments',
        ['response_id', 'source_file_id', 'response_date', 'programme', 'nps_category', 'weighting_cell'],
        by_survey=true
    ) }}

),

counted as (

    select
        source_file_id,
        response_date,
        programme,
        dimension_kind,
        dimension,
        dimension_value,
        weighting_cell,
        {{ nps_counts() }}

    from by_dimension
    group by
        source_file_id, response_date, programme, dimension_kind, dimension, dimension_value, weighting_cell

)

select * from counted
