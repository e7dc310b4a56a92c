-- eNPS for HR: one row per employee programme, period (month, quarter, year) and group
-- (overall, channel, touchpoint, survey, each segment value seen in the programme), every
-- period the programme has answers in. A suppressed group shows no number at all, not even
-- its count: only that it is suppressed (int_employee_disclosure says which and why).
{%- set score_columns = [] -%}
{%- for score in range(11) %}{% do score_columns.append('score_' ~ score) %}{% endfor %}
with

cells as (

    select * from {{ ref('int_employee_cells') }}

),

verdicts as (

    select * from {{ ref('int_employee_disclosure') }}

),

-- every period and every group value of the programme, answered or not: a group that had
-- no answer in a period looks like any other hidden group
periods as (

    select distinct
        programme,
        period_grain,
        period_start
    from cells

),

groups as (

    select distinct
        programme,
        period_grain,
        dimension_kind,
        dimension,
        dimension_value
    from cells

),

frame as (

    select
        periods.programme,
        periods.period_grain,
        periods.period_start,
        groups.dimension_kind,
        groups.dimension,
        groups.dimension_value

    from periods
    inner join groups
        on periods.programme = groups.programme
        and periods.period_grain = groups.period_grain

),

shown as (

    select
        frame.*,
        coalesce(verdicts.is_suppressed, true) as is_suppressed,
        {%- for column in ['responses', 'promoters', 'passives', 'detractors'] + score_columns %}
        {{ unless_suppressed('cells.' ~ column, 'coalesce(verdicts.is_suppressed, true)') }} as {{ column }},
        {%- endfor %}
        {{ period_shift('frame.period_grain', 'frame.period_start', -1) }} as previous_period_start,
        {{ period_shift('frame.period_grain', 'frame.period_start', 1) }} as next_period_start

    from frame
    left join cells
        on frame.programme = cells.programme
        and frame.period_grain = cells.period_grain
        and frame.period_start = cells.period_start
        and frame.dimension_kind = cells.dimension_kind
        and frame.dimension = cells.dimension
        and frame.dimension_value = cells.dimension_value
    left join verdicts
        on cells.cell_id = verdicts.cell_id

),

final as (

    select
        shown.programme,
        shown.period_grain,
        shown.period_start,
        {{ date_shift('day', -1, 'shown.next_period_start') }} as period_end,
        shown.dimension_kind,
        shown.dimension,
        shown.dimension_value,
        shown.is_suppressed,
        shown.responses,
        shown.promoters,
        shown.passives,
        shown.detractors,
        cast(100e0 * shown.promoters / shown.responses as double) as pct_promoters,
        cast(100e0 * shown.passives / shown.responses as double) as pct_passives,
        cast(100e0 * shown.detractors / shown.responses as double) as pct_detractors,
        cast(100e0 * (shown.promoters - shown.detractors) / shown.responses as double) as enps,
        cast({{ nps_margin_of_error('shown.promoters', 'shown.detractors', 'shown.responses') }} as double)
            as enps_margin_of_error,
        -- the interval is clipped to [-100, 100]: without counts it would still read -100..100
        {{ unless_suppressed(
            'cast(' ~ nps_ci_low('shown.promoters', 'shown.detractors', 'shown.responses') ~ ' as double)',
            'shown.is_suppressed'
        ) }} as enps_ci_low,
        {{ unless_suppressed(
            'cast(' ~ nps_ci_high('shown.promoters', 'shown.detractors', 'shown.responses') ~ ' as double)',
            'shown.is_suppressed'
        ) }} as enps_ci_high,
        {%- for column in score_columns %}
        shown.{{ column }},
        {%- endfor %}
        shown.responses < {{ var('nps_min_sample') }} as is_low_sample,
        -- the change from the previous period, only where both are shown
        cast(100e0 * (previous.promoters - previous.detractors) / previous.responses as double)
            as previous_period_enps,
        cast(
            100e0 * (shown.promoters - shown.detractors) / shown.responses
            - 100e0 * (previous.promoters - previous.detractors) / previous.responses as double
        ) as enps_change,
        shown.next_period_start <= {{ local_today() }} as is_period_complete

    from shown
    left join shown as previous
        on shown.programme = previous.programme
        and shown.period_grain = previous.period_grain
        and shown.previous_period_start = previous.period_start
        and shown.dimension_kind = previous.dimension_kind
        and shown.dimension = previous.dimension
        and shown.dimension_value = previous.dimension_value
        and not shown.is_suppressed

)

select * from final
