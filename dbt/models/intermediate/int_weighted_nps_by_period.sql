-- Weighted NPS of every customer breakdown row (docs/nps.md#weighting): each response
-- counts with its cell's weight (int_nps_weights_by_period). With W = Σ weights,
-- p_w = Σ w·promoter / W and d_w likewise: weighted NPS = 100 · (p_w - d_w); its margin
-- uses Kish's effective sample size n_eff = W² / Σ w²: 100 · 1.96 · √(Var_w / n_eff) with
-- Var_w = p_w + d_w - (p_w - d_w)². NULL when the period has no targets.
{{ config(materialized='table') }}

with

cells_daily as (

    select * from {{ ref('int_weighting_cells_daily') }}

),

weights as (

    select * from {{ ref('int_nps_weights_by_period') }}

),

cells as (

    {{ sum_by_period(
        'cells_daily', 'response_date',
        ['programme', 'dimension_kind', 'dimension', 'dimension_value', 'weighting_cell'],
        ['responses', 'promoters', 'detractors']
    ) }}

),

weighted as (

    select
        cells.programme,
        cells.period_grain,
        cells.period_start,
        cells.dimension_kind,
        cells.dimension,
        cells.dimension_value,
        {{ exact_sum('cells.responses * coalesce(weights.weight, 1e0)') }} as weight_total,
        {{ exact_sum('cells.responses * power(coalesce(weights.weight, 1e0), 2)') }} as weight_squares,
        {{ exact_sum('cells.promoters * coalesce(weights.weight, 1e0)') }} as weighted_promoters,
        {{ exact_sum('cells.detractors * coalesce(weights.weight, 1e0)') }} as weighted_detractors,
        max(weights.weighting_targets) as weighting_targets

    from cells
    left join weights
        on cells.programme = weights.programme
        and cells.period_grain = weights.period_grain
        and cells.period_start = weights.period_start
        and cells.weighting_cell = weights.weighting_cell
    group by
        cells.programme, cells.period_grain, cells.period_start,
        cells.dimension_kind, cells.dimension, cells.dimension_value

),

final as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        cast(case when weighting_targets is not null then
                100e0 * (weighted_promoters - weighted_detractors) / weight_total + 0e0
        end as double) as weighted_nps,
        cast(case when weighting_targets is not null then
                {{ nps_z_95() }} * 100e0 * sqrt(greatest(
                    {{ nps_variance('weighted_promoters', 'weighted_detractors', 'weight_total') }}, 0
                ) / (weight_total * weight_total / weight_squares))
        end as double) as weighted_nps_margin_of_error,
        cast(case when weighting_targets is not null then
                weight_total * weight_total / weight_squares
        end as double) as effective_responses,
        weighting_targets

    from weighted

)

select * from final
