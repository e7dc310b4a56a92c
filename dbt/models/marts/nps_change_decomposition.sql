-- Why the NPS moved between two consecutive periods (month and quarter), per customer
-- programme and breakdown (each segment type, channel, touchpoint): shift-share. With
-- w the share of a value's responses in the breakdown and NPS̄ / w̄ the mean of the two
-- periods, the change splits exactly into
--   mix effect         Δw · NPS̄   (the shares moved)
--   performance effect w̄ · ΔNPS   (the NPS within the value moved)
-- and their sum over the values is the observed change (tests/
-- assert_change_decomposition_adds_up.sql). A value present in only one period has share
-- 0 in the other and takes the NPS of the period it is in for both, so its whole
-- contribution is mix: it came or went. docs/nps.md#why-it-moved.
with

counts as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        -- touchpoint rows are kept as <touchpoint>/all: here the breakdown is `touchpoint`
        case when dimension_kind = 'touchpoint' then 'touchpoint' else dimension end as dimension,
        case when dimension_kind = 'touchpoint' then dimension else dimension_value end as dimension_value,
        responses,
        promoters,
        detractors

    from {{ ref('int_nps_counts_by_period') }}
    where period_grain in ('month', 'quarter')
        and programme in ('relationship', 'transactional')
        and dimension_kind in ('segment', 'channel', 'touchpoint')

),

with_totals as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        responses,
        100e0 * (promoters - detractors) / responses as nps,
        sum(responses)
            over (partition by programme, period_grain, period_start, dimension)
            as total_responses,
        100e0
        * sum(promoters - detractors) over (partition by programme, period_grain, period_start, dimension)
        / sum(responses) over (partition by programme, period_grain, period_start, dimension) as total_nps

    from counts

),

current_rows as (

    select
        *,
        {{ period_shift('period_grain', 'period_start', -1) }} as previous_period_start

    from with_totals

),

previous_rows as (

    select
        *,
        {{ period_shift('period_grain', 'period_start', 1) }} as next_period_start

    from with_totals

),

paired as (

    select
        coalesce(current_rows.programme, previous_rows.programme) as programme,
        coalesce(current_rows.period_grain, previous_rows.period_grain) as period_grain,
        coalesce(current_rows.period_start, previous_rows.next_period_start) as period_start,
        coalesce(current_rows.previous_period_start, previous_rows.period_start) as previous_period_start,
        coalesce(current_rows.dimension_kind, previous_rows.dimension_kind) as dimension_kind,
        coalesce(current_rows.dimension, previous_rows.dimension) as dimension,
        coalesce(current_rows.dimension_value, previous_rows.dimension_value) as dimension_value,
        coalesce(previous_rows.responses, 0) as previous_responses,
        coalesce(current_rows.responses, 0) as responses,
        previous_rows.nps as previous_nps,
        current_rows.nps,
        previous_rows.total_responses as previous_total_responses,
        current_rows.total_responses,
        previous_rows.total_nps as previous_total_nps,
        current_rows.total_nps

    from current_rows
    full outer join previous_rows
        on current_rows.programme = previous_rows.programme
        and current_rows.period_grain = previous_rows.period_grain
        and current_rows.dimension = previous_rows.dimension
        and current_rows.dimension_value = previous_rows.dimension_value
        and current_rows.previous_period_start = previous_rows.period_start

),

-- both periods' totals on every row of the breakdown (a value missing on one side has none)
totals_filled as (

    select
        programme,
        period_grain,
        period_start,
        previous_period_start,
        dimension_kind,
        dimension,
        dimension_value,
        previous_responses,
        responses,
        previous_nps,
        nps,
        max(previous_total_responses) over breakdown as previous_total_responses,
        max(total_responses) over breakdown as total_responses,
        max(previous_total_nps) over breakdown as previous_total_nps,
        max(total_nps) over breakdown as total_nps

    from paired
    window breakdown as (partition by programme, period_grain, period_start, dimension)

),

shares as (

    select
        *,
        1e0 * previous_responses / previous_total_responses as previous_share,
        1e0 * responses / total_responses as share,
        coalesce(previous_nps, nps) as previous_nps_or_current,
        coalesce(nps, previous_nps) as nps_or_previous

    from totals_filled
    -- a decomposition needs responses in the breakdown in both periods
    where previous_total_responses > 0 and total_responses > 0

),

final as (

    select
        programme,
        period_grain,
        period_start,
        previous_period_start,
        dimension_kind,
        dimension,
        dimension_value,
        cast(previous_responses as bigint) as previous_responses,
        cast(responses as bigint) as responses,
        cast(previous_share as double) as previous_share,
        cast(share as double) as share,
        cast(previous_nps as double) as previous_nps,
        cast(nps as double) as nps,
        -- (+ 0.0 turns a negative zero into zero)
        cast((share - previous_share) * (previous_nps_or_current + nps_or_previous) / 2 + 0e0 as double)
            as mix_effect,
        cast((previous_share + share) / 2 * (nps_or_previous - previous_nps_or_current) + 0e0 as double)
            as performance_effect,
        cast(previous_total_nps as double) as previous_total_nps,
        cast(total_nps as double) as total_nps,
        cast(total_nps - previous_total_nps as double) as total_nps_change

    from shares

)

select * from final
