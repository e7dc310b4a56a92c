-- B2B: NPS per company account and quarter / year, by three methods:
-- every response counts (nps); the average score of the account's respondents
-- (average_score -> account_category_by_average); the decision-maker's answer (the latest
-- response of a respondent whose role is a decision-maker role).
with

per_file as (

    select * from {{ ref('int_account_counts') }}

),

decision_makers as (

    select
        programme,
        period_grain,
        period_start,
        account_id,
        decision_maker_score as score,
        row_number() over (
            partition by programme, period_grain, period_start, account_id
            order by decision_maker_responded_at desc, decision_maker_response_id desc
        ) as recency

    from per_file
    where decision_maker_response_id is not null

),

per_account as (

    select
        programme,
        period_grain,
        period_start,
        account_id,
        cast(sum(responses) as bigint) as responses,
        cast(sum(promoters) as bigint) as promoters,
        cast(sum(passives) as bigint) as passives,
        cast(sum(detractors) as bigint) as detractors,
        cast(sum(score_total) as double) / sum(responses) as average_score,
        cast(sum(decision_maker_responses) as bigint) as decision_maker_responses

    from per_file
    group by 1, 2, 3, 4

),

final as (

    select
        per_account.programme,
        per_account.period_grain,
        per_account.period_start,
        per_account.account_id,
        per_account.responses,
        per_account.promoters,
        per_account.passives,
        per_account.detractors,
        cast(100e0 * (per_account.promoters - per_account.detractors) / per_account.responses as double)
            as nps,
        cast(per_account.average_score as double) as average_score,
        {{ nps_category('per_account.average_score') }} as account_category_by_average,
        per_account.decision_maker_responses,
        cast(decision_makers.score as integer) as decision_maker_score,
        {{ nps_category('decision_makers.score') }} as account_category_by_decision_maker

    from per_account
    left join decision_makers
        on per_account.programme = decision_makers.programme
        and per_account.period_grain = decision_makers.period_grain
        and per_account.period_start = decision_makers.period_start
        and per_account.account_id = decision_makers.account_id
        and decision_makers.recency = 1

)

select * from final
