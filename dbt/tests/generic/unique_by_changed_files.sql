{#- `unique` for big row-level relations: fails for each value of `column_name` that occurs
    more than once in the whole relation. On the pipeline's incremental builds
    (tests_changed_files_only(), macros/incremental.sql) it looks only at the values found in
    rows of changed files - each still counted against every row - since a repeat among
    unchanged rows was caught when they were built. Else every value is checked. `within`:
    a column equal in all rows sharing a value (billing: the customer of an id), by which
    the rows to count are found first (a plain column instead of a value computed for
    every row). `kind`: only the values of rows valid since the last build are looked at
    (in_rows_to_rebuild: a row that lost its id to a new file adds no repeat). -#}
{% test unique_by_changed_files(model, column_name, file_column='source_file_id', within=none, kind=none) %}
    select {{ column_name }} as unique_field, count(*) as n_records
    from {{ model }}
    where {{ column_name }} is not null
    {%- if tests_changed_files_only() %}
        {%- if within is not none %}
        and {{ within }} in (
            select {{ within }} from {{ model }}
            where {{ in_rows_to_rebuild(kind, file_column) if kind else in_files_to_rebuild(file_column) }}
        )
        {%- endif %}
        and {{ column_name }} in (
            select {{ column_name }} from {{ model }}
            where {{ in_rows_to_rebuild(kind, file_column) if kind else in_files_to_rebuild(file_column) }}
        )
    {%- endif %}
    group by {{ column_name }}
    having count(*) > 1
{% endtest %}
