-- Employee answers of the employee programme (survey_type employee, in a survey the
-- catalogue lists as employee): the only input of the HR audience's models. An employee
-- answer in an uncatalogued survey is published nowhere until the catalogue lists it.
with

classified as (

    select * from {{ ref('int_responses_classified') }}

),

employee as (

    select
        classified.response_id,
        classified.survey_id,
        classified.source_file_id,
        classified.source_row_number,
        classified.programme,
        classified.touchpoint,
        classified.channel,
        classified.score,
        classified.nps_category,
        classified.response_date,
        classified.reason_text,
        classified.improvement_text

    from classified
    where not {{ is_customer_answer('classified.survey_type') }}
        and classified.programme = 'employee'

)

select * from employee
