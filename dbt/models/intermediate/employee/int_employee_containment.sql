-- Which group lies wholly inside which: (outer, inner) where every answer of the inner
-- cell is also in the outer one (a month in its quarter, a region's quarter in the
-- quarter, a unit that sits in one region in that region). A reader who knows the outer
-- count and the inner ones can subtract: disclosure control checks every such residual.
-- Also one row per cell with itself (is_self), which carries the cell's own verdict from
-- one round of int_employee_disclosure to the next. `is_same_group`: both hold the same
-- answers (a hidden one must not be shown under the other's name); `is_descendant`: the
-- inner cell is the same group at a finer grain (a month of a quarter), hidden with it.
-- DuckDB's partial aggregation of each side of the members' self-join (pairs of groups
-- sharing answers) is off: the members are unique by answer and group already (at 150k
-- answers 2.1 s with it, 0.8 s without).
{{ config(
    pre_hook="{{ no_duckdb_partial_aggregate_pushdown() }}",
    post_hook="{{ every_duckdb_optimizer() }}",
) }}

with

members as (

    select * from {{ ref('int_employee_cell_members') }}

),

cells as (

    select * from {{ ref('int_employee_cells') }}

),

-- Each group numbered: the pairs below are counted by two integers instead of two long
-- group names (every answer sits in ~18 groups, so ~300 pairs per answer: at 150k answers
-- 4.4 s by name, 1.7 s by number, 0.8 s without the partial aggregation).
cell_numbers as (

    select
        cell_id,
        row_number() over (order by cell_id) as cell_number

    from cells

),

numbered_members as (

    select
        members.response_id,
        members.programme,
        cell_numbers.cell_number

    from members
    inner join cell_numbers on members.cell_id = cell_numbers.cell_id

),

shared_numbers as (

    select
        outer_members.cell_number as outer_cell_number,
        inner_members.cell_number as inner_cell_number,
        count(*) as shared_responses

    from numbered_members as outer_members
    inner join numbered_members as inner_members
        on outer_members.response_id = inner_members.response_id
        and outer_members.programme = inner_members.programme
    group by outer_members.cell_number, inner_members.cell_number

),

shared as (

    select
        outer_numbers.cell_id as outer_cell_id,
        inner_numbers.cell_id as inner_cell_id,
        shared_numbers.shared_responses

    from shared_numbers
    inner join cell_numbers as outer_numbers
        on shared_numbers.outer_cell_number = outer_numbers.cell_number
    inner join cell_numbers as inner_numbers
        on shared_numbers.inner_cell_number = inner_numbers.cell_number

),

contained as (

    select
        shared.outer_cell_id,
        shared.inner_cell_id,
        inner_cells.family_id as inner_family_id,
        outer_cells.responses as outer_responses,
        inner_cells.responses as inner_responses,
        shared.outer_cell_id = shared.inner_cell_id as is_self,
        inner_cells.responses = outer_cells.responses as is_same_group,
        inner_cells.dimension_kind = outer_cells.dimension_kind
        and inner_cells.dimension = outer_cells.dimension
        and inner_cells.dimension_value = outer_cells.dimension_value
        and {{ grain_rank('inner_cells.period_grain') }} < {{ grain_rank('outer_cells.period_grain') }}
            as is_descendant

    from shared
    inner join cells as outer_cells on shared.outer_cell_id = outer_cells.cell_id
    inner join cells as inner_cells on shared.inner_cell_id = inner_cells.cell_id
    where shared.shared_responses = inner_cells.responses

)

select * from contained
