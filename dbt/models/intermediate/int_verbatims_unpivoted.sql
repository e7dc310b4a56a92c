-- One row per non-empty free-text answer (reason or improvement) of a valid customer
-- response. The texts were redacted at validation (emails, phone and national id numbers).
-- Employee comments never come here: HR gets them only in groups of at least k
-- (hr.enps_comments).
with

responses as (

    select * from {{ ref('stg_inbox__responses') }}
    where {{ is_customer_answer('survey_type') }}

),

unpivoted as (

    select
        response_id,
        source_file_id,
        'reason' as text_field,
        reason_text as verbatim_text
    from responses
    where nullif(trim(reason_text), '') is not null

    union all

    select
        response_id,
        source_file_id,
        'improvement' as text_field,
        improvement_text as verbatim_text
    from responses
    where nullif(trim(improvement_text), '') is not null

)

select
    response_id || ':' || text_field as verbatim_id,
    response_id,
    source_file_id,
    text_field,
    verbatim_text

from unpivoted
