-- How much more often detractors leave than promoters: the relative risk of churn within
-- each horizon after the answer (detractors' churn rate / promoters'), per programme and
-- answer cohort, with its 95% interval (log method) and the p-value of the difference
-- (two-proportion z-test, pooled). NULL where a side has no customers or no one churned
-- (the ratio or its interval is then not finite).
{%- set z = nps_z_95() %}

with

outcomes as (

    select * from {{ ref('nps_outcomes') }}
    where nps_category in ('detractor', 'promoter')

),

sides as (

    select
        programme,
        period_grain,
        period_start,
        horizon_days,
        cast(sum(case when nps_category = 'detractor' then customers else 0 end) as bigint) as detractors,
        cast(sum(case when nps_category = 'detractor' then churned else 0 end) as bigint)
            as detractors_churned,
        cast(sum(case when nps_category = 'promoter' then customers else 0 end) as bigint) as promoters,
        cast(sum(case when nps_category = 'promoter' then churned else 0 end) as bigint) as promoters_churned,
        min(case when is_horizon_complete then 1 else 0 end) = 1 as is_horizon_complete
    from outcomes
    group by programme, period_grain, period_start, horizon_days

),

rates as (

    select
        *,
        case when detractors > 0 then 1e0 * detractors_churned / detractors end as detractor_churn_rate,
        case when promoters > 0 then 1e0 * promoters_churned / promoters end as promoter_churn_rate,
        case
            when detractors_churned > 0 and promoters_churned > 0
                then sqrt(
                        1e0 / detractors_churned - 1e0 / detractors
                        + 1e0 / promoters_churned - 1e0 / promoters
                    )
        end as log_rr_standard_error,
        case
            when detractors > 0 and promoters > 0
                then 1e0 * (detractors_churned + promoters_churned) / (detractors + promoters)
        end as pooled_churn_rate
    from sides

),

final as (

    select
        programme,
        period_grain,
        period_start,
        horizon_days,
        detractors,
        detractors_churned,
        detractor_churn_rate,
        promoters,
        promoters_churned,
        promoter_churn_rate,
        case
            when promoters_churned > 0 and detractors > 0 then detractor_churn_rate / promoter_churn_rate
        end as relative_risk,
        case
            when log_rr_standard_error is not null
                then exp(ln(detractor_churn_rate / promoter_churn_rate) - {{ z }} * log_rr_standard_error)
        end as relative_risk_ci_low,
        case
            when log_rr_standard_error is not null
                then exp(ln(detractor_churn_rate / promoter_churn_rate) + {{ z }} * log_rr_standard_error)
        end as relative_risk_ci_high,
        case
            when pooled_churn_rate > 0 and pooled_churn_rate < 1
                then {{ two_sided_p_value(
                    '(detractor_churn_rate - promoter_churn_rate) / sqrt(pooled_churn_rate * (1e0 - pooled_churn_rate)'
                    ~ ' * (1e0 / detractors + 1e0 / promoters))'
                ) }}
        end as p_value,
        least(detractors, promoters) < {{ var('nps_min_sample') }} as is_low_sample,
        is_horizon_complete
    from rates

)

select * from final
