-- Every valid response, customer and employee, with its NPS category, its date in the
-- reporting time zone, and the programme its survey measures (marts.surveys): a survey the
-- catalogue does not list, or whose rows contradict its entry (employee rows in a customer
-- programme or the reverse), is `unclassified`, never counted in another programme.
-- Private: customer models read int_responses_enriched (no employee answer), the HR
-- audience's models int_employee_responses (docs/nps.md#employee-anonymity).
with

responses as (

    select * from {{ ref('stg_inbox__responses') }}

),

surveys as (

    select * from {{ ref('surveys') }}

),

enriched as (

    select
        responses.response_id,
        responses.survey_id,
        responses.invitation_id,
        responses.respondent_key,
        responses.account_id,
        responses.source_file_id,
        responses.source_row_number,
        responses.survey_type,
        coalesce(surveys.programme, 'unclassified') as programme,
        surveys.touchpoint,
        responses.channel,
        responses.respondent_role,
        lower(trim(responses.respondent_role)) in (
            {%- for role in var('decision_maker_roles') %}
            '{{ role | lower | replace("'", "''") }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_decision_maker,
        responses.score,
        {{ nps_category('responses.score') }} as nps_category,
        responses.responded_at,
        {{ to_local_date('responses.responded_at') }} as response_date,
        responses.reason_text,
        responses.improvement_text

    from responses
    -- the catalogue entry applies when the rows agree with it on employee or customer
    left join surveys
        on responses.survey_id = surveys.survey_id
        and (responses.survey_type = 'employee') = (surveys.programme = 'employee')

)

select * from enriched
