{#- Staging for the tables both inbox sources share a shape of: one model per source
    table, the same renames. -#}
{% macro stage_segments(source_table) -%}
with

source as (

    select * from {{ source('inbox', source_table) }}

),

renamed as (

    select
        file_id as source_file_id,
        row_number as source_row_number,
        segment_name as segment_type,
        segment_value

    from source

)

select * from renamed
{%- endmacro %}

{% macro stage_quarantine(source_table) -%}
with

source as (

    select * from {{ source('inbox', source_table) }}

),

renamed as (

    select
        -- ids
        kind,
        file_id as source_file_id,
        row_number as source_row_number,

        -- strings
        file_path as source_file_path,
        disposition,
        reason,
        raw_values,

        -- timestamps
        landed_at

    from source

)

select * from renamed
{%- endmacro %}
