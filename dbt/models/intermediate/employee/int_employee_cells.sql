-- Every group of employee answers with its counts (private: HR sees them only through
-- int_employee_disclosure's verdicts, in hr.enps_by_group).
with

members as (

    select * from {{ ref('int_employee_cell_members') }}

),

cells as (

    select
        cell_id,
        family_id,
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        {{ nps_counts() }},
        {{ score_counts() }}

    from members
    group by
        cell_id, family_id, programme, period_grain, period_start, dimension_kind, dimension, dimension_value

)

select * from cells
