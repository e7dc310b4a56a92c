-- Customer answers: the valid responses every customer-facing model reads. An employee
-- answer (survey_type employee, whatever the catalogue says) never reaches them: it goes to
-- the HR audience only, as k-anonymous aggregates (int_employee_responses, models/hr/).
with

classified as (

    select * from {{ ref('int_responses_classified') }}

),

customer as (

    select
        classified.response_id,
        classified.survey_id,
        classified.invitation_id,
        classified.respondent_key,
        classified.account_id,
        classified.source_file_id,
        classified.source_row_number,
        classified.survey_type,
        classified.programme,
        classified.touchpoint,
        classified.channel,
        classified.respondent_role,
        classified.is_decision_maker,
        classified.score,
        classified.nps_category,
        classified.responded_at,
        classified.response_date

    from classified
    where {{ is_customer_answer('classified.survey_type') }}

)

select * from customer
