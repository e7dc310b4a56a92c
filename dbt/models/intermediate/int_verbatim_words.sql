-- The lower-cased words of every verbatim, for language detection and theme tagging.
{{ config(materialized='table') }}

with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}

),

words as (

    select
        verbatim_id,
        {{ split_words('verbatim_text') }} as word

    from verbatims

)

select distinct verbatim_id, word
from words
where word <> ''
