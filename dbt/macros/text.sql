{#- Text and list functions, each engine's implementation beside the other's. -#}

{#- Splitting a text into lower-case words (letters and digits, Nordic letters included),
    one row per word (empty strings included: callers drop them). -#}
{% macro split_words(text_column) -%}
    {{ return(adapter.dispatch('split_words')(text_column)) }}
{%- endmacro %}

{% macro default__split_words(text_column) -%}
    unnest(string_split_regex(lower({{ text_column }}), '[^a-z0-9åäöæøéüß]+'))
{%- endmacro %}

{% macro spark__split_words(text_column) -%}
    explode(split(lower({{ text_column }}), '[^a-z0-9åäöæøéüß]+'))
{%- endmacro %}

{#- Whether a text contains a match of a regular expression (the common subset of RE2 and
    Java's syntax). -#}
{% macro text_matches(text, pattern) -%}
    {{ return(adapter.dispatch('text_matches')(text, pattern)) }}
{%- endmacro %}

{% macro default__text_matches(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__text_matches(text, pattern) -%}
    ({{ text }} rlike {{ spark_raw(pattern) }})
{%- endmacro %}

{#- Every match of a regular expression replaced. -#}
{% macro replace_matches(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_matches')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro default__replace_matches(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__replace_matches(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ spark_raw(pattern) }}, {{ replacement }})
{%- endmacro %}

{#- A pattern literal as Spark reads it like DuckDB does: raw (r'...'), so that a backslash
    stays a backslash. -#}
{% macro spark_raw(literal) -%}
    {{ 'r' ~ literal if literal.startswith("'") else literal }}
{%- endmacro %}

{#- An aggregate: the group's texts in alphabetical order, joined by `delimiter` (a literal). -#}
{% macro sorted_text_list(text_column, delimiter) -%}
    {{ return(adapter.dispatch('sorted_text_list')(text_column, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_text_list(text_column, delimiter) -%}
    string_agg({{ text_column }}, {{ delimiter }} order by {{ text_column }})
{%- endmacro %}

{% macro spark__sorted_text_list(text_column, delimiter) -%}
    array_join(array_sort(collect_list({{ text_column }})), {{ delimiter }})
{%- endmacro %}

{#- Whether a list column holds a value. -#}
{% macro list_has(list_column, value) -%}
    {{ return(adapter.dispatch('list_has')(list_column, value)) }}
{%- endmacro %}

{% macro default__list_has(list_column, value) -%}
    coalesce(list_contains({{ list_column }}, {{ value }}), false)
{%- endmacro %}

{% macro spark__list_has(list_column, value) -%}
    coalesce(array_contains({{ list_column }}, {{ value }}), false)
{%- endmacro %}

{#- A Python value (from a var) as an SQL text literal, quotes doubled; none is a typed NULL. -#}
{% macro sql_text(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- A top-level text field of a JSON object held as text (NULL when absent). -#}
{% macro json_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_text')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_text(json_column, key) -%}
    json_extract_string({{ json_column }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__json_text(json_column, key) -%}
    get_json_object({{ json_column }}, '$.{{ key }}')
{%- endmacro %}
