-- Invitations sent, answered and through each funnel stage per local send date and
-- breakdown (the invitation cohort). `tracked_<stage>` counts the invitations whose
-- source reports that stage; rates are taken over those only.
{{ config(materialized='table') }}

with

invitations as (

    select * from {{ ref('int_invitations_answered') }}

),

segments as (

    select * from {{ ref('stg_inbox__invitation_segments') }}

),

by_dimension as (

    {{ unpivot_dimensions('invitations', 'segments', [
        'invitation_id', 'sent_date', 'is_answered',
        'tracks_delivered', 'is_delivered', 'tracks_opened', 'is_opened',
        'tracks_started', 'is_started', 'tracks_completed', 'is_completed',
    ]) }}

),

counted as (

    select
        sent_date,
        dimension_kind,
        dimension,
        dimension_value,
        count(*) as invitations,
        count(case when is_answered then 1 end) as responses,
        {%- for stage in ['delivered', 'opened', 'started', 'completed'] %}
        count(case when tracks_{{ stage }} then 1 end) as tracked_{{ stage }},
        count(case when tracks_{{ stage }} and is_{{ stage }} then 1 end) as {{ stage }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from by_dimension
    group by sent_date, dimension_kind, dimension, dimension_value

)

select * from counted
