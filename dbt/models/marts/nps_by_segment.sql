with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind = 'segment'

),

final as (

    select
        survey_type,
        period_grain,
        period_start,
        period_end,
        dimension as segment_type,
        dimension_value as segment_value,
        {{ nps_mart_columns() }}

    from metrics

)

select * from final
