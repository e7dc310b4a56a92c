with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind = 'overall'

),

final as (

    select
        survey_type,
        period_grain,
        period_start,
        period_end,
        {{ nps_mart_columns() }}

    from metrics

)

select * from final
