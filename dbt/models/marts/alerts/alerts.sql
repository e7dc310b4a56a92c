-- Every detractor alert the pipeline raised (config/alerts.yml), its delivery as of this
-- build, and how long the team took from the alert to the first contact with the customer
-- (the detractor's follow-up case). `nps-warehouse alerts` shows the outbox as it is now.
with

alerts as (

    select * from {{ ref('stg_inbox__alert_outbox') }}

),

detractors as (

    select * from {{ ref('int_detractor_followups') }}

),

final as (

    select
        alerts.alert_id,
        alerts.response_id,
        alerts.alert_rule,
        alerts.destination,
        alerts.destination_kind,
        alerts.owner_team,
        alerts.nps_category,
        alerts.raised_at,
        alerts.alert_status,
        cast(alerts.attempts as integer) as attempts,
        alerts.sent_at,
        alerts.last_error,
        detractors.contacted_at,
        cast(
            {{ seconds_between('alerts.sent_at', 'detractors.contacted_at') }}
            / 3600e0 as double
        ) as hours_from_alert_to_contact

    from alerts
    left join detractors
        on alerts.response_id = detractors.response_id

)

select * from final
