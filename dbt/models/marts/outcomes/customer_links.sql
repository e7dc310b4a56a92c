-- How many customer answers link to a customer of the CRM export, by which key, and why the
-- rest do not: the first thing to check before reading any outcome of NPS.
with

links as (

    select * from {{ ref('int_answer_customer_links') }}

),

counted as (

    select
        programme,
        coalesce(linked_by, 'not linked') as link,
        unlinked_reason,
        count(*) as answers
    from links
    group by programme, coalesce(linked_by, 'not linked'), unlinked_reason

),

final as (

    select
        programme,
        link,
        unlinked_reason,
        answers,
        answers / sum(answers) over (partition by programme) as share_of_answers
    from counted

)

select * from final
