{#- Reporting periods. Weeks are ISO weeks starting on Monday. -#}
{% macro period_grains() -%}
    {{ return(['day', 'week', 'month', 'quarter', 'year']) }}
{%- endmacro %}

{#- A one-column relation (`period_grain`) with every grain (or those given), to join facts to. -#}
{% macro period_grains_relation(grains=none) -%}
    {%- for grain in (grains or period_grains()) %}
    select '{{ grain }}' as period_grain
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The first day of the period of `grain_column` that contains `date_column`. -#}
{% macro period_start(grain_column, date_column) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then
            {%- if grain == 'day' %} {{ date_column }}
            {%- else %} cast({{ dbt.date_trunc(grain, date_column) }} as date)
            {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#- The start of the period `offset` periods away (offset -1: the previous period). -#}
{% macro period_shift(grain_column, date_column, offset) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then {{ date_shift(grain, offset, date_column) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Period arithmetic, each engine's implementation beside the other's. -#}

{#- A date `amount` days, weeks, months, quarters or years away (a date; month ends clip:
    31 January + 1 month is 28 or 29 February). -#}
{% macro date_shift(datepart, amount, date_expression) -%}
    {{ return(adapter.dispatch('date_shift')(datepart, amount, date_expression)) }}
{%- endmacro %}

{% macro default__date_shift(datepart, amount, date_expression) -%}
    cast({{ dbt.dateadd(datepart, amount, date_expression) }} as date)
{%- endmacro %}

{% macro spark__date_shift(datepart, amount, date_expression) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'year': 12} -%}
    {%- if datepart in months -%}
        add_months({{ date_expression }}, {{ months[datepart] }} * ({{ amount }}))
    {%- elif datepart in ('day', 'week') -%}
        date_add({{ date_expression }}, {{ 7 if datepart == 'week' else 1 }} * ({{ amount }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("date_shift: no datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- An instant `amount` hours, days or months away (calendar parts in UTC). -#}
{% macro timestamp_shift(datepart, amount, timestamp_expression) -%}
    {{ return(adapter.dispatch('timestamp_shift')(datepart, amount, timestamp_expression)) }}
{%- endmacro %}

{% macro default__timestamp_shift(datepart, amount, timestamp_expression) -%}
    {{ dbt.dateadd(datepart, amount, timestamp_expression) }}
{%- endmacro %}

{#- (dbt's Spark dateadd goes through whole seconds; timestampadd keeps microseconds.) -#}
{% macro spark__timestamp_shift(datepart, amount, timestamp_expression) -%}
    timestampadd({{ datepart | upper }}, {{ amount }}, {{ timestamp_expression }})
{%- endmacro %}

{#- Whole days from one date to another (negative when the second is earlier). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{#- Whole seconds from one instant to a later one (boundaries crossed, as DuckDB counts). -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {{ dbt.datediff(start_timestamp, end_timestamp, 'second') }}
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (unix_timestamp({{ end_timestamp }}) - unix_timestamp({{ start_timestamp }}))
{%- endmacro %}

{#- The moment this build judges by: var `nps_build_time` when set, else the moment the
    pipeline run took when it started (lake table build_clock, written by the Dagster
    landing asset: dagster_project/warehouse/build_clock.py), so that every model of a build
    reads one clock and a build as of a moment equals any other as of the same moment. -#}
{% macro build_time() -%}
    {%- if var('nps_build_time', none) -%}
        cast('{{ var("nps_build_time") }}' as {{ type_timestamp_tz() }})
    {%- else -%}
        (select max(build_time) from {{ source('inbox', 'build_clock') }})
    {%- endif -%}
{%- endmacro %}

{#- Today in the reporting time zone, at the build's moment. -#}
{% macro local_today() -%}
    {{ to_local_date(build_time()) }}
{%- endmacro %}

{#- The moment a model judges "now" by: the timestamp in var `var_name` when set (tests pin
    it), else the build's moment - or, with `start_of_today`, the start of that day in the
    reporting time zone. -#}
{% macro as_of_timestamp(var_name, start_of_today=false) -%}
    {%- if var(var_name) -%}
        cast('{{ var(var_name) }}' as {{ type_timestamp_tz() }})
    {%- elif start_of_today -%}
        {{ local_midnight(local_today()) }}
    {%- else -%}
        {{ build_time() }}
    {%- endif -%}
{%- endmacro %}

{#- Microseconds since 1970-01-01 UTC of an instant: a number a window can range over. -#}
{% macro epoch_microseconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_microseconds')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(timestamp_expression) -%}
    epoch_us({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_microseconds(timestamp_expression) -%}
    unix_micros({{ timestamp_expression }})
{%- endmacro %}
