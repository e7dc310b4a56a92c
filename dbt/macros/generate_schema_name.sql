{#- Folder schemas are used as they are (`marts`, not `main_marts`): BI tools and analysts
    read `marts.nps_by_period` whatever the target. On Spark, where readers and the pipeline
    share one metastore, dbt builds in `build_<schema>` and publishing makes the readers'
    `marts` and `reference` views over a finished copy (macros/publish_spark.sql). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'spark' -%}
        build_{{ custom_schema_name | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
