{#- Splitting a text into lower-case words (letters and digits, Nordic letters included),
    one row per word. DuckDB has string_split_regex; other adapters need their own. -#}
{% macro split_words(text_column) -%}
    {{ return(adapter.dispatch('split_words')(text_column)) }}
{%- endmacro %}

{% macro default__split_words(text_column) -%}
    unnest(string_split_regex(lower({{ text_column }}), '[^a-z0-9åäöæøéüß]+'))
{%- endmacro %}

{#- Whether a list column holds a value. -#}
{% macro list_has(list_column, value) -%}
    {{ return(adapter.dispatch('list_has')(list_column, value)) }}
{%- endmacro %}

{% macro default__list_has(list_column, value) -%}
    coalesce(list_contains({{ list_column }}, {{ value }}), false)
{%- endmacro %}

{#- A Python value (from a var) as an SQL text literal, quotes doubled; none is a typed NULL. -#}
{% macro sql_text(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
