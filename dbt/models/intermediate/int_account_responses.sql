-- B2B responses: valid responses that carry an account id, with quarter and year periods.
with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where account_id is not null

),

by_period as (

    select
        responses.*,
        grains.period_grain,
        {{ period_start('grains.period_grain', 'responses.response_date') }} as period_start

    from responses
    cross join (select 'quarter' as period_grain union all select 'year' as period_grain) as grains

)

select * from by_period
