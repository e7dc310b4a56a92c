-- The themes each verbatim mentions: a word equal to a keyword of the theme dictionary
-- (seed verbatim_theme_keywords), corrected by the human overrides (seed verbatim_theme_overrides).
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

words as (

    select * from {{ ref('int_verbatim_words') }}
    where {{ only_changed_files() }}

),

dictionary as (

    select distinct
        theme,
        lower(keyword) as keyword
    from {{ ref('verbatim_theme_keywords') }}

),

overrides as (

    select
        response_id || ':' || text_field as verbatim_id,
        theme,
        is_tagged

    from {{ ref('verbatim_theme_overrides') }}

),

matched as (

    select distinct
        words.source_file_id,
        words.verbatim_id,
        dictionary.theme
    from words
    inner join dictionary on words.word = dictionary.keyword

),

corrected as (

    select
        matched.source_file_id,
        matched.verbatim_id,
        matched.theme,
        false as is_override
    from matched
    left join overrides
        on matched.verbatim_id = overrides.verbatim_id
        and matched.theme = overrides.theme
        and not overrides.is_tagged
    where overrides.verbatim_id is null

    union

    select
        verbatims.source_file_id,
        overrides.verbatim_id,
        overrides.theme,
        true as is_override
    from overrides
    inner join verbatims on overrides.verbatim_id = verbatims.verbatim_id
    where overrides.is_tagged

)

select * from corrected
