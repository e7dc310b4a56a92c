-- Segments and channels whose NPS fell significantly against the previous period, or fell
-- three periods in a row. One row per segment/channel and period that raises an alert.
with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind in ('segment', 'channel') and not is_suppressed

),

with_history as (

    select
        current_period.*,
        previous_period.nps_change as previous_nps_change,
        before_previous.nps_change as before_previous_nps_change

    from metrics as current_period
    left join metrics as previous_period
        on {{ same_breakdown('current_period', 'previous_period') }}
        and current_period.previous_period_start = previous_period.period_start
    left join metrics as before_previous
        on {{ same_breakdown('previous_period', 'before_previous') }}
        and previous_period.previous_period_start = before_previous.period_start

),

flagged as (

    select
        *,
        coalesce(is_change_significant and nps_change < 0, false) as is_significant_drop,
        coalesce(nps_change < 0 and previous_nps_change < 0 and before_previous_nps_change < 0, false)
            as is_three_period_decline

    from with_history

),

final as (

    select
        programme,
        period_grain,
        period_start,
        period_end,
        dimension_kind,
        dimension,
        dimension_value,
        case
            when
                is_significant_drop and is_three_period_decline
                then 'significant drop, third decline in a row'
            when is_significant_drop then 'significant drop'
            else 'third decline in a row'
        end as alert,
        is_significant_drop,
        is_three_period_decline,
        responses,
        nps,
        previous_period_nps,
        nps_change,
        nps_change_p_value,
        nps_margin_of_error,
        is_low_sample,
        is_period_complete

    from flagged
    where is_significant_drop or is_three_period_decline

)

select * from final
