-- One row per free-text answer: the redacted text, its language, the themes it mentions
-- and the response's score. Employee verbatims carry no segment, so they cannot be traced
-- to a small team.
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

languages as (

    select * from {{ ref('int_verbatim_languages') }}
    where {{ only_changed_files() }}

),

themes as (

    select
        verbatim_id,
        {{ sorted_text_list('theme', "', '") }} as themes,
        count(*) as theme_count

    from {{ ref('int_verbatim_themes') }}
    where {{ only_changed_files() }}
    group by verbatim_id

),

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where {{ only_changed_files() }}

),

final as (

    select
        verbatims.verbatim_id,
        verbatims.response_id,
        responses.programme,
        verbatims.text_field,
        verbatims.verbatim_text,
        languages.language,
        themes.themes,
        coalesce(themes.theme_count, 0) as theme_count,
        responses.score,
        responses.nps_category,
        responses.channel,
        responses.response_date,
        verbatims.source_file_id

    from verbatims
    inner join responses on verbatims.response_id = responses.response_id
    left join languages on verbatims.verbatim_id = languages.verbatim_id
    left join themes on verbatims.verbatim_id = themes.verbatim_id

)

select * from final
