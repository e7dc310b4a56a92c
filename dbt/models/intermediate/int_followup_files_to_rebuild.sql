-- The detractors' response files whose follow-up counts (int_followup_counts_daily) an
-- incremental build counts again (macro files_to_rebuild('followup')): the files whose
-- answers changed, the files of the detractors whose follow-up row this build made again (a
-- case, a next answer, a changed file), and the files that held an open case when they were
-- last counted (the clock alone turns a case overdue, without a new validation run).
-- Listed once per build, before the counts' pre-hook deletes what it names: the last of the
-- three reads the counts as they were.
-- Its parents are those of the counts, so it is built whenever they are
-- (dagster_project/defs/transform/selection.py).
-- depends_on: {{ ref('stg_inbox__response_segments') }}
{{ config(materialized='table') }}
{%- set counted = relation_as_last_built('int_followup_counts_daily') %}

with

changed as (

    select changed_files.file_id from {{ changed_files() }} as changed_files

),

rebuilt as (

    select followups.source_file_id as file_id
    from {{ ref('int_detractor_followups') }} as followups
    where followups.built_seq > {{ built_through_seq() }}

){%- if counted is not none %},

open_when_counted as (

    select counted.source_file_id as file_id
    from {{ counted }} as counted
    where counted.still_open > 0

){%- endif %}

select file_id from changed
union
select file_id from rebuilt
{%- if counted is not none %}
union
select file_id from open_when_counted
{%- endif %}
