with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}
    where dimension_kind = 'channel'

),

final as (

    select
        period_grain,
        period_start,
        dimension_value as channel,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_metrics() }}

    from counts

)

select * from final
