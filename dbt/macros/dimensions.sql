{#- The segment names configured for wide `segment_<name>` columns (var `nps_segments`).
    Checked to be plain identifiers, since they become column names. -#}
{% macro configured_segments() -%}
    {%- set names = var('nps_segments') -%}
    {%- for name in names -%}
        {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', name) -%}
            {{ exceptions.raise_compiler_error("nps_segments entry '" ~ name ~ "' is not a lower-case identifier") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- One `segment_<name>` column per configured segment from long segment rows (`segments`:
    their relation's alias), an aggregate: group by the row the segments belong to. -#}
{% macro pivoted_segment_columns(segments) -%}
    {%- for segment in configured_segments() %}
    max(case when {{ segments }}.segment_type = '{{ segment }}' then {{ segments }}.segment_value end)
        as segment_{{ segment }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The wide segment columns, `segment_<name>, ...` (each after `relation.` when given). -#}
{% macro segment_columns(relation=none) -%}
    {%- for segment in configured_segments() -%}
        {{ relation ~ '.' if relation }}segment_{{ segment }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- Long form of a fact for breakdowns: one row per fact and dimension
    (`overall`/`all`, `channel`/<channel>, and <segment type>/<value> for every segment
    found in the data), with `dimension_kind` overall | channel | segment. With
    `by_survey` (responses: their catalogue touchpoint and survey id), also kind
    `touchpoint` (<touchpoint>/`all`) and kind `survey` (<touchpoint>/<survey id>); a survey
    without a touchpoint (relationship, employee, unclassified) is at touchpoint `none`. -#}
{% macro unpivot_dimensions(facts, segments, carried_columns, by_survey=false) -%}
    select {{ carried_columns | join(', ') }},
        'overall' as dimension_kind, 'overall' as dimension, 'all' as dimension_value
    from {{ facts }}

    union all

    select {{ carried_columns | join(', ') }},
        'channel' as dimension_kind, 'channel' as dimension, channel as dimension_value
    from {{ facts }}

    {%- if by_survey %}

    union all

    select {{ carried_columns | join(', ') }},
        'touchpoint' as dimension_kind, coalesce(touchpoint, 'none') as dimension, 'all' as dimension_value
    from {{ facts }}

    union all

    select {{ carried_columns | join(', ') }},
        'survey' as dimension_kind, coalesce(touchpoint, 'none') as dimension, survey_id as dimension_value
    from {{ facts }}
    {%- endif %}

    union all

    select
        {%- for column in carried_columns %} facts.{{ column }},{% endfor %}
        'segment' as dimension_kind,
        segments.segment_type as dimension,
        segments.segment_value as dimension_value
    from {{ facts }} as facts
    inner join {{ segments }} as segments
        on facts.source_file_id = segments.source_file_id
        and facts.source_row_number = segments.source_row_number
{%- endmacro %}

{#- Sums daily counts up to every period grain: one row per grain, period and group. -#}
{% macro sum_by_period(daily, date_column, group_columns, sum_columns) -%}
    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'daily.' ~ date_column) }} as period_start,
        {%- for column in group_columns %}
        daily.{{ column }},
        {%- endfor %}
        {%- for column in sum_columns %}
        cast(sum(daily.{{ column }}) as bigint) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ daily }} as daily
    cross join ({{ period_grains_relation() }}) as grains
    group by
        grains.period_grain,
        {{ period_start('grains.period_grain', 'daily.' ~ date_column) }}
        {%- for column in group_columns %},
        daily.{{ column }}
        {%- endfor %}
{%- endmacro %}

{#- Join condition: the same programme, grain (optional) and breakdown on both sides. -#}
{% macro same_breakdown(left, right, with_grain=true) -%}
    {{ left }}.programme = {{ right }}.programme
    {%- if with_grain %}
    and {{ left }}.period_grain = {{ right }}.period_grain
    {%- endif %}
    and {{ left }}.dimension_kind = {{ right }}.dimension_kind
    and {{ left }}.dimension = {{ right }}.dimension
    and {{ left }}.dimension_value = {{ right }}.dimension_value
{%- endmacro %}

{#- The dimension responses are weighted on (var `nps_weighting_dimension`): `channel` or a
    segment type. Checked to be a plain identifier, since it is written into SQL. -#}
{% macro weighting_dimension() -%}
    {%- set name = var('nps_weighting_dimension') -%}
    {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', name) -%}
        {{ exceptions.raise_compiler_error("nps_weighting_dimension '" ~ name ~ "' is not a lower-case identifier") }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}
