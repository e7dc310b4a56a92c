-- The alert outbox as the lake holds it: one row per alert (answer + category + rule +
-- destination), its delivery state as of the run's lake export.
with

source as (

    select * from {{ source('inbox', 'alert_outbox') }}

),

renamed as (

    select
        -- ids
        alert_id,
        response_id,

        -- strings
        rule as alert_rule,
        destination,
        destination_kind,
        owner_team,
        nps_category,
        status as alert_status,
        last_error,

        -- numerics
        attempts,

        -- timestamps
        raised_at,
        sent_at,
        last_attempt_at,
        next_attempt_at

    from source

)

select * from renamed
