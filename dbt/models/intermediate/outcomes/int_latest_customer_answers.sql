-- Each customer's latest answer in each programme, with the customer's CRM dates and the
-- day churn is known through: where retention curves start and what today's customers
-- last said. `was_customer`: acquired by that day and not gone before it.
with

links as (

    select * from {{ ref('int_answer_customer_links') }}
    where customer_key is not null

),

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

known as (

    select * from {{ ref('int_churn_known_through') }}

),

ranked as (

    select
        programme,
        customer_key,
        response_date,
        nps_category,
        row_number() over (
            partition by programme, customer_key
            order by responded_at desc, response_id desc
        ) as latest_first
    from links

),

final as (

    select
        ranked.programme,
        ranked.customer_key,
        ranked.response_date,
        ranked.nps_category,
        customers.acquired_at,
        customers.churned_at,
        known.churn_known_through,
        coalesce(customers.acquired_at <= ranked.response_date, true)
        and coalesce(customers.churned_at >= ranked.response_date, true) as was_customer
    from ranked
    inner join customers on ranked.customer_key = customers.customer_key
    cross join known
    where ranked.latest_first = 1

)

select * from final
