{#- The lake (dagster_project/lake/layout.py): every source table of schema `lake` is a folder
    of Parquet under var `nps_lake_dir`, written by the pipeline. At the start of every dbt
    run (on-run-start) each becomes a view `lake.<table>` over its folder, so a model reads
    the same bytes on every engine and sees files added since the last run. Tables with
    `meta.by_file` are partitioned by landed file (`file_id=<sha-256>/` folders): a filter
    on the file id reads only those folders. `dbt test` keeps the views of the last build:
    its tests look at what that build read (and on Spark 14 views cost ~14 s). -#}
{% macro lake_register() -%}
    {%- if execute and flags.WHICH != 'test' -%}
        {%- do run_query(lake_create_schema_sql()) -%}
        {%- for source in graph.sources.values() if source.schema == 'lake' -%}
            {%- set folder = var('nps_lake_dir') ~ '/' ~ source.identifier -%}
            {%- do run_query(
                'create or replace view lake.' ~ source.identifier ~ ' as '
                ~ lake_read_sql(folder, source.meta.get('by_file', false))
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro lake_create_schema_sql() -%}
    {{ return(adapter.dispatch('lake_create_schema_sql')()) }}
{%- endmacro %}

{% macro default__lake_create_schema_sql() -%}
    create schema if not exists lake
{%- endmacro %}

{% macro spark__lake_create_schema_sql() -%}
    create database if not exists lake
{%- endmacro %}

{#- A select of every row of a lake folder (the path is the pipeline's setting, not data). -#}
{% macro lake_read_sql(folder, by_file) -%}
    {{ return(adapter.dispatch('lake_read_sql')(folder | replace("'", "''"), by_file)) }}
{%- endmacro %}

{% macro default__lake_read_sql(folder, by_file) -%}
    {%- if by_file -%}
        select * from read_parquet('{{ folder }}/*/*.parquet', hive_partitioning = true, hive_types = {'file_id': 'varchar'})
    {%- else -%}
        select * from read_parquet('{{ folder }}/*.parquet')
    {%- endif -%}
{%- endmacro %}

{#- Spark discovers the `file_id=` folders itself (partition discovery; the `__empty__`
    folder keeps the column a string). -#}
{% macro spark__lake_read_sql(folder, by_file) -%}
    select * from parquet.`{{ folder | replace('`', '') }}`
{%- endmacro %}
