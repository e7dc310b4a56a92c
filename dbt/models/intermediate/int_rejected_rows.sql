-- Every landed row that did not become a valid row, from all kinds - quarantined (an error)
-- or excluded (not a real response; a CRM or billing row a later export replaced) -
-- with the configured source its file came from.
-- The marts quarantined_rows and excluded_rows are its two dispositions. A rejected
-- employee answer (survey_type employee, or a survey the catalogue places in the employee
-- programme) is left out: its raw values are an employee's, and no customer-facing mart
-- shows them (its file's counts in file_loads still reconcile).
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

customers as (

    select * from {{ ref('stg_inbox__customer_quarantine') }}

),

revenue as (

    select * from {{ ref('stg_inbox__revenue_quarantine') }}

),

files as (

    select * from {{ ref('stg_landing__landed_files') }}

),

employee_surveys as (

    select survey_id from {{ ref('surveys') }}
    where programme = 'employee'

),

unioned as (

    select * from responses
    union all
    select * from invitations
    union all
    select * from followups
    union all
    select * from customers
    union all
    select * from revenue

),

final as (

    select
        unioned.kind,
        files.source,
        unioned.source_file_id,
        unioned.source_file_path,
        unioned.source_row_number,
        unioned.disposition,
        unioned.reason,
        unioned.raw_values,
        unioned.landed_at

    from unioned
    left join files on unioned.source_file_id = files.file_id
    left join employee_surveys
        on {{ json_text('unioned.raw_values', 'survey_id') }} = employee_surveys.survey_id
    where employee_surveys.survey_id is null
        and {{ is_customer_answer(json_text('unioned.raw_values', 'survey_type')) }}

)

select * from final
