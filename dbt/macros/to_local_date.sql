{#- The calendar date of a UTC timestamp in the reporting time zone.
    (23:30 UTC on 31 December is 1 January in Stockholm.) -#}
{% macro to_local_date(timestamp_column) -%}
    {{ return(adapter.dispatch('to_local_date')(timestamp_column)) }}
{%- endmacro %}

{% macro default__to_local_date(timestamp_column) -%}
    cast(({{ timestamp_column }} at time zone '{{ reporting_tz() }}') as date)
{%- endmacro %}

{% macro snowflake__to_local_date(timestamp_column) -%}
    cast(convert_timezone('{{ reporting_tz() }}', {{ timestamp_column }}) as date)
{%- endmacro %}

{% macro bigquery__to_local_date(timestamp_column) -%}
    date({{ timestamp_column }}, '{{ reporting_tz() }}')
{%- endmacro %}
