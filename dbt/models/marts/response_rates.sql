-- Response rate on the invitation cohort: of the invitations sent in a period, the share
-- answered by a valid response (whenever it came). Anonymous responses are not here.
with

daily as (

    select * from {{ ref('int_invitation_counts_daily') }}

),

by_period as (

    {{ sum_by_period(
        'daily', 'sent_date',
        ['dimension_kind', 'dimension', 'dimension_value'],
        ['invitations', 'responses']
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
        cast(1.0 * responses / invitations as double) as response_rate

    from by_period

)

select * from final
