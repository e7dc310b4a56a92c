{#- Model contracts name their columns' types as DuckDB does (`varchar`, `timestamp with time
    zone`, ...). Spark checks a contract by casting NULL to each type; this writes DuckDB's
    names as Spark's own, so one YAML serves both engines (dbt dispatches its
    `get_empty_schema_sql` here on Spark). -#}
{% macro spark_type(data_type) -%}
    {%- set spark_names = {'varchar': 'string', 'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp'} -%}
    {{ return(spark_names.get(data_type | trim | lower, data_type)) }}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    select
    {%- for name in columns %}
        cast(null as {{ spark_type(columns[name]['data_type']) }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
