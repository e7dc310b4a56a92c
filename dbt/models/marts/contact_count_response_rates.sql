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

-- each invitation's number among its respondent's invitations of the 90 days up to and
-- including it: a window over the respondent's send times in microseconds, from just
-- after 90 days before (an invitation exactly 90 days older is out) to the invitation and
-- any sent at the same instant (one pass; a self-join of the year took 4x as long)
counted as (

    select
        invitation_id,
        sent_at,
        is_answered,
        -- five or more are one group
        least(
            count(invitation_id) over (
                partition by respondent_key
                order by {{ epoch_microseconds('sent_at') }}
                range between {{ 90 * 86400 * 1000000 - 1 }} preceding and current row
            ),
            5
        ) as contacts_in_90_days

    from invitations

),

counted_in_year as (

    select * from counted
    where sent_at > {{ timestamp_shift('month', -12, as_of) }}

),

final as (

    select
        cast(contacts_in_90_days as integer) as contacts_in_90_days,
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses,
        cast(1e0 * count(case when is_answered then 1 end) / count(*) as double) as response_rate

    from counted_in_year
    group by contacts_in_90_days

)

select * from final
