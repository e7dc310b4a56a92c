-- Every landed row that did not become a valid row, from all kinds: quarantined (an error)
-- or excluded (not a real response).
with

responses as (

    select * from {{ ref('stg_inbox__response_quarantine') }}

),

invitations as (

    select * from {{ ref('stg_inbox__invitation_quarantine') }}

),

followups as (

    select * from {{ ref('stg_inbox__followup_quarantine') }}

),

unioned as (

    select * from responses
    union all
    select * from invitations
    union all
    select * from followups

)

select * from unioned
