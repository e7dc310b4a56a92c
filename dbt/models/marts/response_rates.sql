-- Response rate on the invitation cohort: of the invitations sent in a period, the share
-- answered by a valid response (whenever it came), with the survey tool's funnel
-- (delivered -> opened -> started -> completed) where the source reports it, the
-- non-respondents, and the response-rate target. Anonymous responses are not here.
with

daily as (

    select * from {{ ref('int_invitation_counts_daily') }}

),

by_period as (

    {{ sum_by_period(
        'daily', 'sent_date',
        ['dimension_kind', 'dimension', 'dimension_value'],
        ['invitations', 'responses', 'tracked_delivered', 'delivered', 'tracked_opened', 'opened',
         'tracked_started', 'started', 'tracked_completed', 'completed']
    ) }}

),

final as (

    select
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        invitations,
        responses,
        invitations - responses as non_respondents,
        cast(1e0 * responses / invitations as double) as response_rate,
        cast({{ var('response_rate_target') }} as double) as response_rate_target,
        1e0 * responses / invitations >= {{ var('response_rate_target') }} as is_response_rate_target_met,
        case when tracked_delivered > 0 then delivered end as delivered,
        case when tracked_opened > 0 then opened end as opened,
        case when tracked_started > 0 then started end as started,
        case when tracked_completed > 0 then completed end as completed,
        cast(case when tracked_delivered > 0 then 1e0 * delivered / tracked_delivered end as double)
            as delivery_rate,
        cast(case when tracked_opened > 0 and delivered > 0 then 1e0 * opened / delivered end as double)
            as open_rate,
        cast(case when tracked_started > 0 and opened > 0 then 1e0 * started / opened end as double)
            as start_rate,
        cast(case when tracked_completed > 0 and started > 0 then 1e0 * completed / started end as double)
            as completion_rate

    from by_period

)

select * from final
