-- B2B portfolio NPS per quarter / year by the three methods: over all account responses;
-- % promoter accounts - % detractor accounts by average score; the same by decision-maker.
with

accounts as (

    select * from {{ ref('nps_by_account') }}

),

final as (

    select
        programme,
        period_grain,
        period_start,
        count(*) as accounts,
        cast(sum(responses) as bigint) as responses,
        cast(100e0 * (sum(promoters) - sum(detractors)) / sum(responses) as double) as nps_all_responses,
        cast(
            100e0 * (
                count(case when account_category_by_average = 'promoter' then 1 end)
                - count(case when account_category_by_average = 'detractor' then 1 end)
            )
            / count(*)
            as double
        ) as nps_by_account_average,
        count(decision_maker_score) as accounts_with_decision_maker,
        cast(
            100e0 * (
                count(case when account_category_by_decision_maker = 'promoter' then 1 end)
                - count(case when account_category_by_decision_maker = 'detractor' then 1 end)
            )
            / nullif(count(decision_maker_score), 0)
            as double
        ) as nps_by_decision_maker

    from accounts
    group by 1, 2, 3

)

select * from final
