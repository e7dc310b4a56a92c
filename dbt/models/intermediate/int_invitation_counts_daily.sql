-- Invitations sent and answered per local send date and breakdown (the invitation cohort).
{{ config(materialized='table') }}

with

invitations as (

    select * from {{ ref('int_invitations_answered') }}

),

segments as (

    select * from {{ ref('stg_inbox__invitation_segments') }}

),

by_dimension as (

    {{ unpivot_dimensions('invitations', 'segments', ['invitation_id', 'sent_date', 'is_answered']) }}

),

counted as (

    select
        sent_date,
        dimension_kind,
        dimension,
        dimension_value,
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses

    from by_dimension
    group by sent_date, dimension_kind, dimension, dimension_value

)

select * from counted
