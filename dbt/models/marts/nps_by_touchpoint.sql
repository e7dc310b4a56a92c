-- NPS per programme, period and touchpoint of the journey: one row per touchpoint
-- (survey_id 'all': every survey asked there) and one per survey, with its catalogue name
-- (macros/nps.sql: nps_mart_columns). Surveys without a touchpoint (relationship,
-- employee, unclassified) are at touchpoint 'none'.
with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind in ('touchpoint', 'survey')

),

surveys as (

    select * from {{ ref('surveys') }}

),

final as (

    select
        metrics.programme,
        metrics.period_grain,
        metrics.period_start,
        metrics.period_end,
        metrics.dimension as touchpoint,
        metrics.dimension_value as survey_id,
        case when metrics.dimension_kind = 'touchpoint' then 'all surveys' else surveys.survey_name end
            as survey_name,
        {{ nps_mart_columns('metrics') }}

    from metrics
    left join surveys
        on metrics.dimension_kind = 'survey'
        and metrics.dimension_value = surveys.survey_id

)

select * from final
