{#- The IANA time zone that decides a response's local date (NPS_REPORTING_TZ). It is
    checked against a strict pattern because it is written into SQL. -#}
{% macro reporting_tz() -%}
    {%- set tz = env_var('NPS_REPORTING_TZ', 'Europe/Stockholm') -%}
    {%- if not modules.re.fullmatch('[A-Za-z][A-Za-z0-9_+/-]*', tz) -%}
        {{ exceptions.raise_compiler_error("NPS_REPORTING_TZ=" ~ tz ~ " is not an IANA time zone name") }}
    {%- endif -%}
    {{- tz -}}
{%- endmacro %}
