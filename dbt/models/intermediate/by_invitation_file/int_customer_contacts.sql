-- Invitations to known customer respondents (a respondent key, and a survey the catalogue
-- does not place in the employee programme), with whether a valid response answered them:
-- what the contact rules count (respondent_contact_frequency, contact_count_response_rates).
-- Incremental by invitation file (the folder's config): both marts read it, and as a view
-- each would join every invitation with every response again.
-- depends_on: {{ ref('int_cohort_files_to_rebuild') }}  (the cohort's files, macros/incremental.sql)

with

invitations as (

    select * from {{ ref('int_invitations_answered') }}
    where {{ only_changed_files('source_file_id', 'cohort') }}

),

surveys as (

    select * from {{ ref('surveys') }}

),

customer as (

    select
        invitations.invitation_id,
        invitations.source_file_id,
        invitations.survey_id,
        invitations.respondent_key,
        invitations.sent_at,
        invitations.is_answered

    from invitations
    left join surveys
        on invitations.survey_id = surveys.survey_id
    where invitations.respondent_key is not null
        and coalesce(surveys.programme, 'unclassified') <> 'employee'

)

select * from customer
