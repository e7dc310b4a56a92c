{#- Time zones. Timestamps are instants (UTC); a response's date and period are its date
    in the reporting time zone (var `nps_reporting_tz`). Each engine's implementation sits
    beside the other; tests/integration/test_spark_parity.py builds both and compares. -#}

{#- The calendar date of a UTC timestamp in the reporting time zone.
    (23:30 UTC on 31 December is 1 January in Stockholm.) -#}
{% macro to_local_date(timestamp_column) -%}
    {{ return(adapter.dispatch('to_local_date')(timestamp_column)) }}
{%- endmacro %}

{% macro default__to_local_date(timestamp_column) -%}
    cast(({{ timestamp_column }} at time zone '{{ reporting_tz() }}') as date)
{%- endmacro %}

{% macro spark__to_local_date(timestamp_column) -%}
    cast(from_utc_timestamp({{ timestamp_column }}, '{{ reporting_tz() }}') as date)
{%- endmacro %}

{#- The moment a local date starts in the reporting time zone (a timestamp with time zone). -#}
{% macro local_midnight(date_expression) -%}
    {{ return(adapter.dispatch('local_midnight')(date_expression)) }}
{%- endmacro %}

{% macro default__local_midnight(date_expression) -%}
    (cast({{ date_expression }} as {{ dbt.type_timestamp() }}) at time zone '{{ reporting_tz() }}')
{%- endmacro %}

{% macro spark__local_midnight(date_expression) -%}
    to_utc_timestamp(cast({{ date_expression }} as timestamp), '{{ reporting_tz() }}')
{%- endmacro %}

{#- The type of an instant: DuckDB's `timestamp with time zone`; Spark's `timestamp` is one. -#}
{% macro type_timestamp_tz() -%}
    {{ return(adapter.dispatch('type_timestamp_tz')()) }}
{%- endmacro %}

{% macro default__type_timestamp_tz() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_timestamp_tz() -%}
    timestamp
{%- endmacro %}
