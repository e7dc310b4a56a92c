{#- Each combination of `columns` occurs once. With `changed_customers_in` (a relation of
    billing rows) and on the pipeline's incremental builds (tests_changed_files_only(),
    macros/incremental.sql), only the rows of the customers of its rows valid since the last
    build (in_rows_to_rebuild): for
    models whose rows are built together per customer (`customer_key` in the key). -#}
{% test unique_combination_of_columns(model, columns, changed_customers_in=none) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    {%- if changed_customers_in is not none and tests_changed_files_only() %}
    where customer_key in (
        select customer_key from {{ changed_customers_in }}
        where {{ in_rows_to_rebuild('revenue') }}
    )
    {%- endif %}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
