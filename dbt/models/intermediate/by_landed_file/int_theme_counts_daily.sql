-- Responses mentioning each theme (in their reason or improvement), with their promoters,
-- passives and detractors, per landed file, local date and programme. Per file, so that
-- it is incremental by landed file (macros/incremental.sql): theme_impact sums over files.
with

themes as (

    select * from {{ ref('int_verbatim_themes') }}
    where {{ only_changed_files() }}

),

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

responses as (

    select * from {{ ref('int_responses_enriched') }}
    where {{ only_changed_files() }}

),

mentions as (

    select distinct
        verbatims.response_id,
        themes.theme
    from themes
    inner join verbatims on themes.verbatim_id = verbatims.verbatim_id

),

counted as (

    select
        responses.source_file_id,
        responses.response_date,
        responses.programme,
        mentions.theme,
        {{ nps_counts('responses.nps_category') }}

    from mentions
    inner join responses on mentions.response_id = responses.response_id
    group by 1, 2, 3, 4

)

select * from counted
