-- Response counts per landed file, local date, programme and breakdown (overall,
-- channel, every segment, touchpoint and survey), with the count of every score 0..10 for
-- the score distribution. Per file, so that it is incremental by landed file (macros/incremental.sql):
-- readers sum over files.
with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where {{ only_changed_files() }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}
    where {{ only_changed_files() }}

),

by_dimension as (

    {{ unpivot_dimensions(
        'responses', 'segments',
        ['response_id', 'source_file_id', 'response_date', 'programme', 'nps_category', 'score'],
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
        {{ nps_counts() }},
        {{ score_counts() }}

    from by_dimension
    group by source_file_id, response_date, programme, dimension_kind, dimension, dimension_value

)

select * from counted
