-- The lower-cased words of every verbatim, for language detection and theme tagging.
-- Redaction placeholders ([email], [phone], [national-id]) are not words of the text.
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

words as (

    select
        source_file_id,
        verbatim_id,
        {{ split_words(replace_matches('verbatim_text', "'\\[(email|phone|national-id)\\]'", "' '")) }}
            as word

    from verbatims

)

select distinct
    source_file_id,
    verbatim_id,
    word
from words
where word <> ''
