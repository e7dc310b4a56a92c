-- What each theme does to the NPS: per period and programme, the NPS of responses that
-- mention the theme (in their reason or improvement), the NPS of those that do not, and
-- impact = overall NPS - NPS of responses not mentioning it (the points the theme costs,
-- when negative, or earns).
with

overall_daily as (

    select * from {{ ref('int_nps_counts_daily') }}
    where dimension_kind = 'overall'

),

theme_daily as (

    select
        response_date,
        programme,
        theme,
        sum(responses) as responses,
        sum(promoters) as promoters,
        sum(passives) as passives,
        sum(detractors) as detractors

    from {{ ref('int_theme_counts_daily') }}
    group by response_date, programme, theme

),

theme_by_period as (

    {{ sum_by_period(
        'theme_daily', 'response_date', ['programme', 'theme'],
        ['responses', 'promoters', 'passives', 'detractors']
    ) }}

),

overall_by_period as (

    {{ sum_by_period(
        'overall_daily', 'response_date', ['programme'],
        ['responses', 'promoters', 'passives', 'detractors']
    ) }}

),

compared as (

    select
        theme_by_period.programme,
        theme_by_period.period_grain,
        theme_by_period.period_start,
        theme_by_period.theme,
        overall.responses,
        theme_by_period.responses as responses_mentioning,
        overall.responses - theme_by_period.responses as responses_not_mentioning,
        100e0 * (overall.promoters - overall.detractors) / overall.responses as overall_nps,
        100e0 * (theme_by_period.promoters - theme_by_period.detractors) / theme_by_period.responses
            as nps_mentioning,
        100e0
        * (
            (overall.promoters - theme_by_period.promoters)
            - (overall.detractors - theme_by_period.detractors)
        )
        / nullif(overall.responses - theme_by_period.responses, 0) as nps_not_mentioning,
        {{ is_anonymity_suppressed('theme_by_period.programme', 'theme_by_period.responses') }}
            as is_suppressed

    from theme_by_period
    inner join overall_by_period as overall
        on theme_by_period.programme = overall.programme
        and theme_by_period.period_grain = overall.period_grain
        and theme_by_period.period_start = overall.period_start

),

final as (

    select
        programme,
        period_grain,
        period_start,
        theme,
        responses,
        responses_mentioning,
        responses_not_mentioning,
        cast(1e0 * responses_mentioning / responses as double) as share_mentioning,
        cast(overall_nps as double) as overall_nps,
        {{ unless_suppressed('cast(nps_mentioning as double)') }} as nps_mentioning,
        {{ unless_suppressed('cast(nps_not_mentioning as double)') }} as nps_not_mentioning,
        {{ unless_suppressed('cast(overall_nps - nps_not_mentioning as double)') }} as impact,
        is_suppressed

    from compared

)

select * from final
