{#- Folder schemas are used as they are (`marts`, not `main_marts`): BI tools and analysts
    read `marts.nps_by_period` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
