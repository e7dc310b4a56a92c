with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}
    where dimension_kind = 'segment'

),

final as (

    select
        period_grain,
        period_start,
        dimension as segment_type,
        dimension_value as segment_value,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_metrics() }}

    from counts

)

select * from final
