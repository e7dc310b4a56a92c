-- Planning (docs/nps.md#sample-planning): per customer programme and breakdown (overall,
-- channel, every segment), in the latest complete month, the responses needed for a 95%
-- margin of ±5 and ±10 NPS points at the breakdown's current mix, the invitations that
-- takes at its response rate that month, and whether that month met it.
--   responses needed for ±m = ceil(1.96² · Var / (m / 100)²), Var = p + d - (p - d)² of the
--   month's mix with the adjusted-Wald counts (0.75 promoters and detractors, 1.5 passives
--   added), so that a month of only promoters does not claim that no answers are needed.
--   invitations needed = ceil(responses needed / response rate).
with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where period_grain = 'month'
        and is_period_complete
        and programme in ('relationship', 'transactional')
        and dimension_kind in ('overall', 'channel', 'segment')

),

rates as (

    select * from {{ ref('response_rates') }}
    where period_grain = 'month'

),

latest as (

    select
        programme,
        max(period_start) as period_start

    from metrics
    group by programme

),

planned as (

    select
        metrics.programme,
        metrics.period_start,
        metrics.dimension_kind,
        metrics.dimension,
        metrics.dimension_value,
        metrics.responses,
        metrics.nps,
        metrics.nps_margin_of_error,
        rates.response_rate,
        {#- the adjusted-Wald counts of the intervals (macros/nps_statistics.sql) #}
        {%- set adjusted = _nps_method_counts(
            'metrics.promoters', 'metrics.detractors', 'metrics.responses', 'adjusted_wald'
        ) %}
        {{ nps_variance(*adjusted) }} as response_variance

    from metrics
    inner join latest
        on metrics.programme = latest.programme
        and metrics.period_start = latest.period_start
    left join rates
        on metrics.period_start = rates.period_start
        and metrics.dimension_kind = rates.dimension_kind
        and metrics.dimension = rates.dimension
        and metrics.dimension_value = rates.dimension_value

),

needed as (

    select
        *,
        cast(ceil(power({{ nps_z_95() }}, 2) * response_variance / power(0.05e0, 2)) as bigint)
            as responses_needed_5_points,
        cast(ceil(power({{ nps_z_95() }}, 2) * response_variance / power(0.10e0, 2)) as bigint)
            as responses_needed_10_points

    from planned

),

final as (

    select
        programme,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        responses,
        nps,
        nps_margin_of_error,
        cast(response_variance as double) as response_variance,
        responses_needed_5_points,
        responses_needed_10_points,
        response_rate,
        cast(case when response_rate > 0 then ceil(responses_needed_5_points / response_rate) end as bigint)
            as invitations_needed_5_points,
        cast(case when response_rate > 0 then ceil(responses_needed_10_points / response_rate) end as bigint)
            as invitations_needed_10_points,
        responses >= responses_needed_5_points as is_5_points_met,
        responses >= responses_needed_10_points as is_10_points_met

    from needed

)

select * from final
