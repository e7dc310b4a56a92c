{#- Reporting periods. Weeks are ISO weeks starting on Monday. -#}
{% macro period_grains() -%}
    {{ return(['day', 'week', 'month', 'quarter', 'year']) }}
{%- endmacro %}

{#- A one-column relation (`period_grain`) with every grain, to join facts to. -#}
{% macro period_grains_relation() -%}
    {%- for grain in period_grains() %}
    select '{{ grain }}' as period_grain
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The first day of the period of `grain_column` that contains `date_column`. -#}
{% macro period_start(grain_column, date_column) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then
            {%- if grain == 'day' %} {{ date_column }}
            {%- else %} cast({{ dbt.date_trunc(grain, date_column) }} as date)
            {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#- The start of the period `offset` periods away (offset -1: the previous period). -#}
{% macro period_shift(grain_column, date_column, offset) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then cast({{ dbt.dateadd(grain, offset, date_column) }} as date)
        {%- endfor %}
    end
{%- endmacro %}

{#- Today in the reporting time zone. -#}
{% macro local_today() -%}
    {{ to_local_date(dbt.current_timestamp()) }}
{%- endmacro %}

{#- The moment a model judges "now" by: the timestamp in var `var_name` when set (tests pin
    it), else the current timestamp - or, with `start_of_today`, the start of today in the
    reporting time zone, so that every build of one day judges alike (the first run of a
    day builds anyway: warehouse/build_state.py). -#}
{% macro as_of_timestamp(var_name, start_of_today=false) -%}
    {%- if var(var_name) -%}
        cast('{{ var(var_name) }}' as {{ dbt.type_timestamp() }} with time zone)
    {%- elif start_of_today -%}
        {{ local_midnight(local_today()) }}
    {%- else -%}
        {{ dbt.current_timestamp() }}
    {%- endif -%}
{%- endmacro %}

{#- The moment a local date starts in the reporting time zone (a timestamp with time zone). -#}
{% macro local_midnight(date_expression) -%}
    {{ return(adapter.dispatch('local_midnight')(date_expression)) }}
{%- endmacro %}

{% macro default__local_midnight(date_expression) -%}
    (cast({{ date_expression }} as {{ dbt.type_timestamp() }}) at time zone '{{ reporting_tz() }}')
{%- endmacro %}
