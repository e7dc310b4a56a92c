-- Closing the loop, counted per detractor response file, day and breakdown (overall,
-- channel, each segment): what followup_summary sums over the files, instead of counting
-- every detractor again on every build.
--
-- Incremental by file (DuckDB): a build counts again the files int_followup_files_to_rebuild
-- names (their answers changed, a detractor's row was built again, or one of their cases was
-- open), each from all its detractors. Hours are summed exactly (decimal), so the files'
-- sums add up to the sum a full build makes. The alerts are not here: they change without
-- a file (followup_summary counts them from the outbox). On Spark a table built in full.
-- depends_on: {{ ref('int_followup_files_to_rebuild') }}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed_files('source_file_id', 'followup') }}",
) }}

with

detractors as (

    select * from {{ ref('int_detractor_followups') }}
    where {{ only_changed_files('source_file_id', 'followup') }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}
    where {{ only_changed_files('source_file_id', 'followup') }}

),

by_dimension as (

    {{ unpivot_dimensions('detractors', 'segments', [
        'source_file_id', 'response_date', 'has_case', 'followup_status', 'is_contacted_within_sla',
        'hours_to_contact', 'next_score', 'is_recovered',
    ]) }}

),

final as (

    select
        source_file_id,
        response_date,
        dimension_kind,
        dimension,
        dimension_value,
        count(*) as detractors,
        count(case when has_case then 1 end) as with_case,
        count(case when followup_status in ('contacted', 'resolved') then 1 end) as contacted,
        count(case when is_contacted_within_sla then 1 end) as contacted_within_sla,
        count(case when followup_status = 'resolved' then 1 end) as resolved,
        count(case when followup_status = 'overdue' then 1 end) as overdue,
        count(case when followup_status = 'open' then 1 end) as still_open,
        count(next_score) as with_next_response,
        count(case when is_recovered then 1 end) as recovered,
        sum(cast(hours_to_contact as decimal(38, 12))) as hours_to_contact_total

    from by_dimension
    group by source_file_id, response_date, dimension_kind, dimension, dimension_value

)

select * from final
