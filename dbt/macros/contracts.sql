{#- Model contracts name their columns' types as DuckDB does (`varchar`, `timestamp with time
    zone`, ...). Spark checks a contract by casting NULL to each type; this writes DuckDB's
    names as Spark's own, so one YAML serves both engines (dbt dispatches its
    `get_empty_schema_sql` here on Spark). -#}
{% macro spark_type(data_type) -%}
    {%- set spark_names = {'varchar': 'string', 'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp'} -%}
    {{ return(spark_names.get(data_type | trim | lower, data_type)) }}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    select
    {%- for name in columns %}
        cast(null as {{ spark_type(columns[name]['data_type']) }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A mart's contract also holds its rules on each row: a column's `not_null`, and `check`s
    (the values a column accepts; how a row's columns agree, on the model). DuckDB keeps them
    in the table, so a row that breaks one fails the model's build and the table stays as it
    was; they cost no data test. Spark's Parquet tables keep no constraints: there the marts'
    post-hook counts the rows that break each rule and fails the model, naming them (a NULL
    passes a `check`, as in SQL). -#}
{% macro assert_constraints_hold() -%}
    {{ return(adapter.dispatch('assert_constraints_hold')()) }}
{%- endmacro %}

{% macro default__assert_constraints_hold() -%}
{%- endmacro %}

{% macro spark__assert_constraints_hold() -%}
    {%- if execute -%}
        {%- set broken = constraint_breaches(this, model.columns, model.constraints) -%}
        {%- if broken -%}
            {{ exceptions.raise_compiler_error(model.name ~ " breaks its contract: " ~ broken | join('; ')) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- "<rule> (broken by <n> rows)" for each rule that rows of `relation` break (none: []). -#}
{% macro constraint_breaches(relation, columns, constraints=[]) -%}
    {%- set rules = [] -%}
    {%- for constraint in constraints if constraint.type == 'check' -%}
        {%- do rules.append((constraint.expression, 'not (' ~ constraint.expression ~ ')')) -%}
    {%- endfor -%}
    {%- for column in columns.values() -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do rules.append((column.name ~ ' is not null', column.name ~ ' is null')) -%}
            {%- elif constraint.type == 'check' -%}
                {%- do rules.append((constraint.expression, 'not (' ~ constraint.expression ~ ')')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not rules or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set counts -%}
        select
        {%- for rule in rules %}
            sum(case when {{ rule[1] }} then 1 else 0 end){{ ',' if not loop.last }}
        {%- endfor %}
        from {{ relation }}
    {%- endset -%}
    {%- set row = run_query(counts).rows[0] -%}
    {%- set broken = [] -%}
    {%- for rule in rules -%}
        {%- if (row[loop.index0] or 0) > 0 -%}
            {%- do broken.append(rule[0] ~ ' (broken by ' ~ row[loop.index0] ~ ' rows)') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(broken) }}
{%- endmacro %}
