{#- Loading seeds on Spark. dbt-spark's session connection writes each value into the SQL
    unescaped (a quote in a value, such as McDonald's, breaks the statement; an empty value
    becomes the text 'None'), so the rows are written here as literals: NULL for an empty
    value, numbers and booleans as they are, text quoted with its quotes and backslashes
    escaped (Spark's literal syntax), each cast to its column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- set names = agate_table.column_names -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- set type = column_types.get(names[loop.index0], adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_literal(value) }} as {{ spark_type(type) }}){{ ', ' if not loop.last }}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_literal(value) -%}
    {%- if value is none -%} null
    {%- elif value is sameas true or value is sameas false -%} {{ 'true' if value else 'false' }}
    {%- elif value is number -%} {{ value }}
    {%- else -%} '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
