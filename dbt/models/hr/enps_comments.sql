-- Employee comments for HR, as text only: one row per comment, grouped by programme and
-- quarter, only where the quarter's group is shown (at least k answers, not hidden by
-- disclosure control) and holds at least k comments of that kind. No response id,
-- timestamp, score, segment or anything else that narrows down who wrote it; in text order,
-- not arrival order. The texts were redacted at validation (emails, phone and national id
-- numbers).
{%- set k = enps_k() %}
with

responses as (

    select * from {{ ref('int_employee_responses') }}

),

quarters as (

    select * from {{ ref('enps_by_group') }}
    where period_grain = 'quarter'
        and dimension_kind = 'overall'
        and not is_suppressed

),

comments as (

    select
        programme,
        cast({{ dbt.date_trunc('quarter', 'response_date') }} as date) as period_start,
        'reason' as text_field,
        reason_text as comment_text
    from responses
    where nullif(trim(reason_text), '') is not null

    union all

    select
        programme,
        cast({{ dbt.date_trunc('quarter', 'response_date') }} as date) as period_start,
        'improvement' as text_field,
        improvement_text as comment_text
    from responses
    where nullif(trim(improvement_text), '') is not null

),

counted as (

    select
        comments.*,
        count(*)
            over (partition by comments.programme, comments.period_start, comments.text_field)
            as group_comments

    from comments

),

final as (

    select
        counted.programme,
        'quarter' as period_grain,
        counted.period_start,
        counted.text_field,
        counted.comment_text

    from counted
    inner join quarters
        on counted.programme = quarters.programme
        and counted.period_start = quarters.period_start
    where counted.group_comments >= {{ k }}

)

select * from final
order by programme, period_start, text_field, comment_text
