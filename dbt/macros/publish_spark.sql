{#- Publishing on Spark (dagster_project/publishing/spark.py runs it after a successful
    build: `dbt run-operation publish_spark`).

    On DuckDB readers open a copy of the marts that replaces the previous one with one
    atomic rename. On Spark readers and the pipeline share one metastore, and dbt replaces
    a Parquet table by dropping it and writing it again (a reader in between finds no table
    or half of it). So dbt builds in `build_<schema>` (macros/generate_schema_name.sql), and
    publishing
      1. copies every published table (`tables`: `marts.<name>` and `reference.<name>`) into
         a new database `nps_publication_<version>` under `published_dir`/<version>, only
         the rows of the audience's `programmes` where a table has a programme column;
      2. checks the copy: the `required` tables are there, every file in use reconciles;
      3. writes `meta__publication` (version, time, Dagster run, rows per table);
      4. points the readers' views `marts.<name>`, `reference.<name>` and
         `meta.publication` at the copy: `create or replace view` swaps one view atomically
         (readers see each mart whole, old or new; between two views a reader can meet one
         old and one new mart for the moment the swap takes, unlike DuckDB's one file);
      5. checks that the views show this version, then drops the views of tables no
         longer published and every older copy but the previous one (a query that started
         on it can finish).
    A failure before step 4 leaves the readers' views as they were. -#}
{% macro publish_spark(version, tables, required, published_dir, published_at, run_id=none, programmes=none) -%}
    {%- if not modules.re.fullmatch('[0-9a-f]{32}', version) -%}
        {{ exceptions.raise_compiler_error("publish_spark: version must be 32 hex digits, not " ~ version) }}
    {%- endif -%}
    {%- set database = 'nps_publication_' ~ version -%}
    {%- set previous = _published_version() -%}
    {%- do run_query("create database " ~ database ~ " location '" ~ (published_dir ~ '/' ~ version) | replace("'", "") ~ "'") -%}
    {%- set rows = {} -%}
    {%- for name in tables -%}
        {%- set schema, table = name.split('.') -%}
        {%- set built = api.Relation.create(schema=generate_schema_name(schema, none) | trim, identifier=table) -%}
        {#- only the audience's programmes (publishing/publish.py: programme_rows) -#}
        {%- set has_programme = 'programme' in adapter.get_columns_in_relation(built) | map(attribute='name') | list -%}
        {%- set quoted = [] -%}
        {%- for programme in programmes or [] -%}
            {%- do quoted.append("'" ~ programme | replace("'", "''") ~ "'") -%}
        {%- endfor -%}
        {%- set rows_kept = " where programme in (" ~ quoted | join(", ") ~ ")" if quoted and has_programme else "" -%}
        {%- do run_query(
            'create table ' ~ database ~ '.' ~ schema ~ '__' ~ table ~ ' using parquet as select * from '
            ~ built.schema ~ '.' ~ table ~ rows_kept
        ) -%}
        {%- do rows.update({name: run_query('select count(*) from ' ~ database ~ '.' ~ schema ~ '__' ~ table).columns[0].values()[0] | int}) -%}
    {%- endfor -%}
    {%- set missing = required | reject('in', rows) | list -%}
    {%- if missing -%}
        {%- do run_query('drop database ' ~ database ~ ' cascade') -%}
        {{ exceptions.raise_compiler_error("the build has no " ~ missing | join(', ') ~ ": nothing was published") }}
    {%- endif -%}
    {%- set unreconciled = run_query(
        'select count(*) from ' ~ database ~ '.marts__file_loads where not is_replaced and not coalesce(reconciles, false)'
    ).columns[0].values()[0] | int -%}
    {%- if unreconciled -%}
        {%- do run_query('drop database ' ~ database ~ ' cascade') -%}
        {{ exceptions.raise_compiler_error(unreconciled ~ " file(s) do not reconcile: nothing was published") }}
    {%- endif -%}
    {%- do run_query(
        'create table ' ~ database ~ ".meta__publication using parquet as select '" ~ version ~ "' as version, "
        ~ "cast('" ~ published_at ~ "' as timestamp) as published_at, "
        ~ (sql_text(run_id) if run_id else 'cast(null as string)') ~ " as dagster_run_id, "
        ~ 'map(' ~ _map_entries(rows) ~ ') as table_rows'
    ) -%}
    {%- for schema in ['marts', 'reference', 'meta'] -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- endfor -%}
    {%- for name in tables + ['meta.publication'] -%}
        {%- set schema, table = name.split('.') -%}
        {%- do run_query('create or replace view ' ~ name ~ ' as select * from ' ~ database ~ '.' ~ schema ~ '__' ~ table) -%}
    {%- endfor -%}
    {#- what readers see now is this version, whole -#}
    {%- set seen = run_query('select version, (select count(*) from marts.file_loads) from meta.publication').rows[0] -%}
    {%- if seen[0] != version or seen[1] | int != rows['marts.file_loads'] -%}
        {{ exceptions.raise_compiler_error("the readers' views show version " ~ seen[0] ~ ", not " ~ version) }}
    {%- endif -%}
    {%- for schema in ['marts', 'reference'] -%}
        {%- for view in run_query('show views in ' ~ schema).columns['viewName'].values() -%}
            {%- if schema ~ '.' ~ view not in tables -%}
                {%- do run_query('drop view ' ~ schema ~ '.' ~ view) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for old in run_query("show databases like 'nps_publication_*'").columns[0].values() -%}
        {%- if old not in (database, 'nps_publication_' ~ previous) -%}
            {%- do run_query('drop database ' ~ old ~ ' cascade') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log('published version ' ~ version ~ ': ' ~ rows | length ~ ' tables', info=true) }}
{%- endmacro %}

{#- The version the readers' views show now (none before the first publication). -#}
{% macro _published_version() -%}
    {%- set meta_views = run_query("show databases like 'meta'").columns[0].values() -%}
    {%- if meta_views and 'publication' in run_query('show views in meta').columns['viewName'].values() -%}
        {{ return(run_query('select version from meta.publication').columns[0].values()[0]) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro _map_entries(rows) -%}
    {%- for name, count in rows.items() -%}
        '{{ name }}', cast({{ count }} as bigint){{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- An audience's tables exported from the build as Parquet folders `<folder>/<schema>__<table>`
    (publishing/spark.py gathers them into that audience's DuckDB file): nothing in the
    metastore, no reader's view. -#}
{% macro export_spark_tables(tables, folder) -%}
    {%- for name in tables -%}
        {%- set schema, table = name.split('.') -%}
        {%- do run_query(
            "insert overwrite directory '" ~ (folder ~ '/' ~ schema ~ '__' ~ table) | replace("'", "") ~ "' using parquet "
            ~ 'select * from ' ~ generate_schema_name(schema, none) | trim ~ '.' ~ table
        ) -%}
    {%- endfor -%}
    {{ log('exported ' ~ tables | length ~ ' tables to ' ~ folder, info=true) }}
{%- endmacro %}
