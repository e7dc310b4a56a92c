-- Invitations to customer surveys with their local send date, the survey tool's funnel
-- (which stages the source tracks, and which the invitation reached), and whether a valid
-- response answered. Invitations to a survey the catalogue places in the employee programme
-- are left out, and so are invitations to any survey employees answered: who was invited
-- and who took part is HR's, and small teams' participation identifies people.
with

invitations as (

    select * from {{ ref('stg_inbox__invitations') }}

),

responses as (

    select * from {{ ref('stg_inbox__responses') }}

),

files as (

    select * from {{ ref('stg_landing__landed_files') }}

),

-- employee surveys: those the catalogue lists, and any survey employees answered (an
-- uncatalogued pulse survey's invitations are told apart by its answers)
employee_surveys as (

    select survey_id from {{ ref('surveys') }}
    where programme = 'employee'

    union

    select survey_id from responses
    where not {{ is_customer_answer('survey_type') }} and survey_id is not null

),

first_answers as (

    select
        invitation_id,
        min(responded_at) as first_responded_at

    from responses
    where invitation_id is not null
    group by invitation_id

),

answered as (

    select
        invitations.invitation_id,
        invitations.survey_id,
        invitations.respondent_key,
        invitations.source_file_id,
        invitations.source_row_number,
        invitations.channel,
        invitations.sent_at,
        {{ to_local_date('invitations.sent_at') }} as sent_date,
        {%- for stage in ['delivered', 'opened', 'started', 'completed'] %}
        {{ list_has('files.mapped_columns', "'" ~ stage ~ "_at'") }} as tracks_{{ stage }},
        invitations.{{ stage }}_at is not null as is_{{ stage }},
        {%- endfor %}
        first_answers.first_responded_at,
        first_answers.invitation_id is not null as is_answered

    from invitations
    left join files
        on invitations.source_file_id = files.file_id
    left join first_answers
        on invitations.invitation_id = first_answers.invitation_id
    left join employee_surveys
        on invitations.survey_id = employee_surveys.survey_id
    where employee_surveys.survey_id is null

)

select * from answered
