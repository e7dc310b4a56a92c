{#- The NPS category of a score on the 0-10 scale (docs/nps.md#scale-and-categories):
    promoter from 9, passive from 7, detractor below. The one dbt definition of the cut-offs
    (Python's is dagster_project/nps_scale.py; tests/unit/test_one_rule_one_place.py holds
    them together). It takes whole scores and averages (B2B accounts) alike; anything off
    the scale is NULL, so it can never be counted silently as a passive. -#}
{% macro nps_category(score_column) -%}
    case when {{ score_column }} between 0 and 10 then
        case
            when {{ score_column }} >= 9 then 'promoter'
            when {{ score_column }} >= 7 then 'passive'
            else 'detractor'
        end
    end
{%- endmacro %}

{#- Counting columns for an aggregate over responses with an `nps_category`. -#}
{% macro nps_counts(category_column='nps_category') -%}
    count(*) as responses,
    count(case when {{ category_column }} = 'promoter' then 1 end) as promoters,
    count(case when {{ category_column }} = 'passive' then 1 end) as passives,
    count(case when {{ category_column }} = 'detractor' then 1 end) as detractors
{%- endmacro %}

{#- One count column per score 0..10 (`score_0` .. `score_10`): the distribution. -#}
{% macro score_counts(score_column='score') -%}
    {%- for score in range(11) %}
    count(case when {{ score_column }} = {{ score }} then 1 end) as score_{{ score }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Shares (percent, 0-100) and NPS (-100..100) from the count columns. -#}
{% macro nps_metrics(responses='responses', promoters='promoters', passives='passives', detractors='detractors') -%}
    cast(100e0 * {{ promoters }} / {{ responses }} as double) as pct_promoters,
    cast(100e0 * {{ passives }} / {{ responses }} as double) as pct_passives,
    cast(100e0 * {{ detractors }} / {{ responses }} as double) as pct_detractors,
    cast(100e0 * ({{ promoters }} - {{ detractors }}) / {{ responses }} as double) as nps
{%- endmacro %}

{#- eNPS anonymity: an expression, or NULL on a suppressed row. -#}
{% macro unless_suppressed(expression, flag='is_suppressed') -%}
    case when not ({{ flag }}) then {{ expression }} end
{%- endmacro %}

{#- The columns every NPS mart shows for a row of int_nps_metrics_by_period (qualified by
    `relation` when given). -#}
{% macro nps_mart_columns(relation=none) -%}
    {%- set columns = [
        'responses', 'promoters', 'passives', 'detractors', 'pct_promoters', 'pct_passives',
        'pct_detractors', 'nps', 'nps_margin_of_error', 'nps_ci_low', 'nps_ci_high',
        'weighted_nps', 'weighted_nps_margin_of_error', 'effective_responses', 'weighting_targets', 'is_low_sample',
        'nps_band', 'target_nps', 'is_target_met', 'previous_period_nps', 'nps_change',
        'nps_change_p_value', 'is_change_significant', 'rolling_3_month_nps', 'is_period_complete', 'is_suppressed',
    ] -%}
    {%- for column in columns %}
    {{ relation ~ '.' if relation }}{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A mart of NPS per period and one breakdown of int_nps_metrics_by_period
    (`dimension_kind` overall, segment or channel): the breakdown's own columns, then the
    columns every NPS mart shows; with `shrinkage`, the small-segment estimates
    (int_segment_shrinkage). nps_by_period, nps_by_segment and nps_by_channel are this. -#}
{% macro nps_breakdown_mart(dimension_kind, breakdown_columns=[], shrinkage=false) -%}
with

metrics as (

    select * from {{ ref('int_nps_metrics_by_period') }}
    where dimension_kind = '{{ dimension_kind }}'

),
{%- if shrinkage %}

shrinkage as (

    select * from {{ ref('int_segment_shrinkage') }}

),
{%- endif %}

final as (

    select
        metrics.programme,
        metrics.period_grain,
        metrics.period_start,
        metrics.period_end,
        {%- for column in breakdown_columns %}
        metrics.{{ column }},
        {%- endfor %}
        {{ nps_mart_columns('metrics') }}
        {%- if shrinkage %},
        {{ unless_suppressed('shrinkage.shrunk_nps', 'metrics.is_suppressed') }} as shrunk_nps,
        {{ unless_suppressed('shrinkage.shrinkage_weight', 'metrics.is_suppressed') }} as shrinkage_weight,
        {{ unless_suppressed('shrinkage.shrinkage_prior_strength', 'metrics.is_suppressed') }}
            as shrinkage_prior_strength
        {%- endif %}

    from metrics
    {%- if shrinkage %}
    left join shrinkage
        on metrics.programme = shrinkage.programme
        and metrics.period_grain = shrinkage.period_grain
        and metrics.period_start = shrinkage.period_start
        and metrics.dimension = shrinkage.dimension
        and metrics.dimension_value = shrinkage.dimension_value
    {%- endif %}

)

select * from final
{%- endmacro %}

{#- Whether a group is too small to show (docs/nps.md#sample-size-and-anonymity): employee
    groups under `enps_min_group` responses, and unclassified ones too, which may be
    employee surveys until the catalogue says otherwise. -#}
{% macro is_anonymity_suppressed(programme, responses) -%}
    ({{ programme }} in ('employee', 'unclassified') and {{ responses }} < {{ var('enps_min_group') }})
{%- endmacro %}

{#- Whether a response is a customer's: anything but an employee answer (survey_type
    employee), whatever the catalogue says. Employee answers reach only the HR audience's
    k-anonymous models (docs/nps.md#employee-anonymity). -#}
{% macro is_customer_answer(survey_type) -%}
    coalesce({{ survey_type }}, 'customer') <> 'employee'
{%- endmacro %}

{#- k of employee anonymity (var `enps_min_group`): no group under k employees shows a
    number. Never below 3. -#}
{% macro enps_k() -%}
    {%- set k = var('enps_min_group') | int -%}
    {%- if k < 3 -%}
        {{ exceptions.raise_compiler_error("enps_min_group is " ~ k ~ ": employee groups are never shown under 3 answers") }}
    {%- endif -%}
    {{ return(k) }}
{%- endmacro %}

{#- The periods employee groups are published for: no day or week (a day or a week is too
    close to one person's answer, and would add subtraction paths inside every month). -#}
{% macro employee_period_grains() -%}
    {{ return(['month', 'quarter', 'year']) }}
{%- endmacro %}

{#- The order of employee grains, finest first (int_employee_containment). -#}
{% macro grain_rank(grain_column) -%}
    case {{ grain_column }}
        {%- for grain in employee_period_grains() %}
        when '{{ grain }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
