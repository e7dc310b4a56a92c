{#- The IANA time zone that decides a response's local date: the pipeline's
    NPS_REPORTING_TZ, passed as the var `nps_reporting_tz` (checked there; no default here). -#}
{% macro reporting_tz() -%}
    {{- var('nps_reporting_tz') -}}
{%- endmacro %}
