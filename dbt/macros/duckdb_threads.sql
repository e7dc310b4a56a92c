{#- A model whose one big join and aggregation runs out of DuckDB's memory cap with two
    threads (each keeps its own partitions pinned) runs on one thread, then hands the
    connection back with the default. Nothing on other engines (an empty hook is skipped). -#}
{% macro one_duckdb_thread() -%}
    {%- if target.type == 'duckdb' -%} set threads = 1 {%- endif -%}
{%- endmacro %}

{% macro every_duckdb_thread() -%}
    {%- if target.type == 'duckdb' -%} reset threads {%- endif -%}
{%- endmacro %}

{#- A model whose join DuckDB (2.0) would precede with a partial aggregation of its big side
    on the join key (optimizer `partial_aggregate_pushdown`) where that key is already unique
    there: the pre-aggregation only copies and spills the rows. Off for that model, then
    on again. Nothing on other engines. -#}
{% macro no_duckdb_partial_aggregate_pushdown() -%}
    {%- if target.type == 'duckdb' -%} set disabled_optimizers = 'partial_aggregate_pushdown' {%- endif -%}
{%- endmacro %}

{% macro every_duckdb_optimizer() -%}
    {%- if target.type == 'duckdb' -%} reset disabled_optimizers {%- endif -%}
{%- endmacro %}
