-- How much of an NPS change comes from each theme (theme_impact over time), per customer
-- programme, consecutive months and quarters. With s the share of responses mentioning
-- the theme, NPS_m / NPS_n the NPS of those mentioning / not mentioning it, and bars the
-- mean of the two periods, NPS = s · NPS_m + (1 - s) · NPS_n changes exactly by
--   frequency effect   Δs · (NPS̄_m - NPS̄_n)   (the theme is mentioned more or less often)
--   sentiment effect   s̄ · ΔNPS_m              (those mentioning it score higher or lower)
--   other effect       (1 - s̄) · ΔNPS_n        (everyone else moved)
-- which add up to the period's NPS change for every theme. A theme not mentioned in one
-- period has s = 0 there and takes the other period's NPS_m, so its sentiment effect is
-- 0. docs/nps.md#why-it-moved.
with

themes as (

    select * from {{ ref('theme_impact') }}
    where period_grain in ('month', 'quarter')
        and programme in ('relationship', 'transactional')

),

overall as (

    select
        programme,
        period_grain,
        period_start,
        responses,
        100e0 * (promoters - detractors) / responses as nps

    from {{ ref('int_nps_counts_by_period') }}
    where period_grain in ('month', 'quarter')
        and programme in ('relationship', 'transactional')
        and dimension_kind = 'overall'

),

period_pairs as (

    select
        overall.programme,
        overall.period_grain,
        overall.period_start,
        previous.period_start as previous_period_start,
        previous.nps as previous_nps,
        overall.nps

    from overall
    inner join overall as previous
        on overall.programme = previous.programme
        and overall.period_grain = previous.period_grain
        and {{ period_shift('overall.period_grain', 'overall.period_start', -1) }} = previous.period_start

),

theme_names as (

    select distinct
        programme,
        theme
    from themes

),

paired as (

    select
        period_pairs.*,
        theme_names.theme,
        previous_theme.share_mentioning as previous_share_mentioning_or_null,
        current_theme.share_mentioning as share_mentioning_or_null,
        previous_theme.nps_mentioning as previous_nps_mentioning,
        current_theme.nps_mentioning,
        previous_theme.nps_not_mentioning as previous_nps_not_mentioning_or_null,
        current_theme.nps_not_mentioning as nps_not_mentioning_or_null

    from period_pairs
    inner join theme_names
        on period_pairs.programme = theme_names.programme
    left join themes as previous_theme
        on period_pairs.programme = previous_theme.programme
        and period_pairs.period_grain = previous_theme.period_grain
        and period_pairs.previous_period_start = previous_theme.period_start
        and theme_names.theme = previous_theme.theme
    left join themes as current_theme
        on period_pairs.programme = current_theme.programme
        and period_pairs.period_grain = current_theme.period_grain
        and period_pairs.period_start = current_theme.period_start
        and theme_names.theme = current_theme.theme
    -- a theme mentioned in neither period explains nothing
    where previous_theme.theme is not null or current_theme.theme is not null

),

filled as (

    select
        *,
        coalesce(previous_share_mentioning_or_null, 0) as previous_share,
        coalesce(share_mentioning_or_null, 0) as share,
        coalesce(previous_nps_mentioning, nps_mentioning) as previous_nps_m,
        coalesce(nps_mentioning, previous_nps_mentioning) as nps_m,
        -- not mentioning: the whole period when the theme is absent; the other period's
        -- when everyone mentions it (then its weight 1 - s̄ is 0 anyway)
        coalesce(
            previous_nps_not_mentioning_or_null,
            case when previous_share_mentioning_or_null is null then previous_nps end,
            nps_not_mentioning_or_null
        ) as previous_nps_n,
        coalesce(
            nps_not_mentioning_or_null,
            case when share_mentioning_or_null is null then nps end,
            previous_nps_not_mentioning_or_null
        ) as nps_n

    from paired

),

final as (

    select
        programme,
        period_grain,
        period_start,
        previous_period_start,
        theme,
        cast(previous_share as double) as previous_share_mentioning,
        cast(share as double) as share_mentioning,
        cast(previous_nps_mentioning as double) as previous_nps_mentioning,
        cast(nps_mentioning as double) as nps_mentioning,
        -- (+ 0.0 turns a negative zero into zero)
        cast(
            (share - previous_share) * ((previous_nps_m + nps_m) / 2 - (previous_nps_n + nps_n) / 2)
            + 0e0 as double
        )
            as frequency_effect,
        cast((previous_share + share) / 2 * (nps_m - previous_nps_m) + 0e0 as double) as sentiment_effect,
        cast((1 - (previous_share + share) / 2) * (nps_n - previous_nps_n) + 0e0 as double) as other_effect,
        cast(previous_nps as double) as previous_nps,
        cast(nps as double) as nps,
        cast(nps - previous_nps as double) as nps_change

    from filled

)

select * from final
