-- The themes of each verbatim, one row per verbatim and theme (the bridge BI tools join).
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

themes as (

    select * from {{ ref('int_verbatim_themes') }}
    where {{ only_changed_files() }}

),

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

final as (

    select
        themes.verbatim_id,
        verbatims.response_id,
        verbatims.text_field,
        themes.theme,
        themes.is_override,
        verbatims.source_file_id

    from themes
    inner join verbatims on themes.verbatim_id = verbatims.verbatim_id

)

select * from final
