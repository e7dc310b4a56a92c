-- invitations_daily and response_rates count the same invitation cohort: per send day,
-- overall and per channel, the cells sum to the response_rates day rows. A check on
-- invitations_daily in Dagster (meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'invitations_daily'}}}) }}
with

cells as (

    select 'overall' as dimension, 'all' as dimension_value, sent_date, invitations, responses
    from {{ ref('invitations_daily') }}
    union all
    select 'channel', channel, sent_date, invitations, responses
    from {{ ref('invitations_daily') }}

),

summed as (

    select dimension, dimension_value, sent_date, sum(invitations) as invitations, sum(responses) as responses
    from cells
    group by dimension, dimension_value, sent_date

),

rates as (

    select dimension, dimension_value, period_start as sent_date, invitations, responses
    from {{ ref('response_rates') }}
    where period_grain = 'day' and dimension in ('overall', 'channel')

)

select
    coalesce(summed.dimension, rates.dimension) as dimension,
    coalesce(summed.dimension_value, rates.dimension_value) as dimension_value,
    coalesce(summed.sent_date, rates.sent_date) as sent_date,
    summed.invitations as cell_invitations,
    rates.invitations as rate_invitations,
    summed.responses as cell_responses,
    rates.responses as rate_responses

from summed
full outer join rates
    on summed.dimension = rates.dimension
    and summed.dimension_value = rates.dimension_value
    and summed.sent_date = rates.sent_date
where summed.invitations is distinct from rates.invitations
    or summed.responses is distinct from rates.responses
