-- Small segments (docs/nps.md#small-segments): empirical-Bayes NPS of every segment row of
-- the customer programmes, pulled toward the parent (the programme's NPS in that period)
-- by as much as its own responses leave uncertain.
--   Each response scores 100 (promoter), 0 or -100. Within one segment type and period,
--   with H segments of n_h responses (N in all), NPS_h, pooled NPS̄ and per-response
--   variance Var_h = 100² · (p_h + d_h - (p_h - d_h)²):
--   within-segment variance   σ² = Σ n_h · Var_h / (N - H)
--   between-segment variance  τ² = max(0, (Σ n_h · (NPS_h - NPS̄)² - (H - 1) · σ²)
--                                          / (N - Σ n_h² / N))       (method of moments)
--   prior strength            K = σ² / τ²   (responses' worth of the parent)
--   shrinkage_weight          B_h = K / (K + n_h) = σ² / (σ² + n_h · τ²)
--   shrunk_nps                (1 - B_h) · NPS_h + B_h · NPS_parent
-- which is the posterior mean of the promoter and detractor shares under a Dirichlet prior
-- centred on the parent's shares with strength K. τ² = 0 (segments differ no more than
-- noise): every segment is the parent (B = 1, K NULL for infinite). Fewer than two
-- segments, or no response beyond one per segment: no estimate (NULL).
{{ config(materialized='table') }}

with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}
    where programme in ('relationship', 'transactional')

),

parents as (

    select
        programme,
        period_grain,
        period_start,
        100e0 * (promoters - detractors) / responses as parent_nps

    from counts
    where dimension_kind = 'overall'

),

segments as (

    select
        programme,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        responses,
        promoters - detractors as net_promoters,
        100e0 * (promoters - detractors) / responses as nps,
        10000e0 * {{ nps_variance('promoters', 'detractors', 'responses') }} as response_variance

    from counts
    where dimension_kind = 'segment'

),

pooled as (

    select
        *,
        count(*) over segment_type as segments_in_type,
        sum(responses) over segment_type as type_responses,
        sum(responses * responses) over segment_type as type_responses_squared,
        100e0 * sum(net_promoters) over segment_type / sum(responses) over segment_type as pooled_nps,
        {{ exact_sum('responses * response_variance', over='segment_type') }} as within_sum_of_squares

    from segments
    window segment_type as (partition by programme, period_grain, period_start, dimension)

),

moments as (

    select
        *,
        within_sum_of_squares / nullif(type_responses - segments_in_type, 0) as within_variance,
        {{ exact_sum(
            'responses * power(nps - pooled_nps, 2)',
            over='(partition by programme, period_grain, period_start, dimension)'
        ) }} as between_sum_of_squares

    from pooled

),

estimated as (

    select
        *,
        -- the spread beyond noise, in NPS points squared; less than 1e-9 of it is the
        -- rounding of the sums (segments that differ exactly as much as noise: engines
        -- round differently), so it counts as none
        case
            when segments_in_type < 2 or type_responses <= segments_in_type then null
            when between_sum_of_squares - (segments_in_type - 1) * within_variance > 1e-9
                then (between_sum_of_squares - (segments_in_type - 1) * within_variance)
                    / (type_responses - 1e0 * type_responses_squared / type_responses)
            else 0e0
        end as between_variance

    from moments

),

final as (

    select
        estimated.programme,
        estimated.period_grain,
        estimated.period_start,
        estimated.dimension,
        estimated.dimension_value,
        cast(case
            when estimated.between_variance > 0 then estimated.within_variance / estimated.between_variance
        end as double) as shrinkage_prior_strength,
        cast(case
            when estimated.between_variance = 0 then 1e0
            when estimated.between_variance > 0 then
                estimated.within_variance
                / (estimated.within_variance + estimated.responses * estimated.between_variance)
        end as double) as shrinkage_weight,
        cast(parents.parent_nps as double) as parent_nps,
        cast(estimated.nps as double) as nps

    from estimated
    inner join parents
        on estimated.programme = parents.programme
        and estimated.period_grain = parents.period_grain
        and estimated.period_start = parents.period_start

)

select
    *,
    cast((1 - shrinkage_weight) * nps + shrinkage_weight * parent_nps as double) as shrunk_nps
from final
