with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind = 'channel'

),

final as (

    select
        survey_type,
        period_grain,
        period_start,
        period_end,
        dimension_value as channel,
        {{ nps_mart_columns() }}

    from metrics

)

select * from final
