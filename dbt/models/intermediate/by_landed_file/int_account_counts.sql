-- B2B: per landed file, programme, quarter / year and company account - the response
-- counts, the sum of scores, and the file's latest answer of a decision-maker. Per file,
-- so that it is incremental by landed file (macros/incremental.sql): nps_by_account sums
-- over files and takes the latest decision-maker of all files.
with

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where account_id is not null
        and {{ only_changed_files() }}

),

grains as (

    select 'quarter' as period_grain
    union all
    select 'year' as period_grain

),

by_period as (

    select
        responses.*,
        grains.period_grain,
        {{ period_start('grains.period_grain', 'responses.response_date') }} as period_start

    from responses
    cross join grains

),

decision_makers as (

    select
        source_file_id,
        programme,
        period_grain,
        period_start,
        account_id,
        score,
        responded_at,
        response_id,
        row_number() over (
            partition by source_file_id, programme, period_grain, period_start, account_id
            order by responded_at desc, response_id desc
        ) as recency

    from by_period
    where is_decision_maker

),

per_account as (

    select
        source_file_id,
        programme,
        period_grain,
        period_start,
        account_id,
        {{ nps_counts() }},
        sum(score) as score_total,
        count(case when is_decision_maker then 1 end) as decision_maker_responses

    from by_period
    group by 1, 2, 3, 4, 5

),

final as (

    select
        per_account.*,
        decision_makers.score as decision_maker_score,
        decision_makers.responded_at as decision_maker_responded_at,
        decision_makers.response_id as decision_maker_response_id

    from per_account
    left join decision_makers
        on per_account.source_file_id = decision_makers.source_file_id
        and per_account.programme = decision_makers.programme
        and per_account.period_grain = decision_makers.period_grain
        and per_account.period_start = decision_makers.period_start
        and per_account.account_id = decision_makers.account_id
        and decision_makers.recency = 1

)

select * from final
