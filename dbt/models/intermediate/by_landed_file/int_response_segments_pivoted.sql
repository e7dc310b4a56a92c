-- One row per valid response with a `segment_<name>` column per configured segment.
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

responses as (

    select * from {{ ref('stg_inbox__responses') }}
    where {{ only_changed_files() }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}
    where {{ only_changed_files() }}

),

pivoted as (

    select
        responses.response_id,
        responses.source_file_id,
        responses.source_row_number,
        {{ pivoted_segment_columns('segments') }}

    from responses
    left join segments
        on responses.source_file_id = segments.source_file_id
        and responses.source_row_number = segments.source_row_number
    group by responses.response_id, responses.source_file_id, responses.source_row_number

)

select * from pivoted
