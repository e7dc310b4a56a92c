-- The lower-cased words of every verbatim, for language detection and theme tagging.
-- Redaction placeholders ([email], [phone], [national-id]) are not words of the text.
{{ config(materialized='table') }}

with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}

),

words as (

    select
        verbatim_id,
        {{ split_words("regexp_replace(verbatim_text, '\\[(email|phone|national-id)\\]', ' ', 'g')") }} as word

    from verbatims

)

select distinct verbatim_id, word
from words
where word <> ''
