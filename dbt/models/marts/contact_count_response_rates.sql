-- Survey fatigue (docs/nps.md#survey-fatigue): does asking more often lower the answer
-- rate? Every customer invitation with a respondent, sent in the 12 months up to as_of
-- (var `contact_rules_as_of`, by default the start of today in the reporting time zone),
-- counted by how many times that respondent had been
-- invited in the 90 days up to and including it (1 = the first time in 90 days); per
-- count, the invitations and the share answered. Counts above 5 are grouped as 5.
{%- set as_of = as_of_timestamp('contact_rules_as_of', start_of_today=true) %}

with

invitations as (

    select * from {{ ref('int_customer_contacts') }}
    -- and the 90 days before the first invitation counted
    where sent_at > {{ timestamp_shift('day', -90, timestamp_shift('month', -12, as_of)) }}
        and sent_at <= {{ as_of }}

),

counted as (

    select
        keyed.invitation_id,
        keyed.sent_at,
        keyed.is_answered,
        -- five or more are one group
        least(count(earlier.invitation_id), 5) as contacts_in_90_days

    from invitations as keyed
    inner join invitations as earlier
        on keyed.respondent_key = earlier.respondent_key
        and earlier.sent_at > {{ timestamp_shift('day', -90, 'keyed.sent_at') }}
        and keyed.sent_at >= earlier.sent_at
    where keyed.sent_at > {{ timestamp_shift('month', -12, as_of) }}
    group by keyed.invitation_id, keyed.sent_at, keyed.is_answered

),

final as (

    select
        cast(contacts_in_90_days as integer) as contacts_in_90_days,
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses,
        cast(1e0 * count(case when is_answered then 1 end) / count(*) as double) as response_rate

    from counted
    group by contacts_in_90_days

)

select * from final
