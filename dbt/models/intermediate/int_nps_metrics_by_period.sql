-- Every NPS row the marts show, computed once: shares and NPS, the 95% interval (adjusted
-- Wald), sample-size flag, band, target, the previous period and whether the change is
-- significant, the rolling 3-month NPS of monthly rows, whether the period is over, the
-- weighted NPS (int_weighted_nps_by_period), and eNPS suppression (employee and
-- unclassified groups under `enps_min_group` show no scores: macros/nps.sql,
-- is_anonymity_suppressed).
{{ config(materialized='table') }}

with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}

),

bands as (

    select * from {{ ref('nps_benchmark_bands') }}

),

weighted as (

    select * from {{ ref('int_weighted_nps_by_period') }}

),

periods as (

    select
        *,
        {{ period_shift('period_grain', 'period_start', -1) }} as previous_period_start,
        {{ period_shift('period_grain', 'period_start', 1) }} as next_period_start

    from counts

),

with_previous as (

    select
        periods.*,
        previous.responses as previous_responses,
        previous.promoters as previous_promoters,
        previous.detractors as previous_detractors

    from periods
    left join counts as previous
        on {{ same_breakdown('periods', 'previous') }}
        and periods.previous_period_start = previous.period_start
        -- a group too small to show is not compared with either
        and not {{ is_anonymity_suppressed('previous.programme', 'previous.responses') }}

),

rolling_3_months as (

    select
        periods.programme,
        periods.period_start,
        periods.dimension_kind,
        periods.dimension,
        periods.dimension_value,
        sum(window_months.responses) as responses,
        sum(window_months.promoters) as promoters,
        sum(window_months.detractors) as detractors

    from periods
    inner join counts as window_months
        on {{ same_breakdown('periods', 'window_months', with_grain=false) }}
        and window_months.period_grain = 'month'
        and window_months.period_start
        between {{ date_shift('month', -2, 'periods.period_start') }}
        and periods.period_start
    where periods.period_grain = 'month'
    group by 1, 2, 3, 4, 5

),

measured as (

    select
        with_previous.*,
        {{ date_shift('day', -1, 'with_previous.next_period_start') }} as period_end,
        with_previous.next_period_start <= {{ local_today() }} as is_period_complete,
        {{ is_anonymity_suppressed('with_previous.programme', 'with_previous.responses') }} as is_suppressed,
        with_previous.responses < {{ var('nps_min_sample') }} as is_low_sample,
        cast(100e0 * (with_previous.promoters - with_previous.detractors) / with_previous.responses as double)
            as nps_value,
        cast(
            100e0 * (with_previous.previous_promoters - with_previous.previous_detractors)
            / with_previous.previous_responses as double
        ) as previous_nps_value,
        {{ nps_difference_z(
            'with_previous.promoters', 'with_previous.detractors', 'with_previous.responses',
            'with_previous.previous_promoters', 'with_previous.previous_detractors',
            'with_previous.previous_responses'
        ) }} as change_z,
        case
            when not {{ is_anonymity_suppressed('rolling_3_months.programme', 'rolling_3_months.responses') }}
                then cast(
                        100e0 * (rolling_3_months.promoters - rolling_3_months.detractors)
                        / rolling_3_months.responses as double
                    )
        end as rolling_3_month_nps_value

    from with_previous
    left join rolling_3_months
        on with_previous.period_grain = 'month'
        and {{ same_breakdown('with_previous', 'rolling_3_months', with_grain=false) }}
        and with_previous.period_start = rolling_3_months.period_start

),

tested as (

    select
        measured.*,
        case
            when measured.change_z is not null then {{ two_sided_p_value('change_z') }}
            -- no spread on either side: the difference is certain, or there is none
            when
                measured.previous_responses > 0
                then case when measured.nps_value = measured.previous_nps_value then 1e0 else 0e0 end
        end as change_p_value

    from measured

),

final as (

    select
        tested.programme,
        tested.period_grain,
        tested.period_start,
        tested.period_end,
        tested.previous_period_start,
        tested.dimension_kind,
        tested.dimension,
        tested.dimension_value,
        tested.responses,
        {{ unless_suppressed('tested.promoters') }} as promoters,
        {{ unless_suppressed('tested.passives') }} as passives,
        {{ unless_suppressed('tested.detractors') }} as detractors,
        {{ unless_suppressed('cast(100e0 * tested.promoters / tested.responses as double)') }}
            as pct_promoters,
        {{ unless_suppressed('cast(100e0 * tested.passives / tested.responses as double)') }} as pct_passives,
        {{ unless_suppressed('cast(100e0 * tested.detractors / tested.responses as double)') }}
            as pct_detractors,
        {{ unless_suppressed('tested.nps_value') }} as nps,
        {{ unless_suppressed(
            'cast(' ~ nps_margin_of_error('tested.promoters', 'tested.detractors', 'tested.responses') ~ ' as double)'
        ) }} as nps_margin_of_error,
        {{ unless_suppressed(
            'cast(' ~ nps_ci_low('tested.promoters', 'tested.detractors', 'tested.responses') ~ ' as double)'
        ) }} as nps_ci_low,
        {{ unless_suppressed(
            'cast(' ~ nps_ci_high('tested.promoters', 'tested.detractors', 'tested.responses') ~ ' as double)'
        ) }} as nps_ci_high,
        {{ unless_suppressed('weighted.weighted_nps') }} as weighted_nps,
        {{ unless_suppressed('weighted.weighted_nps_margin_of_error') }} as weighted_nps_margin_of_error,
        {{ unless_suppressed('weighted.effective_responses') }} as effective_responses,
        {{ unless_suppressed('weighted.weighting_targets') }} as weighting_targets,
        tested.is_low_sample,
        {{ unless_suppressed('bands.band') }} as nps_band,
        cast({{ var('nps_target') }} as double) as target_nps,
        {{ unless_suppressed('tested.nps_value >= ' ~ var('nps_target')) }} as is_target_met,
        {{ unless_suppressed('tested.previous_nps_value') }} as previous_period_nps,
        {{ unless_suppressed('tested.nps_value - tested.previous_nps_value') }} as nps_change,
        {{ unless_suppressed('cast(tested.change_p_value as double)') }} as nps_change_p_value,
        {{ unless_suppressed('tested.change_p_value < 0.05') }} as is_change_significant,
        {{ unless_suppressed('tested.rolling_3_month_nps_value') }} as rolling_3_month_nps,
        tested.is_period_complete,
        tested.is_suppressed

    from tested
    left join weighted
        on {{ same_breakdown('tested', 'weighted') }}
        and tested.period_start = weighted.period_start
    left join bands
        on (tested.nps_value > bands.nps_from or (bands.from_inclusive and tested.nps_value = bands.nps_from))
        and (tested.nps_value < bands.nps_to or (bands.to_inclusive and tested.nps_value = bands.nps_to))

)

select * from final
