{#
    days_from_to(first, last): one row per day from `first` to `last` (ISO date strings,
    both included), the column `date_day`: the calendar MetricFlow joins metrics to.
    Dispatched: DuckDB's range() table function, Spark's explode(sequence(...)).
#}
{% macro days_from_to(first, last) %}
    {{ return(adapter.dispatch('days_from_to')(first, last)) }}
{% endmacro %}

{% macro default__days_from_to(first, last) %}
    select cast(range as date) as date_day
    from range(date '{{ first }}', date '{{ last }}' + interval 1 day, interval 1 day)
{% endmacro %}

{% macro spark__days_from_to(first, last) %}
    select explode(sequence(to_date('{{ first }}'), to_date('{{ last }}'), interval 1 day)) as date_day
{% endmacro %}
