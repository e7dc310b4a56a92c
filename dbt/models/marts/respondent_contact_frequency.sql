-- Survey fatigue (docs/nps.md#survey-fatigue): per pseudonymised customer respondent with
-- an invitation or an answer in the 90 days up to as_of (var `contact_rules_as_of`, by
-- default the start of today in the reporting time zone): how often they were asked and
-- answered in those 90 days, and whether they are on the do-not-survey list - invited
-- more than `contact_cap` times, or answered within the last `quiet_period_days`. A window
-- of 90 days holds what was sent after as_of - 90 days, up to as_of: an invitation exactly
-- 90 days old is out. Employee surveys are not here.
{%- set as_of = as_of_timestamp('contact_rules_as_of', start_of_today=true) %}

with

invitations as (

    select * from {{ ref('int_customer_contacts') }}
    where sent_at > {{ timestamp_shift('day', -90, as_of) }}
        and sent_at <= {{ as_of }}

),

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where respondent_key is not null
        and survey_type = 'customer'
        and programme <> 'employee'
        and responded_at > {{ timestamp_shift('day', -90, as_of) }}
        and responded_at <= {{ as_of }}

),

invited as (

    select
        respondent_key,
        count(*) as invitations_90_days,
        max(sent_at) as last_invited_at

    from invitations
    group by respondent_key

),

answered as (

    select
        respondent_key,
        count(*) as responses_90_days,
        max(responded_at) as last_responded_at

    from responses
    group by respondent_key

),

judged as (

    select
        coalesce(invited.respondent_key, answered.respondent_key) as respondent_key,
        coalesce(invited.invitations_90_days, 0) as invitations_90_days,
        coalesce(answered.responses_90_days, 0) as responses_90_days,
        invited.last_invited_at,
        answered.last_responded_at,
        coalesce(invited.invitations_90_days, 0) > {{ var('contact_cap') }} as is_over_contact_cap,
        coalesce(
            answered.last_responded_at
            > {{ timestamp_shift('day', -1 * var('quiet_period_days'), as_of) }},
            false
        ) as is_in_quiet_period

    from invited
    full outer join answered
        on invited.respondent_key = answered.respondent_key

),

final as (

    select
        respondent_key,
        cast(invitations_90_days as bigint) as invitations_90_days,
        cast(responses_90_days as bigint) as responses_90_days,
        last_invited_at,
        last_responded_at,
        is_over_contact_cap,
        is_in_quiet_period,
        is_over_contact_cap or is_in_quiet_period as do_not_survey,
        case
            when is_over_contact_cap and is_in_quiet_period then 'over contact cap; answered recently'
            when is_over_contact_cap then 'over contact cap'
            when is_in_quiet_period then 'answered recently'
        end as do_not_survey_reason,
        cast({{ as_of }} as {{ type_timestamp_tz() }}) as as_of

    from judged

)

select * from final
