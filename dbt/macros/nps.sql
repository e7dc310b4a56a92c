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
