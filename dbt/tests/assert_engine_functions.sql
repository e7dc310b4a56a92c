-- The macros each engine implements its own way (adapter.dispatch: time zones, period
-- arithmetic, text and list functions, the p-value), against values worked out by hand.
-- A row is a check that failed. dbt runs this on every engine it builds on; the Spark
-- build of tests/integration/test_spark_parity.py runs it on Spark. Time-zone checks are
-- for Europe/Stockholm (the default reporting time zone) and left out for another.
{%- set stockholm = reporting_tz() == 'Europe/Stockholm' %}
{%- set tz = type_timestamp_tz() %}

with

checks as (

    {%- if stockholm %}
    select
        'to_local_date: 23:30 UTC on 31 December is 1 January in Stockholm' as check_name,
        {{ to_local_date("cast('2025-12-31 23:30:00' as " ~ tz ~ ")") }} = cast('2026-01-01' as date) as passed
    union all
    select
        'to_local_date: 22:30 UTC on 30 June is 1 July (summer time, +2)',
        {{ to_local_date("cast('2026-06-30 22:30:00' as " ~ tz ~ ")") }} = cast('2026-07-01' as date)
    union all
    select
        'local_midnight: 29 March 2026 starts at 23:00 UTC the day before (winter time)',
        {{ local_midnight("cast('2026-03-29' as date)") }} = cast('2026-03-28 23:00:00' as {{ tz }})
    union all
    select
        'local_midnight: 30 March 2026 starts at 22:00 UTC (summer time)',
        {{ local_midnight("cast('2026-03-30' as date)") }} = cast('2026-03-29 22:00:00' as {{ tz }})
    union all
    {%- endif %}
    select
        'period_start: the ISO week of 1 January 2026 starts on Monday 29 December 2025',
        {{ period_start("'week'", "cast('2026-01-01' as date)") }} = cast('2025-12-29' as date)
    union all
    select
        'period_start: Sunday 3 January 2027 is in the week of Monday 28 December 2026',
        {{ period_start("'week'", "cast('2027-01-03' as date)") }} = cast('2026-12-28' as date)
    union all
    select
        'period_start: quarter of 31 December',
        {{ period_start("'quarter'", "cast('2026-12-31' as date)") }} = cast('2026-10-01' as date)
    union all
    select
        'date_shift: 31 January + 1 month is 28 February',
        {{ date_shift('month', 1, "cast('2026-01-31' as date)") }} = cast('2026-02-28' as date)
    union all
    select
        'date_shift: 31 May - 1 quarter is 28 February',
        {{ date_shift('quarter', -1, "cast('2026-05-31' as date)") }} = cast('2026-02-28' as date)
    union all
    select
        'date_shift: 1 March 2028 - 1 day is 29 February (leap year)',
        {{ date_shift('day', -1, "cast('2028-03-01' as date)") }} = cast('2028-02-29' as date)
    union all
    select
        'date_shift: a week, a year',
        {{ date_shift('week', 1, "cast('2026-12-28' as date)") }} = cast('2027-01-04' as date)
        and {{ date_shift('year', -1, "cast('2024-02-29' as date)") }} = cast('2023-02-28' as date)
    union all
    select
        'period_shift: the month before March',
        {{ period_shift("'month'", "cast('2026-03-01' as date)", -1) }} = cast('2026-02-01' as date)
    union all
    select
        'timestamp_shift: 48 hours keep the microseconds',
        {{ timestamp_shift('hour', 48, "cast('2026-01-01 10:00:00.123456' as " ~ tz ~ ")") }}
        = cast('2026-01-03 10:00:00.123456' as {{ tz }})
    union all
    select
        'timestamp_shift: 90 days back, 12 months back',
        {{ timestamp_shift('day', -90, "cast('2026-06-30 12:00:00' as " ~ tz ~ ")") }}
        = cast('2026-04-01 12:00:00' as {{ tz }})
        and {{ timestamp_shift('month', -12, "cast('2026-06-30 12:00:00' as " ~ tz ~ ")") }}
        = cast('2025-06-30 12:00:00' as {{ tz }})
    union all
    select
        'seconds_between: two days and 30 seconds',
        {{ seconds_between("cast('2026-01-01 10:00:00' as " ~ tz ~ ")", "cast('2026-01-03 10:00:30' as " ~ tz ~ ")") }}
        = 172830
    union all
    select
        'text_matches: Danish letters',
        {{ text_matches("lower('Ærlig talt')", "'[æø]'") }} and not {{ text_matches("'hej'", "'[æø]'") }}
    union all
    select
        'text_matches and replace_matches: a backslash in a pattern is a backslash',
        {{ text_matches("'mail [email] me'", "'\\[email\\]'") }}
        and {{ replace_matches("'[email] hej [phone]'", "'\\[(email|phone|national-id)\\]'", "'#'") }} = '# hej #'
    union all
    select
        'split_words: lower-case words, Nordic letters kept',
        (
            select count(*) from (
                select {{ split_words("'Bra pris, DÅLIG leverans! 24/7'") }} as word
            ) as words
            where word in ('bra', 'pris', 'dålig', 'leverans', '24', '7')
        ) = 6
    union all
    select
        'sorted_text_list: alphabetical, joined',
        (
            select {{ sorted_text_list('letter', "', '") }} from (
                select 'price' as letter union all select 'delivery' union all select 'staff'
            ) as letters
        ) = 'delivery, price, staff'
    union all
    select
        'list_has: every responses file maps response_id, none maps an unknown column',
        (
            select count(*) from {{ ref('stg_landing__landed_files') }}
            where (kind = 'responses' and rejected_reason is null and not {{ list_has('mapped_columns', "'response_id'") }})
                or {{ list_has('mapped_columns', "'no_such_column'") }}
        ) = 0
    union all
    select
        'two_sided_p_value: |z| = 1.96 is p = 0.05, z = 0 is p = 1 (within the 1.5e-7 of its erf)',
        abs({{ two_sided_p_value(nps_z_95()) }} - 0.05e0) < 1.5e-7 and abs({{ two_sided_p_value('0e0') }} - 1) < 1.5e-7
    union all
    select
        'nps_category: 6 detractor, 7 and 8 passive, 9 promoter, 11 none',
        {{ nps_category('6') }} = 'detractor' and {{ nps_category('7') }} = 'passive'
        and {{ nps_category('8') }} = 'passive' and {{ nps_category('9') }} = 'promoter'
        and {{ nps_category('11') }} is null

)

select check_name from checks
where not coalesce(passed, false)
