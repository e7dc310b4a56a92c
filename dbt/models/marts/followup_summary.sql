-- Closing the loop, summed per period (of the detractor's response) and breakdown
-- (overall, channel, each segment): how many detractors were contacted within the SLA,
-- resolved, left overdue, and how many came back with a higher score; with alerts
-- (config/alerts.yml), how many were alerted and the hours from the first alert sent to
-- the first contact.
-- The detractors' counts are summed from their files' counts (int_followup_counts_daily,
-- counted again only for the files a build changes); the alerts, which change without a
-- file, are counted here from the outbox on every build.
with

-- the detractors' counts per day and breakdown, over their files
detractor_days as (

    select
        response_date,
        dimension_kind,
        dimension,
        dimension_value,
        sum(detractors) as detractors,
        sum(with_case) as with_case,
        sum(contacted) as contacted,
        sum(contacted_within_sla) as contacted_within_sla,
        sum(resolved) as resolved,
        sum(overdue) as overdue,
        sum(still_open) as still_open,
        sum(with_next_response) as with_next_response,
        sum(recovered) as recovered,
        cast(sum(hours_to_contact_total) as double) as hours_to_contact_total

    from {{ ref('int_followup_counts_daily') }}
    group by response_date, dimension_kind, dimension, dimension_value

),

first_alerts as (

    select
        response_id,
        min(sent_at) as alert_sent_at

    from {{ ref('stg_inbox__alert_outbox') }}
    where alert_status = 'sent'
    group by response_id

),

-- the detractors with an alert sent
alerted as (

    select
        followups.response_id,
        followups.response_date,
        followups.channel,
        followups.source_file_id,
        followups.source_row_number,
        first_alerts.alert_sent_at,
        {{ seconds_between('first_alerts.alert_sent_at', 'followups.contacted_at') }}
        / 3600e0 as hours_from_alert_to_contact

    from {{ ref('int_detractor_followups') }} as followups
    inner join first_alerts
        on followups.response_id = first_alerts.response_id

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}

),

alerted_by_dimension as (

    {{ unpivot_dimensions('alerted', 'segments', [
        'response_id', 'response_date', 'alert_sent_at', 'hours_from_alert_to_contact',
    ]) }}

),

alert_days as (

    select
        response_date,
        dimension_kind,
        dimension,
        dimension_value,
        count(alert_sent_at) as alerted,
        count(hours_from_alert_to_contact) as contacted_after_alert,
        {{ exact_sum('hours_from_alert_to_contact') }} as hours_from_alert_total

    from alerted_by_dimension
    group by response_date, dimension_kind, dimension, dimension_value

),

daily as (

    select
        detractor_days.*,
        coalesce(alert_days.alerted, 0) as alerted,
        coalesce(alert_days.contacted_after_alert, 0) as contacted_after_alert,
        alert_days.hours_from_alert_total

    from detractor_days
    left join alert_days
        on detractor_days.response_date = alert_days.response_date
        and detractor_days.dimension_kind = alert_days.dimension_kind
        and detractor_days.dimension = alert_days.dimension
        and detractor_days.dimension_value is not distinct from alert_days.dimension_value

),

by_period as (

    {{ sum_by_period(
        'daily', 'response_date',
        ['dimension_kind', 'dimension', 'dimension_value'],
        ['detractors', 'with_case', 'contacted', 'contacted_within_sla', 'resolved', 'overdue',
         'still_open', 'with_next_response', 'recovered', 'alerted', 'contacted_after_alert']
    ) }}

),

grains as (

    {{ period_grains_relation() }}

),

hours as (

    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'daily.response_date') }} as period_start,
        daily.dimension_kind,
        daily.dimension,
        daily.dimension_value,
        {{ exact_sum('daily.hours_to_contact_total') }} as hours_to_contact_total,
        {{ exact_sum('daily.hours_from_alert_total') }} as hours_from_alert_total

    from daily
    cross join grains
    group by grains.period_grain, period_start, daily.dimension_kind, daily.dimension, daily.dimension_value

),

final as (

    select
        by_period.period_grain,
        by_period.period_start,
        by_period.dimension_kind,
        by_period.dimension,
        by_period.dimension_value,
        by_period.detractors,
        by_period.with_case,
        by_period.contacted,
        by_period.contacted_within_sla,
        cast(1e0 * by_period.contacted_within_sla / by_period.detractors as double)
            as share_contacted_within_sla,
        by_period.resolved,
        by_period.overdue,
        by_period.still_open,
        cast(hours.hours_to_contact_total / nullif(by_period.contacted, 0) as double)
            as average_hours_to_contact,
        by_period.with_next_response,
        by_period.recovered,
        cast(1e0 * by_period.recovered / nullif(by_period.with_next_response, 0) as double)
            as recovery_rate,
        cast({{ var('followup_sla_hours') }} as integer) as sla_hours,
        by_period.alerted,
        cast(hours.hours_from_alert_total / nullif(by_period.contacted_after_alert, 0) as double)
            as average_hours_from_alert_to_contact

    from by_period
    inner join hours
        on by_period.period_grain = hours.period_grain
        and by_period.period_start = hours.period_start
        and by_period.dimension_kind = hours.dimension_kind
        and by_period.dimension = hours.dimension
        and by_period.dimension_value = hours.dimension_value

)

select * from final
