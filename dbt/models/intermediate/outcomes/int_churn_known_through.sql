-- The last day churn is known for: the CRM export says who left up to the day it was taken,
-- which the warehouse reads as its latest date (an acquisition or a churn) - and never later
-- than today. A horizon that ends after it has not fully elapsed: its churn is flagged, not
-- silently short. One row.
with

customers as (

    select * from {{ ref('stg_inbox__customers') }}

),

latest as (

    select
        max(acquired_at) as latest_acquired,
        max(churned_at) as latest_churned
    from customers

),

final as (

    select
        least(
            coalesce(greatest(latest_acquired, latest_churned), latest_acquired, latest_churned),
            {{ local_today() }}
        ) as churn_known_through
    from latest

)

select * from final
