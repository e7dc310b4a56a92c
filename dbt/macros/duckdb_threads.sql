{#- A model whose one big join and aggregation runs out of DuckDB's memory cap with two
    threads (each keeps its own partitions pinned) runs on one thread, then hands the
    connection back with the default. Nothing on other engines (an empty hook is skipped). -#}
{% macro one_duckdb_thread() -%}
    {%- if target.type == 'duckdb' -%} set threads = 1 {%- endif -%}
{%- endmacro %}

{% macro every_duckdb_thread() -%}
    {%- if target.type == 'duckdb' -%} reset threads {%- endif -%}
{%- endmacro %}
