{#- Fails for each row where `expression` is not true (NULL fails too). Works on a model
    or on a column (the column is then only context). Narrow the rows with dbt's own
    `config: {where: ...}`. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
