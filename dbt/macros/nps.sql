{#- The NPS category of a 0-10 score: 9-10 promoter, 7-8 passive, 0-6 detractor.
    Scores reach dbt validated as whole numbers 0..10; anything else is NULL, so it
    can never be counted silently as a passive. -#}
{% macro nps_category(score_column) -%}
    case
        when {{ score_column }} between 9 and 10 then 'promoter'
        when {{ score_column }} between 7 and 8 then 'passive'
        when {{ score_column }} between 0 and 6 then 'detractor'
    end
{%- endmacro %}

{#- Counting columns for an aggregate over responses with an `nps_category`. -#}
{% macro nps_counts(category_column='nps_category') -%}
    count(*) as responses,
    count(case when {{ category_column }} = 'promoter' then 1 end) as promoters,
    count(case when {{ category_column }} = 'passive' then 1 end) as passives,
    count(case when {{ category_column }} = 'detractor' then 1 end) as detractors
{%- endmacro %}

{#- Shares (percent, 0-100) and NPS (-100..100) from the count columns. -#}
{% macro nps_metrics(responses='responses', promoters='promoters', passives='passives', detractors='detractors') -%}
    cast(100.0 * {{ promoters }} / {{ responses }} as double) as pct_promoters,
    cast(100.0 * {{ passives }} / {{ responses }} as double) as pct_passives,
    cast(100.0 * {{ detractors }} / {{ responses }} as double) as pct_detractors,
    cast(100.0 * ({{ promoters }} - {{ detractors }}) / {{ responses }} as double) as nps
{%- endmacro %}

{#- eNPS anonymity: an expression, or NULL on a suppressed row. -#}
{% macro unless_suppressed(expression, flag='is_suppressed') -%}
    case when not ({{ flag }}) then {{ expression }} end
{%- endmacro %}

{#- The columns every NPS mart shows for a row of int_nps_metrics_by_period. -#}
{% macro nps_mart_columns() -%}
    responses,
    promoters,
    passives,
    detractors,
    pct_promoters,
    pct_passives,
    pct_detractors,
    nps,
    nps_margin_of_error,
    nps_ci_low,
    nps_ci_high,
    is_low_sample,
    nps_band,
    target_nps,
    is_target_met,
    previous_period_nps,
    nps_change,
    nps_change_p_value,
    is_change_significant,
    rolling_3_month_nps,
    is_period_complete,
    is_suppressed
{%- endmacro %}

{#- The category of an average score (B2B accounts): promoter from 9, passive from 7. -#}
{% macro nps_category_of_average(average_column) -%}
    case
        when {{ average_column }} >= 9 then 'promoter'
        when {{ average_column }} >= 7 then 'passive'
        when {{ average_column }} is not null then 'detractor'
    end
{%- endmacro %}
