-- Post-stratification weights (docs/nps.md#weighting): per customer programme, period and
-- weighting cell (a value of var `nps_weighting_dimension`), weight = the cell's target
-- share / its share of the responses, both taken over the cells that have a target, and
-- clipped to [1 / nps_weight_cap, nps_weight_cap]. Targets: the seed
-- nps_population_targets where one of its rows covers the period (the customer base),
-- else the period's invitations (the invited population). Responses without a cell, or
-- in a cell without a target, keep weight 1.
{{ config(materialized='table') }}
{%- set weighting = weighting_dimension() %}
{%- set cap = var('nps_weight_cap') %}

with

cells_daily as (

    select * from {{ ref('int_weighting_cells_daily') }}
    where dimension_kind = 'overall'

),

invitations_daily as (

    select * from {{ ref('int_invitation_counts_daily') }}
    where dimension = '{{ weighting }}'

),

population_targets as (

    select * from {{ ref('nps_population_targets') }}
    where dimension = '{{ weighting }}'

),

cells as (

    {{ sum_by_period('cells_daily', 'response_date', ['programme', 'weighting_cell'], ['responses']) }}

),

invited as (

    {{ sum_by_period('invitations_daily', 'sent_date', ['dimension_value'], ['invitations']) }}

),

periods as (

    select distinct
        period_grain,
        period_start
    from cells

),

population as (

    select
        periods.period_grain,
        periods.period_start,
        population_targets.dimension_value as weighting_cell,
        cast(population_targets.share as double) as target

    from periods
    inner join population_targets
        on periods.period_start >= population_targets.valid_from
        and (population_targets.valid_to is null or periods.period_start <= population_targets.valid_to)

),

targets as (

    select
        period_grain,
        period_start,
        weighting_cell,
        target,
        'population targets' as weighting_targets
    from population

    union all

    select
        invited.period_grain,
        invited.period_start,
        invited.dimension_value as weighting_cell,
        cast(invited.invitations as double) as target,
        'invited population' as weighting_targets
    from invited
    where not exists (
            select 1 from population
            where population.period_grain = invited.period_grain
                and population.period_start = invited.period_start
        )

),

targeted as (

    select
        cells.programme,
        cells.period_grain,
        cells.period_start,
        cells.weighting_cell,
        cells.responses,
        targets.target,
        targets.weighting_targets,
        -- the cells with responses and a target share the responses they hold
        sum(case when targets.target > 0 then cells.responses end) over period_cells as targeted_responses,
        {{ exact_sum('case when cells.responses > 0 then targets.target end', over='period_cells') }}
            as targeted_total

    from cells
    left join targets
        on cells.period_grain = targets.period_grain
        and cells.period_start = targets.period_start
        and cells.weighting_cell = targets.weighting_cell
    window period_cells as (partition by cells.programme, cells.period_grain, cells.period_start)

),

final as (

    select
        programme,
        period_grain,
        period_start,
        weighting_cell,
        responses,
        cast(case when target > 0 then 1e0 * responses / targeted_responses end as double) as sample_share,
        cast(case when target > 0 then target / targeted_total end as double) as target_share,
        cast(
            case
                when target > 0
                    then least(
                            greatest(
                                (target / targeted_total) / (1e0 * responses / targeted_responses),
                                1e0 / {{ cap }}
                            ),
                            {{ cap }}
                        )
                else 1e0
            end as double
        ) as weight,
        max(weighting_targets) over (partition by programme, period_grain, period_start) as weighting_targets

    from targeted

)

select * from final
